import { Auth0Errors } from '../auth0-errors.js';
import { secretsMatch } from '../constant-time.js';
import { issueTokens } from '../issue-tokens.js';
import {
  confirmEnrolment,
  factorOf,
  newRecoveryCode,
  recoveryCodesUsable,
} from '../mfa-authenticators.js';
import type { OobTransaction } from '../mfa-oob-store.js';
import type { MfaTransaction } from '../mfa-token-store.js';
import type { ResolvedUser } from '../resolved-config.js';
import { accessTokenBinding } from '../sender-constraint.js';
import type { ServerState } from '../server-state.js';
import { verifyTotp } from '../totp.js';
import {
  requireParameter,
  resolveApi,
  type GrantContext,
  type GrantHandler,
} from './grant-context.js';

function transactionUser(state: ServerState, transaction: MfaTransaction): ResolvedUser {
  const found = state.directory.findUserById(transaction.userId);
  if (found === undefined) throw Auth0Errors.malformedMfaToken();
  if (found.user.blocked) throw Auth0Errors.userBlocked();
  return found.user;
}

/** Finishes the password grant an `mfa_token` stands for. */
async function completeGrant(
  context: GrantContext,
  mfaToken: string,
  transaction: MfaTransaction,
  user: ResolvedUser,
): Promise<Record<string, unknown>> {
  const { state, client } = context;
  const api = resolveApi(state, transaction.audience);
  const binding = accessTokenBinding(client, api, context.dpop, context.certificate);
  const body = await issueTokens(
    state,
    {
      client,
      connection: transaction.connection,
      user,
      api,
      grantedScopes: transaction.grantedScopes,
      requestedScopes: transaction.requestedScopes,
      gty: 'password',
      binding,
      // The second factor completes the authentication: its time is auth_time, and acr and amr
      // say it was multi-factor (Auth0 "Configure Step-up Authentication for Web Apps").
      authentication: { authTime: state.clock.nowSeconds(), multiFactor: true },
    },
    { startFamily: true },
  );
  // An mfa_token completes one grant only.
  state.mfaTokens.consume(mfaToken);
  return body;
}

/**
 * `http://auth0.com/oauth/grant-type/mfa-otp`: `mfa_token` and `otp` (RFC 6238 TOTP) of one of the
 * user's OTP authenticators. A code of an authenticator associated through `/mfa/associate` and
 * not yet confirmed confirms it (Auth0: the enrolment is confirmed with the first code).
 */
export const mfaOtpGrant: GrantHandler = async (context) => {
  const { state, parameters, client } = context;
  const mfaToken = requireParameter(parameters, 'mfa_token');
  const otp = requireParameter(parameters, 'otp');
  const transaction = state.mfaTokens.get(mfaToken, client.clientId);
  const user = transactionUser(state, transaction);
  const now = state.clock.nowSeconds();
  const matched = state.tenant.mfaFactors.includes('otp')
    ? user.mfa?.authenticators.find(
        (authenticator) =>
          authenticator.secret !== undefined && verifyTotp(authenticator.secret, otp, now),
      )
    : undefined;
  if (matched === undefined) throw Auth0Errors.invalidOtp();
  const body = await completeGrant(context, mfaToken, transaction, user);
  confirmEnrolment(user, matched.id);
  return body;
};

/** The answer to a poll of a push notification that is still pending: RFC 8628 section 3.5. */
function pendingPush(state: ServerState, oob: OobTransaction): never {
  const nowMs = state.clock.nowMs();
  const tooSoon =
    oob.lastPolledMs !== undefined && nowMs - oob.lastPolledMs < oob.intervalSeconds * 1000;
  oob.lastPolledMs = nowMs;
  if (tooSoon) {
    // "the interval MUST be increased by 5 seconds for this and all subsequent requests"
    oob.intervalSeconds += 5;
    throw Auth0Errors.slowDown(oob.intervalSeconds);
  }
  throw Auth0Errors.authorizationPending();
}

/**
 * `http://auth0.com/oauth/grant-type/mfa-oob`: `mfa_token`, `oob_code` and, for SMS, voice and
 * email (`binding_method: "prompt"`), the `binding_code` the user received. A push is polled: it
 * answers `authorization_pending` until the device approves (then tokens) or denies (then the
 * rejection, every time); polled sooner than the interval it answers `slow_down`. An `oob_code`
 * from `/mfa/associate` confirms that enrolment.
 */
export const mfaOobGrant: GrantHandler = async (context) => {
  const { state, parameters, client } = context;
  const mfaToken = requireParameter(parameters, 'mfa_token');
  const oobCode = requireParameter(parameters, 'oob_code');
  const transaction = state.mfaTokens.get(mfaToken, client.clientId);
  const user = transactionUser(state, transaction);
  const oob = state.mfaOob.get(oobCode);
  if (
    oob === undefined ||
    oob.userId !== user.userId ||
    (oob.mfaToken !== undefined && oob.mfaToken !== mfaToken)
  ) {
    throw Auth0Errors.malformedOobCode();
  }
  if (state.clock.nowSeconds() >= oob.expiresAt) {
    state.mfaOob.delete(oobCode);
    throw Auth0Errors.expiredOobCode();
  }
  if (oob.bindingCode === undefined) {
    if (oob.status === 'denied') throw Auth0Errors.mfaRejected(state.tenant.compatibility);
    if (oob.status === 'pending') pendingPush(state, oob);
  } else {
    const bindingCode = requireParameter(parameters, 'binding_code');
    if (!secretsMatch(oob.bindingCode, bindingCode)) throw Auth0Errors.invalidBindingCode();
  }
  const authenticator = user.mfa?.authenticators.find(
    (candidate) => candidate.id === oob.authenticatorId,
  );
  // The authenticator was deleted, or its factor disabled, since the code was sent.
  if (
    authenticator === undefined ||
    !state.tenant.mfaFactors.includes(factorOf(authenticator.kind))
  ) {
    throw Auth0Errors.malformedOobCode();
  }
  const body = await completeGrant(context, mfaToken, transaction, user);
  state.mfaOob.delete(oobCode);
  confirmEnrolment(user, authenticator.id);
  return body;
};

/**
 * `http://auth0.com/oauth/grant-type/mfa-recovery-code`: `mfa_token` and `recovery_code`. The code
 * is spent, and, as Auth0 does, the response carries a new one in `recovery_code`, which the user
 * then has.
 */
export const mfaRecoveryCodeGrant: GrantHandler = async (context) => {
  const { state, parameters, client } = context;
  const mfaToken = requireParameter(parameters, 'mfa_token');
  const recoveryCode = requireParameter(parameters, 'recovery_code');
  const transaction = state.mfaTokens.get(mfaToken, client.clientId);
  const user = transactionUser(state, transaction);
  const codes = recoveryCodesUsable(user, state.tenant.mfaFactors)
    ? (user.mfa?.recoveryCodes ?? [])
    : [];
  const index = codes.findIndex((code) => secretsMatch(code, recoveryCode));
  if (index === -1) throw Auth0Errors.invalidRecoveryCode();
  const body = await completeGrant(context, mfaToken, transaction, user);
  const replacement = newRecoveryCode();
  codes.splice(index, 1, replacement);
  return { ...body, recovery_code: replacement };
};
