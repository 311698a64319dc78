import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { isConfigured } from '../demo-context.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { challengeOob, expectMfaRequired, expectRefusal, mfaGrantFields } from '../mfa.ts';
import { MFA_OOB_GRANT, tokenResponseFields } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';

/** Auth0's `mfa_requirements` name of each out-of-band channel a code is sent on. */
const FACTOR_OF_CHANNEL = { sms: 'phone', email: 'email' } as const;

/**
 * Optional, "Configure MFA" with a code sent out of band (Auth0: "Authenticate Using the Resource
 * Owner Password Flow with MFA", "Challenge with SMS or email"): the password grant answers
 * `mfa_required`; `POST /mfa/challenge` with `challenge_type=oob` sends a 6-digit code to the
 * user's phone (or mailbox) and answers an `oob_code` with `binding_method: prompt`; the user
 * types the code, sent as `binding_code` with Auth0's `mfa-oob` grant. A mistyped code is refused
 * and the `oob_code` stays usable. The mock's control API (`mfaMessages`) plays the phone.
 */
export const mfaOob: DemoStep = {
  id: 'mfa-oob',
  title: 'Configure MFA (a code sent by SMS)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.mfaOobUser)) throw new StepSkipped(context.mfaOobUser.notConfigured);
    const { account, channel, device } = context.mfaOobUser;
    const key = `${context.sessionKey}:mfa-oob`;

    const required = await expectMfaRequired(context, log, account);
    const { mfaToken } = required;
    expectThat(
      required.requirements?.challenge.includes(FACTOR_OF_CHANNEL[channel]) === true,
      `mfa_requirements does not offer "${FACTOR_OF_CHANNEL[channel]}" (${channel})`,
    );

    const challenge = await challengeOob(context, log, mfaToken, channel);
    expectThat(
      challenge.bindingMethod === 'prompt',
      'the challenge has no binding_method "prompt": no code was sent to type',
    );
    const message = await device.receivedCode(challenge.oobCode);
    log.line(
      `the user's ${message.channel === 'email' ? 'mailbox' : 'phone'} ${message.to} receives a ${message.code.length}-digit code: ${MASKED} (on the mock: control.mfaMessages)`,
    );

    const mistyped = mistype(message.code);
    log.line(`→ POST ${context.tokenEndpoint} (mfa-oob grant with a mistyped code)`);
    await expectRefusal(
      log,
      'invalid_grant',
      () =>
        context.tokenClient.mfaOob({ mfaToken, oobCode: challenge.oobCode, bindingCode: mistyped }),
      'a mistyped binding_code was accepted',
    );

    log.fields(
      `→ POST ${context.tokenEndpoint} (the code as received; the same oob_code)`,
      mfaGrantFields(context, MFA_OOB_GRANT, [
        ['mfa_token', shortenToken(mfaToken)],
        ['oob_code', MASKED],
        ['binding_code', MASKED],
      ]),
    );
    const tokens = await context.manager.completeMfaOob(key, {
      mfaToken,
      oobCode: challenge.oobCode,
      bindingCode: message.code,
    });
    log.fields('← 200 token response', tokenResponseFields(context.tokenClient.lastAnswer()));
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private-scoped', apiFetch, tokens.accessToken);
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};

/** `code` with its last digit changed: what a user who mistyped it would send. */
function mistype(code: string): string {
  const last = Number(code.at(-1) ?? '0');
  return `${code.slice(0, -1)}${Number.isNaN(last) ? 0 : (last + 1) % 10}`;
}
