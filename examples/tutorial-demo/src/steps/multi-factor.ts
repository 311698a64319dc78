import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { isConfigured } from '../demo-context.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { expectMfaRequired, expectRefusal, mfaGrantFields } from '../mfa.ts';
import { MFA_OTP_GRANT, tokenResponseFields } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';
import { totp } from '../totp.ts';

/** RFC 6238 section 4: the time step. */
const STEP_SECONDS = 30;

/**
 * Optional, "Configure MFA" (Auth0: "Authenticate Using the Resource Owner Password Flow with
 * MFA"): the password grant answers `mfa_required` with an `mfa_token`; the application asks the
 * user for the code of their authenticator app (here computed, RFC 6238) and sends both with
 * Auth0's `mfa-otp` grant. A code from another time step is refused.
 */
export const multiFactor: DemoStep = {
  id: 'mfa',
  title: 'Configure MFA (one-time password)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.mfaUser)) throw new StepSkipped(context.mfaUser.notConfigured);
    const account = context.mfaUser;
    const secret = account.totpSecret;
    if (secret === undefined) throw new StepSkipped('no TOTP secret for the MFA user');
    const key = `${context.sessionKey}:mfa`;

    const { mfaToken } = await expectMfaRequired(context, log, account);

    const now = Date.now() / 1000;
    const otp = totp(secret, now);
    // Ten steps back is outside any server's drift window (RFC 6238 section 5.2 allows about one).
    let staleOtp = totp(secret, now - 10 * STEP_SECONDS);
    if (staleOtp === otp) staleOtp = totp(secret, now - 11 * STEP_SECONDS);

    log.line(`→ POST ${context.tokenEndpoint} (mfa-otp grant with the code of 5 minutes ago)`);
    await expectRefusal(
      log,
      'invalid_grant',
      () => context.tokenClient.mfaOtp({ mfaToken, otp: staleOtp }),
      'a one-time password from 5 minutes ago was accepted',
    );

    log.fields(
      `→ POST ${context.tokenEndpoint} (the current code)`,
      mfaGrantFields(context, MFA_OTP_GRANT, [
        ['mfa_token', shortenToken(mfaToken)],
        ['otp', `${MASKED} (RFC 6238: HMAC-SHA-1, 30 s step, 6 digits)`],
      ]),
    );
    const tokens = await context.manager.completeMfa(key, { mfaToken, otp });
    log.fields('← 200 token response', tokenResponseFields(context.tokenClient.lastAnswer()));
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private-scoped', apiFetch, tokens.accessToken);
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};
