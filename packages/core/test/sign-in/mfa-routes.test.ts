import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLoginRoutes, type LoginAnswer, type LoginRoutes } from '../../src/adapter.js';
import {
  LOGIN_ROUTES,
  MemoryTokenStore,
  SecretText,
  TokenClient,
  type LoginOptions,
  type PendingSignIn,
} from '../../src/index.js';
import { hostileClient, useHostileServer } from '../client/hostile-server.js';
import { lastCode, MFA_USERS, mfaTestTenant } from '../client/mfa-tenant.js';
import { TUTORIAL, totp, tutorialClient, useMockServer } from '../client/support.js';
import { FakeSession } from './fake-session.js';

// The sign-in engine's second-factor routes against the mock server: every route, outcome and
// policy, with the engine's clock and the mock's moved together where time matters.
const mock = useMockServer(mfaTestTenant());
const hostile = useHostileServer();
const { every, enrol, phone } = MFA_USERS;
const TOTP_USER = { email: 'mfa@example.com', password: 'mfa-pwd' };

/** The engine's clock: moved by `tick`, with the mock's frozen clock. */
let now = 0;
/** How far `tick` moved the mock's clock (reset with the mock before each test). */
let mockAheadMs = 0;
beforeEach(() => {
  now = Date.now();
  mockAheadMs = 0;
});
async function tick(seconds: number, mockSeconds = seconds): Promise<void> {
  now += seconds * 1000;
  mockAheadMs += mockSeconds * 1000;
  if (mockSeconds > 0) await mock.server.control.advanceClock(mockSeconds);
}

/**
 * The token client's clock: the mock's time (real time plus what `tick` moved it), as a client's
 * clock agrees with its authorization server's; ID tokens are validated against it.
 */
const mockTime = () => Date.now() + mockAheadMs;

function engine(options: Partial<LoginOptions> = {}): LoginRoutes {
  const merged: unknown = {
    client: tutorialClient(mock.server, { clock: mockTime }),
    clock: () => now,
    ...options,
  };
  return createLoginRoutes(merged as LoginOptions);
}

/** A session signed in with the password of `user`, waiting for its second factor. */
async function started(
  routes: LoginRoutes,
  user: { email: string; password: string },
  session = new FakeSession(),
) {
  const first = await routes.login({
    body: { username: user.email, password: user.password },
    ip: undefined,
    session,
  });
  return { session, first };
}

const call = (
  routes: LoginRoutes,
  route: (typeof LOGIN_ROUTES)[number],
  session: FakeSession,
  body: unknown = {},
  ip?: string,
): Promise<LoginAnswer> => routes[route]({ body, ip, session });

async function requests(path: string, grant?: string) {
  return (await mock.server.control.requests()).filter(
    (entry) => entry.path === path && (grant === undefined || entry.grantType?.endsWith(grant)),
  );
}

async function pendingOf(routes: LoginRoutes, session: FakeSession) {
  return routes.manager.store.getPendingSignIn?.(session.readKey() ?? '');
}

/** The outcome's status, HTTP status and parsed body. */
function seen({ answer, result }: LoginAnswer) {
  return {
    status: result.status,
    http: answer.status,
    body: answer.body === '' ? undefined : (JSON.parse(answer.body) as Record<string, unknown>),
  };
}

describe('POST /login: mfa_required with the factors the user can use', () => {
  it("lists them in the routes' names, keeps the step server-side, and holds no token", async () => {
    const routes = engine();
    const { session, first } = await started(routes, every);
    expect(seen(first)).toEqual({
      status: 'mfa_required',
      http: 401,
      body: { status: 'mfa_required', factors: ['otp', 'push', 'sms', 'voice', 'email'] },
    });
    expect(first.answer.headers['cache-control']).toBe('no-store');
    const step = await pendingOf(routes, session);
    expect(step).toMatchObject({
      mode: 'challenge',
      factors: ['otp', 'push', 'sms', 'voice', 'email'],
    });
    expect(first.answer.body + JSON.stringify(session.data)).not.toContain(step?.mfaToken);
    // "phone" is SMS or voice: a phone user is offered both.
    expect((await started(routes, phone)).first.result).toEqual({
      status: 'mfa_required',
      factors: ['sms', 'voice'],
    });
  });

  it('a user with nothing enrolled: mfa_enrollment_required with what it may set up', async () => {
    const { first } = await started(engine(), enrol);
    expect(seen(first)).toEqual({
      status: 'mfa_enrollment_required',
      http: 401,
      body: {
        status: 'mfa_enrollment_required',
        message: 'Set up a second factor to finish signing in',
        factors: ['otp', 'push', 'sms', 'voice', 'email'],
      },
    });
  });

  it("without mfa_requirements, reads the user's authenticators with the mfa_token (Auth0's guide)", async () => {
    const routes = createLoginRoutes({ client: hostileClient(hostile.server) });
    hostile.server.queue(
      { status: 403, body: { error: 'mfa_required', mfa_token: 'hostile-mfa-token-1' } },
      {
        status: 200,
        body: [
          { id: 'recovery-code|dev_1', authenticator_type: 'recovery-code', active: true },
          { id: 'totp|dev_2', authenticator_type: 'otp', active: true },
          { id: 'email|dev_3', authenticator_type: 'oob', oob_channel: 'email', active: false },
          { id: 'sms|dev_4', authenticator_type: 'oob', oob_channel: 'sms', active: true },
        ],
      },
    );
    const { first } = await started(routes, every);
    expect(first.result).toEqual({
      status: 'mfa_required',
      factors: ['otp', 'sms', 'recovery-code'],
    });
    const listing = hostile.server.requests[1];
    expect([listing?.method, listing?.path, listing?.authorization]).toEqual([
      'GET',
      '/mfa/authenticators',
      'Bearer hostile-mfa-token-1',
    ]);
    hostile.server.queue(
      { status: 403, body: { error: 'mfa_required', mfa_token: 'hostile-mfa-token-2' } },
      { status: 200, body: [] },
    );
    expect((await started(routes, every)).first.result.status).toBe('mfa_enrollment_required');
  });
});

describe('POST /login/challenge and /login/oob: a code by SMS, voice or email', () => {
  it.each([
    ['sms', 'We sent a code by text message: enter it'],
    ['voice', 'We are calling you with a code: enter it'],
    ['email', 'We sent a code by email: enter it'],
  ] as const)('%s: code_sent, then the code signs in', async (factor, message) => {
    const routes = engine();
    const { session } = await started(routes, every);
    const sent = await call(routes, 'challenge', session, { factor });
    expect(seen(sent)).toEqual({
      status: 'code_sent',
      http: 200,
      body: { status: 'code_sent', message, factor },
    });
    const step = await pendingOf(routes, session);
    expect(step?.oob).toEqual({ oobCode: expect.any(String), factor });
    expect(sent.answer.body).not.toContain(step?.oob?.oobCode);
    const done = await call(routes, 'verifyOob', session, {
      binding_code: await lastCode(mock.server, every.email),
    });
    expect(seen(done)).toEqual({ status: 'signed_in', http: 200, body: { status: 'signed_in' } });
    // A new session id when the sign-in started, and again when it completed.
    expect(session.ids).toHaveLength(3);
    expect(await pendingOf(routes, session)).toBeUndefined();
    expect(await routes.accessToken(session, undefined)).toEqual(expect.any(String));
  });

  it('a wrong code is invalid_otp and the step stays open for the right one', async () => {
    const routes = engine();
    const { session } = await started(routes, phone);
    await call(routes, 'challenge', session, { factor: 'sms' });
    const code = await lastCode(mock.server, phone.email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(seen(await call(routes, 'verifyOob', session, { binding_code: wrong }))).toEqual({
      status: 'invalid_otp',
      http: 401,
      body: { status: 'invalid_otp', message: 'The code is not valid' },
    });
    expect((await call(routes, 'verifyOob', session, { binding_code: code })).result.status).toBe(
      'signed_in',
    );
  });

  it('an authenticator_id picks that authenticator', async () => {
    const routes = engine();
    const { session } = await started(routes, every);
    const step = await pendingOf(routes, session);
    const [voice] = (
      await routes.manager.client.mfaAuthenticators({ token: step?.mfaToken ?? '' })
    ).filter((entry) => entry.oobChannel === 'voice');
    const sent = await call(routes, 'challenge', session, {
      factor: 'voice',
      authenticator_id: voice?.id,
    });
    expect(sent.result.status).toBe('code_sent');
    const [message] = await mock.server.control.mfaMessages(TUTORIAL.connection, every.email);
    expect(message?.to).toBe(every.voice);
  });

  it('a factor the step did not offer is factor_unavailable, without a request', async () => {
    const routes = engine();
    const { session } = await started(routes, phone);
    expect(seen(await call(routes, 'challenge', session, { factor: 'email' }))).toEqual({
      status: 'factor_unavailable',
      http: 400,
      body: {
        status: 'factor_unavailable',
        message: 'This sign-in method is not set up for your account',
      },
    });
    expect(await requests('/mfa/challenge')).toHaveLength(0);
    // Offered ("phone"), but Auth0 has no voice authenticator for this user.
    expect((await call(routes, 'challenge', session, { factor: 'voice' })).result.status).toBe(
      'factor_unavailable',
    );
    expect(await requests('/mfa/challenge')).toHaveLength(1);
    expect((await call(routes, 'verifyOtp', session, { otp: '123456' })).result.status).toBe(
      'factor_unavailable',
    );
  });

  it.each<[string, unknown]>([
    ['no factor', {}],
    ['an unknown factor', { factor: 'fax' }],
    ['otp (nothing to send)', { factor: 'otp' }],
    ['a malformed authenticator_id', { factor: 'sms', authenticator_id: 'sms|dev 1<script>' }],
  ])('answers %s invalid_request without a request', async (_, body) => {
    const routes = engine();
    const { session } = await started(routes, every);
    expect(seen(await call(routes, 'challenge', session, body))).toEqual({
      status: 'invalid_request',
      http: 400,
      body: {
        status: 'invalid_request',
        message: 'Choose how to receive the code: sms, voice, email or push',
      },
    });
    expect(await requests('/mfa/challenge')).toHaveLength(0);
  });

  it('a code without a code sent, or a malformed one, is answered without a request', async () => {
    const routes = engine();
    const { session } = await started(routes, phone);
    expect(seen(await call(routes, 'verifyOob', session, { binding_code: '123456' }))).toEqual({
      status: 'invalid_request',
      http: 400,
      body: { status: 'invalid_request', message: 'Ask for a code first' },
    });
    await call(routes, 'challenge', session, { factor: 'sms' });
    for (const binding_code of ['', '12', 'abcdef', '12345678901', 123_456]) {
      const { result } = await call(routes, 'verifyOob', session, { binding_code });
      expect(result).toEqual({ status: 'invalid_otp', message: 'Enter the code we sent you' });
    }
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(0);
  });

  it('an expired code: challenge_expired, and a new code still signs in', async () => {
    await mock.server.control.freezeClock();
    const routes = engine();
    const { session } = await started(routes, phone);
    await call(routes, 'challenge', session, { factor: 'sms' });
    const stale = await lastCode(mock.server, phone.email);
    await tick(300);
    expect(seen(await call(routes, 'verifyOob', session, { binding_code: stale }))).toEqual({
      status: 'challenge_expired',
      http: 401,
      body: {
        status: 'challenge_expired',
        message: 'The code or notification expired: ask for a new one',
      },
    });
    expect((await pendingOf(routes, session))?.oob).toBeUndefined();
    await call(routes, 'challenge', session, { factor: 'sms' });
    const fresh = await lastCode(mock.server, phone.email);
    expect((await call(routes, 'verifyOob', session, { binding_code: fresh })).result.status).toBe(
      'signed_in',
    );
  });
});

async function pushStarted(routes: LoginRoutes, session?: FakeSession) {
  await mock.server.control.freezeClock();
  const begun = await started(routes, every, session);
  const sent = await call(routes, 'challenge', begun.session, { factor: 'push' });
  return { ...begun, sent };
}

describe('POST /login/push: polling that honours the interval whatever the browser does', () => {
  it('push_pending 202 with Retry-After, then signed_in once approved', async () => {
    const routes = engine();
    const { session, sent } = await pushStarted(routes);
    expect(seen(sent)).toEqual({
      status: 'push_pending',
      http: 202,
      body: {
        status: 'push_pending',
        message: 'Approve the sign-in on your device',
        retryAfter: 5,
      },
    });
    expect(sent.answer.headers).toMatchObject({ 'retry-after': '5', 'cache-control': 'no-store' });
    await tick(5);
    const pending = await call(routes, 'pollPush', session);
    expect([pending.result.status, pending.answer.status]).toEqual(['push_pending', 202]);
    await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    await tick(5);
    const done = await call(routes, 'pollPush', session);
    expect(seen(done)).toEqual({ status: 'signed_in', http: 200, body: { status: 'signed_in' } });
    expect(session.ids).toHaveLength(3);
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(2);
  });

  it('sooner than the interval, and concurrently, nothing reaches Auth0', async () => {
    const routes = engine();
    const { session } = await pushStarted(routes);
    // A browser that polls every second: told the seconds left, and Auth0 is not asked.
    for (const left of [5, 4, 3, 2, 1]) {
      const early = await call(routes, 'pollPush', session);
      expect([early.result.status, early.answer.headers['retry-after']]).toEqual([
        'push_pending',
        String(left),
      ]);
      await tick(1);
    }
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(0);
    // Ten polls at once, once due: one request.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call(routes, 'pollPush', session)),
    );
    expect(answers.every(({ result }) => result.status === 'push_pending')).toBe(true);
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(1);
  });

  it('slow_down: the interval grows by 5 seconds and the engine waits it out', async () => {
    const routes = engine();
    const { session } = await pushStarted(routes);
    await tick(5);
    await call(routes, 'pollPush', session);
    // The engine's 5 s are 3 s for the mock: it answers slow_down.
    await tick(5, 3);
    const slowed = await call(routes, 'pollPush', session);
    expect([slowed.result.status, slowed.answer.headers['retry-after']]).toEqual([
      'push_pending',
      '10',
    ]);
    expect((await pendingOf(routes, session))?.oob?.intervalSeconds).toBe(10);
    await tick(9);
    await call(routes, 'pollPush', session);
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(2);
    await tick(1, 7);
    await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    expect((await call(routes, 'pollPush', session)).result.status).toBe('signed_in');
  });

  it('denied on the device: push_denied, and another factor may still be tried', async () => {
    const routes = engine();
    const { session } = await pushStarted(routes);
    await mock.server.control.denyPush(TUTORIAL.connection, every.email);
    await tick(5);
    expect(seen(await call(routes, 'pollPush', session))).toEqual({
      status: 'push_denied',
      http: 403,
      body: { status: 'push_denied', message: 'The sign-in was denied on your device' },
    });
    expect(seen(await call(routes, 'pollPush', session)).body).toEqual({
      status: 'invalid_request',
      message: 'Ask for a push notification first',
    });
    const otp = totp(every.totpSecret, await mock.server.control.now());
    expect((await call(routes, 'verifyOtp', session, { otp })).result.status).toBe('signed_in');
  });

  it('unanswered past the oob_code lifetime: challenge_expired', async () => {
    const routes = engine();
    const { session } = await pushStarted(routes);
    await tick(300);
    expect((await call(routes, 'pollPush', session)).result.status).toBe('challenge_expired');
  });
});

describe('POST /login/recovery', () => {
  it('signs in and answers the new recovery code once, no-store; the result hides it from logs', async () => {
    const routes = engine();
    const { session } = await started(routes, every);
    const done = await call(routes, 'verifyRecoveryCode', session, {
      recovery_code: every.recoveryCode,
    });
    const { result, answer } = done;
    if (result.status !== 'new_recovery_code') throw new Error(result.status);
    const code = result.recoveryCode.reveal();
    expect(code).toMatch(/^[A-Z0-9]{24}$/);
    expect(seen(done)).toEqual({
      status: 'new_recovery_code',
      http: 200,
      body: {
        status: 'new_recovery_code',
        message: 'Signed in. Save this new recovery code: the one you used no longer works',
        recoveryCode: code,
      },
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(inspect(result, { depth: 5, showHidden: true }) + JSON.stringify(result)).not.toContain(
      code,
    );
    expect(JSON.stringify(await routes.manager.store.get(session.readKey() ?? ''))).not.toContain(
      code,
    );
    expect(session.ids).toHaveLength(3);
  });

  it('a wrong code is invalid_otp; a malformed one is refused without a request', async () => {
    const routes = engine();
    const { session } = await started(routes, every);
    for (const recovery_code of ['', 'abc', 'has spaces inside', 'x'.repeat(65)]) {
      const { result } = await call(routes, 'verifyRecoveryCode', session, { recovery_code });
      expect(result).toEqual({ status: 'invalid_otp', message: 'Enter your recovery code' });
    }
    expect(await requests('/oauth/token', 'mfa-recovery-code')).toHaveLength(0);
    const wrong = await call(routes, 'verifyRecoveryCode', session, {
      recovery_code: 'NOTTHECODE00000000000000',
    });
    expect(wrong.result.status).toBe('invalid_otp');
  });
});

describe('POST /login/enroll: a first factor, confirmed by its first code', () => {
  it('otp: the QR code and secret once; the first code signs in with the first recovery code', async () => {
    const routes = engine();
    const { session } = await started(routes, enrol);
    const begun = await call(routes, 'enroll', session, { factor: 'otp' });
    const { result } = begun;
    if (result.status !== 'enrollment_started' || result.factor !== 'otp') throw new Error();
    const secret = result.secret.reveal();
    expect(seen(begun)).toEqual({
      status: 'enrollment_started',
      http: 200,
      body: {
        status: 'enrollment_started',
        message: 'Scan the QR code with your authenticator app, then enter the code it shows',
        factor: 'otp',
        barcodeUri: expect.stringMatching(new RegExp(`^otpauth://totp/.*secret=${secret}`)),
        secret,
      },
    });
    expect(inspect(result) + JSON.stringify(result)).not.toContain(secret);
    const step = await pendingOf(routes, session);
    expect(step?.enrolment).toEqual({ factor: 'otp', recoveryCode: expect.any(String) });
    const otp = totp(secret, await mock.server.control.now());
    const done = await call(routes, 'verifyOtp', session, { otp });
    expect(done.result).toEqual({
      status: 'new_recovery_code',
      message: 'Signed in. Save this recovery code: it signs you in if you lose your device',
      recoveryCode: expect.any(SecretText),
    });
    expect(seen(done).body?.['recoveryCode']).toBe(step?.enrolment?.recoveryCode);
    expect(session.ids).toHaveLength(3);
  });

  it('sms: code_sent to the number, and /login/oob confirms it', async () => {
    const routes = engine();
    const { session } = await started(routes, enrol);
    const sent = await call(routes, 'enroll', session, {
      factor: 'sms',
      phone_number: '+15555550123',
    });
    expect(sent.result).toMatchObject({ status: 'code_sent', factor: 'sms' });
    const [message] = await mock.server.control.mfaMessages(TUTORIAL.connection, enrol.email);
    expect(message).toMatchObject({ to: '+15555550123', purpose: 'enrolment' });
    const done = await call(routes, 'verifyOob', session, { binding_code: message?.code });
    expect(done.result.status).toBe('new_recovery_code');
  });

  it('push: the Guardian QR code with Retry-After, then /login/push once approved', async () => {
    await mock.server.control.freezeClock();
    const routes = engine();
    const { session } = await started(routes, enrol);
    const begun = await call(routes, 'enroll', session, { factor: 'push' });
    expect(seen(begun)).toMatchObject({
      status: 'enrollment_started',
      http: 200,
      body: {
        factor: 'push',
        retryAfter: 5,
        barcodeUri: expect.stringContaining('enrollment_tx_id'),
      },
    });
    expect(begun.answer.headers['retry-after']).toBe('5');
    await mock.server.control.approvePush(TUTORIAL.connection, enrol.email);
    await tick(5);
    expect((await call(routes, 'pollPush', session)).result.status).toBe('new_recovery_code');
  });

  it.each<[string, unknown, string]>([
    ['no factor', {}, 'Choose what to set up: otp, sms, voice, email or push'],
    [
      'a recovery code',
      { factor: 'recovery-code' },
      'Choose what to set up: otp, sms, voice, email or push',
    ],
    [
      'sms without a number',
      { factor: 'sms' },
      'Enter your phone number with its country code, such as +15555550100',
    ],
    [
      'voice with a local number',
      { factor: 'voice', phone_number: '555 0100' },
      'Enter your phone number with its country code, such as +15555550100',
    ],
    ['email with no address', { factor: 'email', email: 'nobody' }, 'Enter an email address'],
  ])('answers %s invalid_request without a request', async (_, body, message) => {
    const routes = engine();
    const { session } = await started(routes, enrol);
    expect((await call(routes, 'enroll', session, body)).result).toEqual({
      status: 'invalid_request',
      message,
    });
    expect(await requests('/mfa/associate')).toHaveLength(0);
  });

  it('steps out of order are refused without a request', async () => {
    const routes = engine();
    const { session } = await started(routes, enrol);
    const first = 'Set up a second factor first to finish signing in';
    expect((await call(routes, 'verifyOtp', session, { otp: '123456' })).result).toEqual({
      status: 'factor_unavailable',
      message: first,
    });
    expect((await call(routes, 'challenge', session, { factor: 'sms' })).result).toEqual({
      status: 'factor_unavailable',
      message: first,
    });
    expect(
      (await call(routes, 'verifyRecoveryCode', session, { recovery_code: 'ABCDEFGH' })).result,
    ).toEqual({ status: 'factor_unavailable', message: first });
    const enrolled = await started(routes, every);
    expect((await call(routes, 'enroll', enrolled.session, { factor: 'otp' })).result).toEqual({
      status: 'factor_unavailable',
      message: 'You already have a second factor: use it to sign in',
    });
    expect(await requests('/mfa/associate')).toHaveLength(0);
    expect(await requests('/mfa/challenge')).toHaveLength(0);
    expect(await requests('/oauth/token', 'mfa-otp')).toHaveLength(0);
  });
});

describe('the MFA step: lifetime, sessions and secrets', () => {
  it.each(LOGIN_ROUTES.filter((route) => !['login', 'logout'].includes(route)))(
    '%s without a step (or after it expired) is mfa_expired, without a request',
    async (route) => {
      const routes = engine({ mfaStepTtlMs: 60_000 });
      const bodies: Record<string, unknown> = {
        verifyOtp: { otp: '123456' },
        challenge: { factor: 'sms' },
        verifyOob: { binding_code: '123456' },
        verifyRecoveryCode: { recovery_code: 'ABCDEFGH' },
        enroll: { factor: 'otp' },
      };
      const expired = { status: 'mfa_expired', message: 'The sign-in step expired: sign in again' };
      expect((await call(routes, route, new FakeSession(), bodies[route])).result).toEqual(expired);
      const { session } = await started(routes, every);
      await tick(60, 0);
      const before = (await mock.server.control.requests()).length;
      expect((await call(routes, route, session, bodies[route])).result).toEqual(expired);
      expect(await mock.server.control.requests()).toHaveLength(before);
    },
  );

  it('the step lives mfaStepTtlMs from the password, whatever steps it goes through', async () => {
    const routes = engine({ mfaStepTtlMs: 120_000 });
    const { session } = await started(routes, phone);
    await tick(100, 0);
    expect((await call(routes, 'challenge', session, { factor: 'sms' })).result.status).toBe(
      'code_sent',
    );
    await tick(20, 0);
    const code = await lastCode(mock.server, phone.email);
    expect((await call(routes, 'verifyOob', session, { binding_code: code })).result.status).toBe(
      'mfa_expired',
    );
  });

  it('forwards the user IP on the MFA grants when configured', async () => {
    const routes = engine({
      client: new TokenClient({
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: 'trusted-backend',
        clientSecret: 'trusted-secret',
        audience: TUTORIAL.audience,
      }),
      forwardUserIp: true,
    });
    const { session } = await started(routes, TOTP_USER);
    const otp = totp('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', await mock.server.control.now());
    await call(routes, 'verifyOtp', session, { otp }, '::ffff:198.51.100.7');
    const [grant] = await requests('/oauth/token', 'mfa-otp');
    expect(grant?.forwardedFor).toBe('198.51.100.7');
  });

  it('no answer, session or result holds the mfa_token or an oob_code', async () => {
    const routes = engine();
    const { session, first } = await started(routes, every);
    const answers: LoginAnswer[] = [first];
    answers.push(await call(routes, 'challenge', session, { factor: 'sms' }));
    const step: PendingSignIn | undefined = await pendingOf(routes, session);
    answers.push(await call(routes, 'verifyOob', session, { binding_code: '000000' }));
    answers.push(await call(routes, 'challenge', session, { factor: 'push' }));
    const push: PendingSignIn | undefined = await pendingOf(routes, session);
    const shown = JSON.stringify([
      answers.map(({ answer }) => answer),
      answers.map(({ result }) => inspect(result, { depth: 5 })),
      session.data,
    ]);
    for (const secret of [step?.mfaToken, step?.oob?.oobCode, push?.oob?.oobCode]) {
      expect(secret).toEqual(expect.any(String));
      expect(shown).not.toContain(secret);
    }
  });

  it('the engine has a route for each name of LOGIN_ROUTES', () => {
    const routes = engine();
    for (const route of LOGIN_ROUTES) expect(typeof routes[route]).toBe('function');
  });
});

describe('across instances sharing a token store', () => {
  it('an OOB code sent by one instance is checked by another', async () => {
    const store = new MemoryTokenStore();
    const [first, second] = [engine({ manager: { store } }), engine({ manager: { store } })];
    const { session } = await started(first, phone);
    expect((await call(first, 'challenge', session, { factor: 'sms' })).result.status).toBe(
      'code_sent',
    );
    const code = await lastCode(mock.server, phone.email);
    expect((await call(second, 'verifyOob', session, { binding_code: code })).result.status).toBe(
      'signed_in',
    );
    expect(await first.accessToken(session, undefined)).toEqual(expect.any(String));
  });

  it('a push started on one instance is polled by the others, one request per interval', async () => {
    await mock.server.control.freezeClock();
    const store = new MemoryTokenStore();
    const instances = [1, 2, 3].map(() => engine({ manager: { store } }));
    const [first, second, third] = instances as [LoginRoutes, LoginRoutes, LoginRoutes];
    const { session } = await started(first, every);
    await call(first, 'challenge', session, { factor: 'push' });
    expect((await call(second, 'pollPush', session)).answer.headers['retry-after']).toBe('5');
    await tick(5);
    const polls = await Promise.all(instances.map((routes) => call(routes, 'pollPush', session)));
    expect(polls.map(({ result }) => result.status)).toEqual([
      'push_pending',
      'push_pending',
      'push_pending',
    ]);
    expect(await requests('/oauth/token', 'mfa-oob')).toHaveLength(1);
    await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    await tick(5);
    expect((await call(third, 'pollPush', session)).result.status).toBe('signed_in');
    expect(await second.accessToken(session, undefined)).toEqual(expect.any(String));
  });
});
