import { describe, expect, it } from 'vitest';
import {
  LOGIN_OUTCOME_STATUS,
  PasswordLogin,
  TokenClient,
  TokenManager,
  newSessionKey,
  readLoginCredentials,
} from '../../src/index.js';
import { SECRETS, TUTORIAL, totp, useMockServer } from '../client/support.js';

const mock = useMockServer();

function login(options: { forwardUserIp?: boolean } = {}) {
  const client = new TokenClient({
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: 'trusted-backend',
    clientSecret: 'trusted-secret',
    audience: TUTORIAL.audience,
  });
  return new PasswordLogin({ manager: new TokenManager({ client }), ...options });
}

function tutorialLogin() {
  const client = new TokenClient({
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
  });
  return new PasswordLogin({ manager: new TokenManager({ client }) });
}

describe('PasswordLogin: outcomes a login form needs', () => {
  it('signs in and keeps the tokens under the session key', async () => {
    const flow = tutorialLogin();
    const key = newSessionKey();
    expect(
      await flow.login(key, { username: TUTORIAL.username, password: TUTORIAL.password }),
    ).toEqual({ status: 'signed_in' });
    expect(await flow.manager.getAccessToken(key)).toEqual(expect.any(String));
  });

  it('reports wrong credentials without saying which one', async () => {
    const outcome = await tutorialLogin().login(newSessionKey(), {
      username: TUTORIAL.username,
      password: 'nope',
    });
    expect(outcome).toEqual({ status: 'invalid_credentials', message: 'Wrong email or password' });
    expect(LOGIN_OUTCOME_STATUS[outcome.status]).toBe(401);
  });

  it('reports a blocked user', async () => {
    const outcome = await tutorialLogin().login(newSessionKey(), {
      username: 'blocked@example.com',
      password: 'blocked-pwd',
    });
    expect(outcome.status).toBe('blocked');
  });

  it('keeps the MFA step server-side and finishes it with a TOTP code', async () => {
    const flow = tutorialLogin();
    const key = newSessionKey();
    const outcome = await flow.login(key, { username: 'mfa@example.com', password: 'mfa-pwd' });
    expect(outcome).toEqual({ status: 'mfa_required' });
    expect(JSON.stringify(outcome)).not.toMatch(/token/i);
    expect(flow.hasPendingMfa(key)).toBe(true);
    expect((await flow.verifyOtp(key, '000000')).status).toBe('invalid_otp');
    const otp = totp(SECRETS.mfaTotp, await mock.server.control.now());
    expect(await flow.verifyOtp(key, otp)).toEqual({ status: 'signed_in' });
    expect(flow.hasPendingMfa(key)).toBe(false);
  });

  it('refuses an OTP for a session with no MFA step', async () => {
    expect((await tutorialLogin().verifyOtp(newSessionKey(), '123456')).status).toBe('invalid_otp');
  });

  it('forwards the user IP when configured, so one attacker cannot lock everyone out', async () => {
    const flow = login({ forwardUserIp: true });
    for (let i = 0; i < 10; i++) {
      await flow.login(
        newSessionKey(),
        { username: TUTORIAL.username, password: 'wrong' },
        '::ffff:198.51.100.9',
      );
    }
    const attacker = await flow.login(
      newSessionKey(),
      { username: TUTORIAL.username, password: TUTORIAL.password },
      '198.51.100.9',
    );
    expect(attacker.status).toBe('too_many_attempts');
    const user = await flow.login(
      newSessionKey(),
      { username: TUTORIAL.username, password: TUTORIAL.password },
      '203.0.113.5',
    );
    expect(user.status).toBe('signed_in');
    const forwarded = (await mock.server.control.requests()).map((entry) => entry.forwardedFor);
    expect(forwarded).toContain('198.51.100.9');
  });

  it('reports an unreachable server as unavailable', async () => {
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'drop' });
    const outcome = await tutorialLogin().login(newSessionKey(), {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(outcome.status).toBe('unavailable');
  });

  it('logout revokes and clears the tokens', async () => {
    const flow = tutorialLogin();
    const key = newSessionKey();
    await flow.login(key, { username: TUTORIAL.username, password: TUTORIAL.password });
    await flow.logout(key);
    await expect(flow.manager.getAccessToken(key)).rejects.toThrow('No tokens are stored');
    expect(
      (await mock.server.control.requests()).some((entry) => entry.path === '/oauth/revoke'),
    ).toBe(true);
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
