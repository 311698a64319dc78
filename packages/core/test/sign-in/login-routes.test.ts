import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { createLoginRoutes, type LoginSession } from '../../src/adapter.js';
import {
  LOGIN_OUTCOME_STATUS,
  MemoryTokenStore,
  ReauthenticationRequiredError,
  TokenClient,
  TokenManager,
  type LoginOptions,
  type ManagedTokenSet,
  type TokenStore,
} from '../../src/index.js';
import { readLoginCredentials } from '../../src/sign-in/login-form.js';
import { SECRETS, TUTORIAL, totp, useMockServer } from '../client/support.js';
import { FakeSession } from './fake-session.js';

const mock = useMockServer();

const tutorialClient = () =>
  new TokenClient({
    issuer: mock.server.issuer,
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
  });

function routes(options: Partial<LoginOptions> = {}) {
  const merged: unknown = { client: tutorialClient(), ...options };
  return createLoginRoutes(merged as LoginOptions);
}

const PASSWORD_BODY = { username: TUTORIAL.username, password: TUTORIAL.password };
const MFA_BODY = { username: 'mfa@example.com', password: 'mfa-pwd' };
const otpNow = async () => totp(SECRETS.mfaTotp, await mock.server.control.now());

async function tokenRequests() {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/token');
}
async function revocations() {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/revoke');
}

describe('the sign-in engine: sessions', () => {
  it('signs in, files the tokens under a new key and renews the session id', async () => {
    const engine = routes();
    const session = new FakeSession();
    const { answer, result } = await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    expect(result).toEqual({ status: 'signed_in' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"status":"signed_in"}');
    expect(session.ids).toHaveLength(2);
    const key = session.readKey();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await engine.accessToken(session, undefined)).toEqual(expect.any(String));
  });

  it('logout revokes the refresh token, forgets the tokens, and renews the session id', async () => {
    const engine = routes();
    const session = new FakeSession();
    await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    const key = session.readKey() ?? '';
    const { answer, result } = await engine.logout({ ip: undefined, session });
    expect(result).toEqual({ status: 'signed_out' });
    expect(answer).toEqual({ status: 204, headers: { 'cache-control': 'no-store' }, body: '' });
    expect(session.ids).toHaveLength(3);
    expect(session.readKey()).toBeUndefined();
    expect(await engine.manager.store.get(key)).toBeUndefined();
    expect(await revocations()).toHaveLength(1);
    await expect(engine.accessToken(session, undefined)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
  });

  it('a second sign-in in one session revokes the first one', async () => {
    const engine = routes();
    const session = new FakeSession();
    await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    const first = session.readKey() ?? '';
    await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    expect(session.readKey()).not.toBe(first);
    expect(await engine.manager.store.get(first)).toBeUndefined();
    expect(await revocations()).toHaveLength(1);
  });

  it('a failed sign-in leaves a signed-in session as it was', async () => {
    const engine = routes();
    const session = new FakeSession();
    await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    const key = session.readKey();
    const { result } = await engine.login({
      body: { username: TUTORIAL.username, password: 'wrong' },
      ip: undefined,
      session,
    });
    expect(result).toEqual({ status: 'invalid_credentials', message: 'Wrong email or password' });
    expect(session.readKey()).toBe(key);
    expect(session.ids).toHaveLength(2);
  });

  it('logout succeeds when the revocation fails, and says so on its channel and to the logger', async () => {
    const warnings: string[] = [];
    const engine = routes({ logger: { warn: (message) => warnings.push(message) } });
    const session = new FakeSession();
    await engine.login({ body: PASSWORD_BODY, ip: undefined, session });
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    subscribe('ropkit:login:revocation-failed', listener);
    try {
      await mock.server.control.queueFault({
        endpoint: '/oauth/revoke',
        kind: 'status',
        status: 503,
      });
      const { answer } = await engine.logout({ ip: undefined, session });
      expect(answer.status).toBe(204);
    } finally {
      unsubscribe('ropkit:login:revocation-failed', listener);
    }
    expect(events).toEqual([
      { key: expect.any(String), reason: 'logout', code: expect.any(String) },
    ]);
    expect(warnings).toHaveLength(1);
    expect(session.readKey()).toBeUndefined();
  });

  it('logout of a session that never signed in renews it and sends nothing', async () => {
    const session = new FakeSession();
    const { answer } = await routes().logout({ ip: undefined, session });
    expect(answer.status).toBe(204);
    expect(session.ids).toHaveLength(2);
    expect(await revocations()).toHaveLength(0);
  });
});

describe('the sign-in engine: MFA', () => {
  it('keeps the mfa_token in the token store, never in the session or the answer', async () => {
    const engine = routes();
    const session = new FakeSession();
    const { answer, result } = await engine.login({ body: MFA_BODY, ip: undefined, session });
    // mfa_requirements of a TOTP user with recovery codes (as observed): the app only.
    expect(result).toEqual({ status: 'mfa_required', factors: ['otp'] });
    expect(answer.status).toBe(401);
    expect(answer.body).toBe('{"status":"mfa_required","factors":["otp"]}');
    expect(JSON.stringify([answer, session.data])).not.toMatch(/mfa_token|eyJ/);
    const pending = await engine.manager.store.getPendingSignIn?.(session.readKey() ?? '');
    expect(pending?.mfaToken).toEqual(expect.any(String));
    const wrong = await engine.verifyOtp({ body: { otp: '000000' }, ip: undefined, session });
    expect(wrong.result.status).toBe('invalid_otp');
    const done = await engine.verifyOtp({ body: { otp: await otpNow() }, ip: undefined, session });
    expect(done.result).toEqual({ status: 'signed_in' });
    // Renewed when the sign-in started and again when it completed.
    expect(session.ids).toHaveLength(3);
    expect(await engine.manager.store.getPendingSignIn?.(session.readKey() ?? '')).toBeUndefined();
  });

  it('an MFA step started on one instance finishes on another that shares the store', async () => {
    const store = new MemoryTokenStore();
    const first = routes({ manager: { store } });
    const second = routes({ manager: { store } });
    const session = new FakeSession();
    expect((await first.login({ body: MFA_BODY, ip: undefined, session })).result.status).toBe(
      'mfa_required',
    );
    const done = await second.verifyOtp({ body: { otp: await otpNow() }, ip: undefined, session });
    expect(done.result).toEqual({ status: 'signed_in' });
    expect(await first.accessToken(session, undefined)).toEqual(expect.any(String));
  });

  it('an expired step is refused without a request to the server', async () => {
    const engine = routes({ mfaStepTtlMs: 1 });
    const session = new FakeSession();
    await engine.login({ body: MFA_BODY, ip: undefined, session });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = (await tokenRequests()).length;
    const { result } = await engine.verifyOtp({
      body: { otp: await otpNow() },
      ip: undefined,
      session,
    });
    expect(result).toEqual({
      status: 'mfa_expired',
      message: 'The sign-in step expired: sign in again',
    });
    expect(await tokenRequests()).toHaveLength(before);
  });

  it('refuses an OTP for a session without a step, and a malformed OTP, without a request', async () => {
    const engine = routes();
    const none = await engine.verifyOtp({
      body: { otp: '123456' },
      ip: undefined,
      session: new FakeSession(),
    });
    expect(none.result.status).toBe('mfa_expired');
    const session = new FakeSession();
    await engine.login({ body: MFA_BODY, ip: undefined, session });
    const before = (await tokenRequests()).length;
    for (const otp of ['12345', 'abcdef', '123456789', 123_456]) {
      const { result } = await engine.verifyOtp({ body: { otp }, ip: undefined, session });
      expect(result).toEqual({
        status: 'invalid_otp',
        message: 'Enter the code from your authenticator app',
      });
    }
    expect(await tokenRequests()).toHaveLength(before);
  });
});

describe('the sign-in engine: requests it does not send', () => {
  it.each([undefined, null, 'text', {}, { username: 'a' }, { password: 'b' }])(
    'answers a body without credentials (%j) 400 and sends nothing',
    async (body) => {
      const session = new FakeSession();
      const { answer, result } = await routes().login({ body, ip: undefined, session });
      expect(answer.status).toBe(400);
      expect(result.status).toBe('invalid_request');
      expect(await tokenRequests()).toHaveLength(0);
      expect(session.ids).toHaveLength(1);
    },
  );
});

describe('the sign-in engine: outcomes a login form needs', () => {
  it('reports a blocked user, and an unreachable server as unavailable', async () => {
    const engine = routes();
    const blocked = await engine.login({
      body: { username: 'blocked@example.com', password: 'blocked-pwd' },
      ip: undefined,
      session: new FakeSession(),
    });
    expect(blocked.result.status).toBe('blocked');
    expect(blocked.answer.status).toBe(LOGIN_OUTCOME_STATUS.blocked);
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'drop' });
    const down = await engine.login({
      body: PASSWORD_BODY,
      ip: undefined,
      session: new FakeSession(),
    });
    expect(down.result.status).toBe('unavailable');
    expect(down.answer.status).toBe(503);
  });

  it('forwards the user IP when configured, so one attacker cannot lock everyone out', async () => {
    const engine = createLoginRoutes({
      client: new TokenClient({
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: 'trusted-backend',
        clientSecret: 'trusted-secret',
        audience: TUTORIAL.audience,
      }),
      forwardUserIp: true,
    });
    const attempt = (password: string, ip: string) =>
      engine.login({
        body: { username: TUTORIAL.username, password },
        ip,
        session: new FakeSession(),
      });
    for (let i = 0; i < 10; i++) await attempt('wrong', '::ffff:198.51.100.9');
    expect((await attempt(TUTORIAL.password, '198.51.100.9')).result.status).toBe(
      'too_many_attempts',
    );
    expect((await attempt(TUTORIAL.password, '203.0.113.5')).result.status).toBe('signed_in');
    const forwarded = (await tokenRequests()).map((entry) => entry.forwardedFor);
    expect(forwarded).toContain('198.51.100.9');
  });
});

describe('the sign-in engine: options', () => {
  it('refuses an unknown option, naming it and the caller', () => {
    expect(() =>
      createLoginRoutes(
        { client: tutorialClient(), forwardUserIP: true } as LoginOptions,
        'passwordLogin()',
      ),
    ).toThrow(new TypeError('Unknown passwordLogin() option "forwardUserIP"'));
  });

  it.each<[string, Record<string, unknown>]>([
    ['"realm" must be a non-empty string', { realm: '' }],
    ['"forwardUserIp" must be a boolean', { forwardUserIp: 'yes' }],
    ['"mfaStepTtlMs" must be a positive number of milliseconds', { mfaStepTtlMs: 0 }],
    ['"logger" must be an object with debug, info and warn methods', { logger: 'console' }],
  ])('refuses an invalid option: %s', (message, options) => {
    expect(() => routes(options)).toThrow(new TypeError(message));
  });

  it('refuses a token store that cannot keep a pending MFA step, naming the fix', () => {
    const tokensOnly: TokenStore = {
      get: () => Promise.resolve(undefined as ManagedTokenSet | undefined),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    };
    expect(() =>
      routes({
        manager: new TokenManager({ client: tutorialClient(), store: tokensOnly }),
        client: undefined,
      }),
    ).toThrow(/must keep pending sign-ins .*MemoryTokenStore and @ropkit\/redis do/);
  });
});

describe('readLoginCredentials', () => {
  it('reads username or email, password and realm', () => {
    expect(readLoginCredentials({ username: 'a', password: 'b' })).toEqual({
      username: 'a',
      password: 'b',
    });
    expect(readLoginCredentials({ email: 'a', password: 'b', realm: 'employees' })).toEqual({
      username: 'a',
      password: 'b',
      realm: 'employees',
    });
  });

  it.each([
    undefined,
    null,
    'x',
    {},
    { username: 'a' },
    { username: ['a'], password: 'b' },
    { username: 'a', password: '' },
    { username: 'a', password: 'b', realm: 5 },
  ])('refuses %j', (body) => {
    expect(readLoginCredentials(body)).toBeUndefined();
  });
});

describe('the sign-in engine: a session that cannot be renewed', () => {
  it('undoes the sign-in (revokes its refresh token) and passes the error on', async () => {
    const engine = routes();
    const broken: LoginSession = {
      readKey: () => undefined,
      adoptKey: () => Promise.reject(new Error('the session store is down')),
      clear: () => Promise.resolve(),
    };
    await expect(
      engine.login({ body: PASSWORD_BODY, ip: undefined, session: broken }),
    ).rejects.toThrow('the session store is down');
    expect(await revocations()).toHaveLength(1);
  });

  it('refuses options that are not an object, naming the caller', () => {
    expect(() =>
      createLoginRoutes(undefined as unknown as LoginOptions, 'passwordLogin()'),
    ).toThrow(new TypeError('passwordLogin() options must be an object'));
  });
});
