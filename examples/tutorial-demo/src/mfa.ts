/**
 * What the MFA steps share (Auth0: "Authenticate Using the Resource Owner Password Flow with
 * MFA"): the password grant answered `mfa_required`, the MFA API's requests and the MFA grants,
 * each shown as sent and as answered, secrets masked.
 */
import { MfaRequiredError, OAuthError, type OobChannel } from '@ropkit/core';
import type { Account, DemoContext } from './demo-context.ts';
import { MASKED, shortenToken } from './mask.ts';
import { expectThat, StepFailed } from './step.ts';
import type { StepLog } from './step-log.ts';

/** An MFA API endpoint (`challenge`, `associate`, `authenticators`) of the tenant, for display. */
export function mfaApiUrl(context: DemoContext, path: string): string {
  return new URL(`mfa/${path}`, context.issuer).href;
}

/** The client's credentials as a request carries them: the secret masked. */
export function clientFields(context: DemoContext): Array<[string, string]> {
  const fields: Array<[string, string]> = [['client_id', context.clientId]];
  if (context.hasClientSecret) fields.push(['client_secret', MASKED]);
  return fields;
}

/** An MFA grant's parameters as sent: `grant_type`, then `fields`, then the client's. */
export function mfaGrantFields(
  context: DemoContext,
  grantType: string,
  fields: ReadonlyArray<[string, string]>,
): Array<[string, string]> {
  return [['grant_type', grantType], ...fields, ...clientFields(context)];
}

/** An OAuth error answer on one line: `403 invalid_grant "Invalid binding_code."`. */
export function describeRefusal(error: OAuthError): string {
  return `${error.status} ${error.error} "${error.errorDescription ?? ''}"`;
}

/**
 * Signs `account` in with the password grant, which must answer `mfa_required`: shows the answer
 * (the `mfa_token` shortened) and returns it.
 *
 * @throws {StepFailed} when the tenant issued tokens without a second factor.
 */
export async function expectMfaRequired(
  context: DemoContext,
  log: StepLog,
  account: Account,
): Promise<MfaRequiredError> {
  log.line(`→ POST ${context.tokenEndpoint} (password grant as ${account.username})`);
  try {
    await context.tokenClient.password({ username: account.username, password: account.password });
  } catch (error) {
    if (!(error instanceof MfaRequiredError)) throw error;
    log.fields(`← ${describeRefusal(error)}`, [
      ['mfa_token', shortenToken(error.mfaToken)],
      ['mfa_requirements', JSON.stringify(error.mfaRequirements)],
    ]);
    return error;
  }
  throw new StepFailed('the tenant issued tokens without asking for a second factor');
}

/**
 * Starts an out-of-band challenge on `channel` (`POST /mfa/challenge`, `challenge_type=oob`):
 * a code sent by SMS, voice or email, or a Guardian push (`auth0`). Shows the request and the
 * answer, the `oob_code` masked.
 */
export async function challengeOob(
  context: DemoContext,
  log: StepLog,
  mfaToken: string,
  channel: OobChannel,
): Promise<{ oobCode: string; bindingMethod: 'prompt' | undefined }> {
  log.fields(`→ POST ${mfaApiUrl(context, 'challenge')}`, [
    ['mfa_token', shortenToken(mfaToken)],
    ['challenge_type', 'oob'],
    ['oob_channel', channel],
    ...clientFields(context),
  ]);
  const challenge = await context.tokenClient.mfaChallenge({
    mfaToken,
    challengeType: 'oob',
    oobChannel: channel,
  });
  if (challenge.challengeType !== 'oob') {
    log.fields('← 200 challenge', [['challenge_type', challenge.challengeType]]);
    throw new StepFailed(
      `the challenge answered challenge_type ${challenge.challengeType}, not oob`,
    );
  }
  log.fields('← 200 challenge', [
    ['challenge_type', 'oob'],
    ['oob_code', MASKED],
    [
      'binding_method',
      challenge.bindingMethod ?? '(none sent: a push, answered on the device; poll until then)',
    ],
  ]);
  return challenge;
}

/**
 * Runs `attempt`, which the server must refuse with `expected` (an OAuth error code), and shows
 * the refusal.
 *
 * @throws {StepFailed} when it succeeds, or is refused with another error.
 */
export async function expectRefusal(
  log: StepLog,
  expected: string,
  attempt: () => Promise<unknown>,
  whenAccepted: string,
): Promise<OAuthError> {
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    log.line(`← ${describeRefusal(error)}`);
    expectThat(error.error === expected, `expected ${expected}, got ${error.error}`);
    return error;
  }
  throw new StepFailed(whenAccepted);
}
