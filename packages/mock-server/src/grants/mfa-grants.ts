import { randomBytes } from 'node:crypto';
import { Auth0Errors } from '../auth0-errors.js';
import { secretsMatch } from '../constant-time.js';
import { issueTokens } from '../issue-tokens.js';
import type { MfaTransaction } from '../mfa-token-store.js';
import type { ResolvedUser } from '../resolved-config.js';
import type { ServerState } from '../server-state.js';
import { verifyTotp } from '../totp.js';
import {
  requireParameter,
  resolveApi,
  type GrantContext,
  type GrantHandler,
} from './grant-context.js';

const RECOVERY_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new recovery code: 24 characters, the length of Auth0's. */
function newRecoveryCode(): string {
  return [...randomBytes(24)].map((byte) => RECOVERY_CODE_ALPHABET[byte % 32]).join('');
}

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
    },
    { startFamily: true },
  );
  // An mfa_token completes one grant only.
  state.mfaTokens.consume(mfaToken);
  return body;
}

/** `http://auth0.com/oauth/grant-type/mfa-otp`: `mfa_token` and `otp` (RFC 6238 TOTP). */
export const mfaOtpGrant: GrantHandler = async (context) => {
  const { state, parameters, client } = context;
  const mfaToken = requireParameter(parameters, 'mfa_token');
  const otp = requireParameter(parameters, 'otp');
  const transaction = state.mfaTokens.get(mfaToken, client.clientId);
  const user = transactionUser(state, transaction);
  const secret = user.mfa?.totpSecret;
  if (secret === undefined || !verifyTotp(secret, otp, state.clock.nowSeconds())) {
    throw Auth0Errors.invalidOtp();
  }
  return completeGrant(context, mfaToken, transaction, user);
};

/**
 * `http://auth0.com/oauth/grant-type/mfa-recovery-code`: `mfa_token` and `recovery_code`. The code
 * is spent, and, as Auth0 does, the response carries a new one in `recovery_code`.
 */
export const mfaRecoveryCodeGrant: GrantHandler = async (context) => {
  const { state, parameters, client } = context;
  const mfaToken = requireParameter(parameters, 'mfa_token');
  const recoveryCode = requireParameter(parameters, 'recovery_code');
  const transaction = state.mfaTokens.get(mfaToken, client.clientId);
  const user = transactionUser(state, transaction);
  const codes = user.mfa?.recoveryCodes ?? [];
  const index = codes.findIndex((code) => secretsMatch(code, recoveryCode));
  if (index === -1) throw Auth0Errors.invalidRecoveryCode();
  const body = await completeGrant(context, mfaToken, transaction, user);
  const replacement = newRecoveryCode();
  codes.splice(index, 1, replacement);
  return { ...body, recovery_code: replacement };
};
