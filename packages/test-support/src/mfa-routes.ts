import { GrantType, totpCodeForSecret, type MockServer } from '@ropkit/mock-server';
import { expect } from 'vitest';
import type { Browser } from './browser.ts';
import { TUTORIAL, USERS } from './tenant.ts';

/** The phone the MFA user gets by {@link enableMfaSms}. */
export const MFA_PHONE = '+15555550100';

/**
 * Lets the tutorial client use every MFA grant (Auth0's "MFA" grant types) and gives the MFA user
 * an SMS phone beside its app and recovery code, through the control API (undone by the reset
 * before the next test).
 */
export async function enableMfaSms(server: MockServer): Promise<void> {
  await server.control.setClient({
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    grantTypes: [
      GrantType.password,
      GrantType.refreshToken,
      GrantType.mfaOtp,
      GrantType.mfaOob,
      GrantType.mfaRecoveryCode,
    ],
  });
  await server.control.enrolAuthenticator(TUTORIAL.connection, USERS.mfa.email, {
    type: 'sms',
    phoneNumber: MFA_PHONE,
  });
}

/** One answer of a login route: its status, its JSON body and the headers every one carries. */
async function expectAnswer(
  response: Response,
  status: number,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const json: unknown = await response.json();
  expect({ status: response.status, body: json }).toEqual({ status, body });
  return typeof json === 'object' && json !== null ? Object.fromEntries(Object.entries(json)) : {};
}

/**
 * Calls every login route of an app that mounts them at `LOGIN_ROUTE_PATHS` (after
 * {@link enableMfaSms}) and checks each answers: the password, then a code by SMS, a recovery
 * code, an app code, the refusals of steps that do not apply, and logout.
 */
export async function callEveryLoginRoute(server: MockServer, browser: Browser): Promise<void> {
  const password = { username: USERS.mfa.email, password: USERS.mfa.password };
  await expectAnswer(await browser.postJson('/login', password), 401, {
    status: 'mfa_required',
    factors: ['otp', 'sms', 'voice'],
  });
  await expectAnswer(await browser.postJson('/login/push', {}), 400, {
    status: 'invalid_request',
    message: 'Ask for a push notification first',
  });
  await expectAnswer(await browser.postJson('/login/enroll', { factor: 'otp' }), 400, {
    status: 'factor_unavailable',
    message: 'You already have a second factor: use it to sign in',
  });
  await expectAnswer(await browser.postForm('/login/challenge', { factor: 'sms' }), 200, {
    status: 'code_sent',
    message: 'We sent a code by text message: enter it',
    factor: 'sms',
  });
  const messages = await server.control.mfaMessages(TUTORIAL.connection, USERS.mfa.email);
  const code = messages.at(-1)?.code ?? '';
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await expectAnswer(await browser.postForm('/login/oob', { binding_code: wrong }), 401, {
    status: 'invalid_otp',
    message: 'The code is not valid',
  });
  await expectAnswer(await browser.postForm('/login/oob', { binding_code: code }), 200, {
    status: 'signed_in',
  });

  await browser.postJson('/login', password);
  const recovered = await expectAnswer(
    await browser.postJson('/login/recovery', { recovery_code: USERS.mfa.recoveryCode }),
    200,
    {
      status: 'new_recovery_code',
      message: 'Signed in. Save this new recovery code: the one you used no longer works',
      recoveryCode: expect.stringMatching(/^[A-Z0-9]{24}$/),
    },
  );
  expect(recovered['recoveryCode']).not.toBe(USERS.mfa.recoveryCode);

  await browser.postJson('/login', password);
  const otp = totpCodeForSecret(USERS.mfa.totpSecret, await server.control.now());
  await expectAnswer(await browser.postForm('/login/otp', { otp }), 200, { status: 'signed_in' });
  const logout = await browser.fetch('/logout', { method: 'POST' });
  expect([logout.status, logout.headers.get('cache-control')]).toEqual([204, 'no-store']);
}
