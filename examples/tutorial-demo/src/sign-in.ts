import { MfaRequiredError, type TokenSet } from '@ropkit/core';
import type { Account, DemoContext } from './demo-context.ts';
import { MASKED, shortenToken } from './mask.ts';
import { StepFailed } from './step.ts';
import type { StepLog } from './step-log.ts';
import { totp } from './totp.ts';

/** Auth0's extension grant for a named connection ("Configure realm support"). */
export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';

/** Auth0's grant that finishes an MFA sign-in with a one-time password. */
export const MFA_OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';

/** Auth0's grant that finishes an MFA sign-in with a code sent (SMS, voice, email) or a push. */
export const MFA_OOB_GRANT = 'http://auth0.com/oauth/grant-type/mfa-oob';

/** Auth0's grant that finishes an MFA sign-in with a recovery code. */
export const MFA_RECOVERY_CODE_GRANT = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';

/**
 * The token request's parameters as the tutorial lists them ("Request tokens"), secrets masked:
 * what `TokenClient.password` sends for `account`.
 */
export function passwordGrantFields(
  context: DemoContext,
  account: Account,
  clientId = context.clientId,
): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['grant_type', account.realm === undefined ? 'password' : PASSWORD_REALM_GRANT],
    ['username', account.username],
    ['password', MASKED],
  ];
  if (account.realm !== undefined) fields.push(['realm', account.realm]);
  fields.push(['audience', context.audience], ['scope', context.scope], ['client_id', clientId]);
  if (context.hasClientSecret) fields.push(['client_secret', MASKED]);
  return fields;
}

/**
 * The token response's members as the tutorial shows them, tokens shortened: what the server
 * sent (`answer`: `context.tokenClient.lastAnswer()`), never the token manager's merged
 * set. A member it did not send says so, with `whenAbsent` telling what stands in for it.
 */
export function tokenResponseFields(
  answer: TokenSet,
  whenAbsent?: string,
): Array<[string, string]> {
  const none = whenAbsent === undefined ? '(none sent)' : `(none sent: ${whenAbsent})`;
  const shown = (token: string | undefined) => (token === undefined ? none : shortenToken(token));
  return [
    ['access_token', shortenToken(answer.accessToken)],
    ['refresh_token', shown(answer.refreshToken)],
    ['id_token', shown(answer.idToken)],
    ['token_type', answer.tokenType],
    ['expires_in', String(answer.expiresIn)],
    ['scope', answer.scope === undefined ? none : answer.scope.join(' ')],
  ];
}

/**
 * Signs `account` in through the token manager, keeping the tokens under `key`, and shows the
 * request and the answer. When the tenant asks for a second factor and the account has a TOTP
 * secret, the sign-in is finished with a computed one-time password.
 *
 * @param detail `full`: every parameter sent and received; `brief`: one line each.
 */
export async function signIn(
  context: DemoContext,
  log: StepLog,
  key: string,
  account: Account,
  detail: 'full' | 'brief' = 'brief',
): Promise<TokenSet> {
  const sent = passwordGrantFields(context, account);
  // A client with the `dpop` option proves its key on every token request (RFC 9449 section 5).
  if (context.tokenClient.dpop !== undefined) {
    sent.push(['header', `DPoP: a new proof (POST, this URL), signed with the application's key`]);
  }
  if (detail === 'full') log.fields(`→ POST ${context.tokenEndpoint}`, sent);
  else log.line(`→ POST ${context.tokenEndpoint} (${sent[0]?.[1]} grant as ${account.username})`);
  const parameters = {
    username: account.username,
    password: account.password,
    ...(account.realm === undefined ? {} : { realm: account.realm }),
  };
  let tokens: TokenSet;
  try {
    tokens = await context.manager.signIn(key, parameters);
  } catch (error) {
    if (!(error instanceof MfaRequiredError)) throw error;
    if (account.totpSecret === undefined) {
      throw new StepFailed(
        "the tenant asked for a second factor (mfa_required); give this user's TOTP secret (ROPKIT_DEMO_MFA_SECRET) or turn MFA off for the ROP flow",
      );
    }
    log.line('← mfa_required: finishing the sign-in with a one-time password (RFC 6238)');
    tokens = await context.manager.completeMfa(key, {
      mfaToken: error.mfaToken,
      otp: totp(account.totpSecret, Date.now() / 1000),
    });
  }
  const answer = context.tokenClient.lastAnswer();
  if (detail === 'full') log.fields('← 200 token response', tokenResponseFields(answer));
  else log.line(`← 200 access_token ${shortenToken(answer.accessToken)}`);
  return tokens;
}
