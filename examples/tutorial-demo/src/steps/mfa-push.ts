import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { isConfigured } from '../demo-context.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { challengeOob, expectMfaRequired, mfaGrantFields } from '../mfa.ts';
import { MFA_OOB_GRANT, tokenResponseFields } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';

/** How a poll that brought no tokens is shown. */
const POLL_ANSWERS = {
  pending: 'authorization_pending: the user has not answered yet',
  slow_down: 'slow_down: polled too soon, the interval grows by 5 seconds (RFC 8628 section 3.5)',
} as const;

/**
 * Optional, "Configure MFA" with a push notification (Auth0: "Authenticate Using the Resource
 * Owner Password Flow with MFA", "Challenge with push"): `POST /mfa/challenge` with
 * `oob_channel=auth0` notifies the user's Guardian app and answers an `oob_code` without a
 * `binding_method`; the application polls Auth0's `mfa-oob` grant with it, answered
 * `authorization_pending` until the user taps "Allow", then the tokens. `TokenManager`'s
 * `completeMfaPush` polls (`waitForMfaPush`), at the tenant's interval. The mock's control API
 * (`approvePush`) plays the user's tap.
 */
export const mfaPush: DemoStep = {
  id: 'mfa-push',
  title: 'Configure MFA (push notification)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.mfaPushUser))
      throw new StepSkipped(context.mfaPushUser.notConfigured);
    const { account, device, pollIntervalSeconds, timeoutMs } = context.mfaPushUser;
    const key = `${context.sessionKey}:mfa-push`;

    const required = await expectMfaRequired(context, log, account);
    const { mfaToken } = required;
    expectThat(
      required.requirements?.challenge.includes('push-notification') === true,
      'mfa_requirements does not offer "push-notification"',
    );

    const { oobCode, bindingMethod } = await challengeOob(context, log, mfaToken, 'auth0');
    expectThat(bindingMethod === undefined, 'a push challenge asked for a code to type');

    log.fields(
      `→ POST ${context.tokenEndpoint} (mfa-oob grant without binding_code: a poll)`,
      mfaGrantFields(context, MFA_OOB_GRANT, [
        ['mfa_token', shortenToken(mfaToken)],
        ['oob_code', MASKED],
      ]),
    );
    const first = await context.tokenClient.mfaPushPoll({ mfaToken, oobCode });
    expectThat(first.status !== 'approved', 'the push was approved before the user answered it');
    log.line(`← ${POLL_ANSWERS[first.status]}`);

    await device.approvePush();
    log.line('the user taps "Allow" in Guardian (on the mock: control.approvePush)');

    const pollsBefore = context.tokenClient.pushPolls.length;
    log.line(
      `→ POST ${context.tokenEndpoint} (the same poll every ${pollIntervalSeconds} s until answered, at most ${timeoutMs / 1000} s: waitForMfaPush)`,
    );
    const tokens = await context.manager.completeMfaPush(key, {
      mfaToken,
      oobCode,
      intervalSeconds: pollIntervalSeconds,
      timeoutMs,
    });
    const polls = context.tokenClient.pushPolls.slice(pollsBefore);
    for (const status of ['pending', 'slow_down'] as const) {
      const count = polls.filter((poll) => poll === status).length;
      if (count > 0) log.line(`← ${POLL_ANSWERS[status]} ×${count}`);
    }
    log.fields(
      `← 200 token response (poll ${polls.length} after the tap)`,
      tokenResponseFields(context.tokenClient.lastAnswer()),
    );
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private-scoped', apiFetch, tokens.accessToken);
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};
