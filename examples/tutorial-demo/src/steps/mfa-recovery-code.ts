import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { isConfigured } from '../demo-context.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { expectMfaRequired, expectRefusal, mfaGrantFields } from '../mfa.ts';
import { MFA_RECOVERY_CODE_GRANT, tokenResponseFields } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';

/**
 * Optional, "Configure MFA" with a recovery code (Auth0: "Authenticate Using the Resource Owner
 * Password Flow with MFA", "Challenge with a recovery code"): a user who lost their authenticator
 * sends one of their recovery codes with Auth0's `mfa-recovery-code` grant. The code is spent;
 * the answer carries a new `recovery_code`, which a real application shows the user once and
 * never logs: here it is shown masked, to prove it came. The spent code is then refused.
 */
export const mfaRecoveryCode: DemoStep = {
  id: 'mfa-recovery-code',
  title: 'Configure MFA (recovery code)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.mfaRecoveryUser))
      throw new StepSkipped(context.mfaRecoveryUser.notConfigured);
    const { account, recoveryCode } = context.mfaRecoveryUser;
    const key = `${context.sessionKey}:mfa-recovery-code`;

    const { mfaToken } = await expectMfaRequired(context, log, account);
    log.line('the user has lost their authenticator: they type a recovery code instead');
    log.fields(
      `→ POST ${context.tokenEndpoint}`,
      mfaGrantFields(context, MFA_RECOVERY_CODE_GRANT, [
        ['mfa_token', shortenToken(mfaToken)],
        ['recovery_code', MASKED],
      ]),
    );
    const signedIn = await context.manager.completeMfaRecoveryCode(key, {
      mfaToken,
      recoveryCode,
    });
    const next = signedIn.recoveryCode;
    log.fields('← 200 token response', [
      ...tokenResponseFields(context.tokenClient.lastAnswer()),
      [
        'recovery_code',
        next === undefined
          ? '(none sent)'
          : `${MASKED} (new: the app shows it to the user once, never logs it)`,
      ],
    ]);
    expectThat(
      next !== undefined,
      'no new recovery_code in the answer: Auth0 sends one in place of the code used',
    );
    expectThat(next.reveal() !== recoveryCode, 'the "new" recovery code is the one just used');

    const again = await expectMfaRequired(context, log, account);
    log.line(`→ POST ${context.tokenEndpoint} (mfa-recovery-code grant with the code just used)`);
    await expectRefusal(
      log,
      'invalid_grant',
      () => context.tokenClient.mfaRecoveryCode({ mfaToken: again.mfaToken, recoveryCode }),
      'the spent recovery code was accepted a second time',
    );

    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(
      context,
      log,
      '/api/private-scoped',
      apiFetch,
      signedIn.tokens.accessToken,
    );
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};
