import { createAuthorizedFetch, type MfaAuthenticator } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { isConfigured, type DemoContext } from '../demo-context.ts';
import { MASKED, maskOtpauthUri, shortenToken } from '../mask.ts';
import { clientFields, expectMfaRequired, mfaApiUrl, mfaGrantFields } from '../mfa.ts';
import { MFA_OTP_GRANT, tokenResponseFields } from '../sign-in.ts';
import { expectThat, StepFailed, StepSkipped, type DemoStep } from '../step.ts';
import type { StepLog } from '../step-log.ts';
import { totp } from '../totp.ts';

/**
 * Optional, "Configure MFA" for a user with nothing enrolled yet (Auth0: "Authenticate Using the
 * Resource Owner Password Flow with MFA", "Enroll an authenticator"): the password grant answers
 * `mfa_required` with `mfa_requirements.enroll`; `POST /mfa/associate` with that `mfa_token`
 * enrols an authenticator app and answers its `secret` and `barcode_uri` (the QR code) with
 * recovery codes, all shown masked; the authenticator is listed, inactive, until the `mfa-otp`
 * grant confirms it with the app's first code, which also signs the user in. The next sign-in
 * asks for that authenticator.
 */
export const mfaEnrolment: DemoStep = {
  id: 'mfa-enrolment',
  title: 'Configure MFA (enrolling an authenticator app)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.mfaEnrolUser))
      throw new StepSkipped(context.mfaEnrolUser.notConfigured);
    const account = context.mfaEnrolUser;
    const key = `${context.sessionKey}:mfa-enrolment`;

    const required = await expectMfaRequired(context, log, account);
    const { mfaToken } = required;
    expectThat(
      required.requirements?.enroll.includes('otp') === true,
      'mfa_requirements does not offer to enrol "otp" (an authenticator app)',
    );

    log.fields(`→ POST ${mfaApiUrl(context, 'associate')}  ${bearer(mfaToken)}`, [
      ['authenticator_types', '["otp"]'],
      ...clientFields(context),
    ]);
    const enrolment = await context.tokenClient.mfaAssociate({
      token: mfaToken,
      authenticator: { type: 'otp' },
    });
    if (enrolment.authenticatorType !== 'otp') {
      throw new StepFailed(`the enrolment answered ${enrolment.authenticatorType}, not otp`);
    }
    const codes = enrolment.recoveryCodes.length;
    log.fields('← 200 enrolment', [
      ['authenticator_type', 'otp'],
      ['secret', `${MASKED} (base32: for users who type it instead of scanning)`],
      ['barcode_uri', maskOtpauthUri(enrolment.barcodeUri.reveal())],
      [
        'recovery_codes',
        codes === 0
          ? '(none sent)'
          : `[${Array.from({ length: codes }, () => `"${MASKED}"`).join(', ')}] (shown to the user once the enrolment is confirmed)`,
      ],
    ]);
    const pending = await listAuthenticators(context, log, mfaToken);
    expectThat(
      pending.some((entry) => entry.authenticatorType === 'otp' && !entry.active),
      'the new authenticator is not listed as waiting for its confirmation (active: false)',
    );

    // What the user's app shows once the QR code is scanned.
    const otp = totp(enrolment.secret.reveal(), Date.now() / 1000);
    log.fields(
      `→ POST ${context.tokenEndpoint} (the app's first code: confirms the enrolment)`,
      mfaGrantFields(context, MFA_OTP_GRANT, [
        ['mfa_token', shortenToken(mfaToken)],
        ['otp', MASKED],
      ]),
    );
    const tokens = await context.manager.completeMfa(key, { mfaToken, otp });
    log.fields('← 200 token response', tokenResponseFields(context.tokenClient.lastAnswer()));

    log.line('signing in again: the new authenticator is asked for');
    const next = await expectMfaRequired(context, log, account);
    expectThat(
      next.requirements?.challenge.includes('otp') === true,
      'the next sign-in does not ask for the enrolled authenticator app',
    );
    const confirmed = await listAuthenticators(context, log, next.mfaToken);
    expectThat(
      confirmed.some((entry) => entry.authenticatorType === 'otp' && entry.active),
      'the authenticator app is not active after its first code',
    );

    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private-scoped', apiFetch, tokens.accessToken);
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};

/** `GET /mfa/authenticators` with the `mfa_token`, shown one authenticator a line, as Auth0 answers. */
async function listAuthenticators(
  context: DemoContext,
  log: StepLog,
  mfaToken: string,
): Promise<MfaAuthenticator[]> {
  log.line(`→ GET ${mfaApiUrl(context, 'authenticators')}  ${bearer(mfaToken)}`);
  const authenticators = await context.tokenClient.mfaAuthenticators({ token: mfaToken });
  log.line(`← 200 ${authenticators.length} authenticator${authenticators.length === 1 ? '' : 's'}`);
  for (const entry of authenticators) {
    const answered = {
      id: entry.id,
      authenticator_type: entry.authenticatorType,
      active: entry.active,
      ...(entry.oobChannel === undefined ? {} : { oob_channel: entry.oobChannel }),
      ...(entry.name === undefined ? {} : { name: entry.name }),
    };
    log.line(`    ${JSON.stringify(answered)}`);
  }
  return authenticators;
}

/** The MFA API's `Authorization` header as shown: the `mfa_token` shortened. */
function bearer(mfaToken: string): string {
  return `Authorization: Bearer ${shortenToken(mfaToken)}`;
}
