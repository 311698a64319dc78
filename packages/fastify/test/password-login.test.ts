import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenClient, TokenManager } from '@ropkit/core';
import { LOGIN_OUTCOME_STATUS, fastifyRopkit, passwordLogin } from '../src/index.js';
import {
  BRUTE_FORCE_THRESHOLD,
  SECRETS,
  TUTORIAL,
  sessionCookie,
  startLoginApp,
  totp,
  useMockServer,
  type LoginAppOptions,
} from './support.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function loginApp(options: Omit<LoginAppOptions, 'clock'> = {}) {
  const { app, login } = await startLoginApp(mock.server, { clock: mock.clock, ...options });
  apps.push(app);
  return { app, login };
}

function postJson(
  app: FastifyInstance,
  url: string,
  body: Record<string, string>,
  extra: { cookies?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  return app.inject({
    method: 'POST',
    url,
    payload: body,
    ...(extra.cookies === undefined ? {} : { cookies: extra.cookies }),
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
  });
}

const USER = { username: TUTORIAL.username, password: TUTORIAL.password };
/** End users behind a proxy that sets X-Forwarded-For. */
const attacker = { 'x-forwarded-for': '203.0.113.9' };
const victim = { 'x-forwarded-for': '198.51.100.7' };

describe('POST /login: the password grant behind a form', () => {
  it('signs in from a JSON body; the session cookie holds a signed id and no token', async () => {
    const { app } = await loginApp();
    const response = await postJson(app, '/login', USER);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'signed_in' });
    expect(response.headers['cache-control']).toBe('no-store');
    const cookies = sessionCookie(response);
    const token = await app.inject({ url: '/token', cookies });
    expect(token.statusCode).toBe(200);
    const { accessToken } = token.json<{ accessToken: string }>();
    expect(accessToken.split('.')).toHaveLength(3);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).not.toContain(accessToken);
    expect(setCookie).not.toContain('eyJ');
    expect(setCookie).toMatch(/HttpOnly/i);
    // @fastify/session's cookie: "<session id>.<HMAC>", nothing else.
    expect(cookies.sessionId).toMatch(/^[\w-]+\.[\w+/=-]+$/);
  });

  it('signs in from a form body (application/x-www-form-urlencoded)', async () => {
    const { app } = await loginApp();
    const response = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        email: TUTORIAL.username,
        password: TUTORIAL.password,
      }).toString(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'signed_in' });
  });

  it('answers wrong credentials with 401 and sets no session', async () => {
    const { app } = await loginApp();
    const response = await postJson(app, '/login', { ...USER, password: 'wrong' });
    expect(response.statusCode).toBe(LOGIN_OUTCOME_STATUS.invalid_credentials);
    expect(response.json()).toEqual({
      status: 'invalid_credentials',
      message: 'Wrong email or password',
    });
    expect(response.cookies).toEqual([]);
  });

  it('answers missing fields with 400 before any grant', async () => {
    const { app } = await loginApp();
    await mock.server.control.clearRequests();
    const incomplete: Array<Record<string, string>> = [
      {},
      { username: TUTORIAL.username },
      { password: 'x' },
    ];
    for (const body of incomplete) {
      const response = await postJson(app, '/login', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        status: 'invalid_request',
        message: 'Enter your email and password',
      });
    }
    const noBody = await app.inject({ method: 'POST', url: '/login' });
    expect(noBody.statusCode).toBe(400);
    expect(await mock.server.control.requests()).toEqual([]);
  });

  it('answers a blocked user with 403 blocked', async () => {
    const { app } = await loginApp();
    const response = await postJson(app, '/login', {
      username: 'blocked@example.com',
      password: 'blocked-pwd',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ status: 'blocked', message: 'This account is blocked' });
  });

  it('answers a rate-limited grant with 429 and Retry-After', async () => {
    const { app } = await loginApp();
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 429,
      body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
      headers: { 'retry-after': '17' },
    });
    const response = await postJson(app, '/login', USER);
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('17');
    expect(response.json()).toEqual({
      status: 'rate_limited',
      message: 'Too many requests: try again later',
      retryAfter: 17,
    });
  });

  it('answers 503 unavailable when the authorization server fails', async () => {
    const { app } = await loginApp();
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'html', status: 502 });
    const response = await postJson(app, '/login', USER);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable' });
  });

  it('uses the configured realm (password-realm grant) and a realm from the body', async () => {
    const { app } = await loginApp({ realm: TUTORIAL.connection });
    expect((await postJson(app, '/login', USER)).statusCode).toBe(200);
    const unknownRealm = await postJson(app, '/login', { ...USER, realm: 'no-such-connection' });
    expect(unknownRealm.statusCode).not.toBe(200);
    const grants = (await mock.server.control.requests()).map((entry) => entry.grantType);
    expect(grants).toEqual([
      'http://auth0.com/oauth/grant-type/password-realm',
      'http://auth0.com/oauth/grant-type/password-realm',
    ]);
  });
});

describe('MFA: the mfa_token stays server-side', () => {
  it('asks for a code, refuses a wrong one, signs in with the right one', async () => {
    const { app } = await loginApp();
    const first = await postJson(app, '/login', {
      username: 'mfa@example.com',
      password: 'mfa-pwd',
    });
    expect(first.statusCode).toBe(401);
    expect(first.json()).toEqual({ status: 'mfa_required' });
    expect(first.body).not.toMatch(/token/i);
    const cookies = sessionCookie(first);
    expect((await app.inject({ url: '/token', cookies })).statusCode).toBe(401);

    const wrong = await postJson(app, '/login/otp', { otp: '000000' }, { cookies });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ status: string }>().status).toBe('invalid_otp');

    const otp = totp(SECRETS.mfaTotp, await mock.server.control.now());
    const right = await postJson(app, '/login/otp', { otp }, { cookies });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toEqual({ status: 'signed_in' });
    // The session id changed with the sign-in; the new one has the tokens.
    const signedIn = sessionCookie(right);
    expect(signedIn.sessionId).not.toBe(cookies.sessionId);
    expect((await app.inject({ url: '/token', cookies: signedIn })).statusCode).toBe(200);
    expect((await app.inject({ url: '/token', cookies })).statusCode).toBe(401);
  });

  it('refuses an OTP for a session with no MFA step', async () => {
    const { app } = await loginApp();
    const response = await postJson(app, '/login/otp', { otp: '123456' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      status: 'invalid_otp',
      message: 'The sign-in step expired: sign in again',
    });
    expect(await mock.server.control.requests()).toEqual([]);
  });
});

/** Wrong passwords from the attacker's IP, up to the brute-force threshold. */
async function attack(app: FastifyInstance) {
  for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) {
    const response = await postJson(
      app,
      '/login',
      { ...USER, password: `guess-${i}` },
      { headers: attacker },
    );
    expect(response.statusCode).toBe(401);
  }
}

describe('auth0-forwarded-for and brute-force protection', () => {
  it('with forwarding, an attacker blocks only their own IP', async () => {
    const { app } = await loginApp({
      clientId: 'trusted-backend',
      forwardUserIp: true,
      trustProxy: true,
    });
    await attack(app);
    const blocked = await postJson(app, '/login', USER, { headers: attacker });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json<{ status: string }>().status).toBe('too_many_attempts');
    const user = await postJson(app, '/login', USER, { headers: victim });
    expect(user.statusCode).toBe(200);
    const forwarded = (await mock.server.control.requests()).map((entry) => entry.forwardedFor);
    expect(forwarded).toEqual([
      ...Array<string>(BRUTE_FORCE_THRESHOLD + 1).fill('203.0.113.9'),
      '198.51.100.7',
    ]);
  });

  it('without forwarding, every user shares the server IP and the attacker locks the user out', async () => {
    const { app } = await loginApp({ clientId: 'trusted-backend', trustProxy: true });
    await attack(app);
    const user = await postJson(app, '/login', USER, { headers: victim });
    expect(user.statusCode).toBe(429);
    expect(user.json<{ status: string }>().status).toBe('too_many_attempts');
    const forwarded = (await mock.server.control.requests()).map((entry) => entry.forwardedFor);
    expect(forwarded.every((value) => value === undefined)).toBe(true);
  });

  it('honours trustProxy: without it, X-Forwarded-For is ignored and the socket address is sent', async () => {
    const { app } = await loginApp({ clientId: 'trusted-backend', forwardUserIp: true });
    const response = await app.inject({
      method: 'POST',
      url: '/login',
      payload: USER,
      headers: attacker,
      remoteAddress: '192.0.2.44',
    });
    expect(response.statusCode).toBe(200);
    const [entry] = await mock.server.control.requests();
    expect(entry?.forwardedFor).toBe('192.0.2.44');
  });
});

describe('request.accessToken() and request.apiFetch() over the session', () => {
  it('refuses a session that never signed in', async () => {
    const { app } = await loginApp();
    expect((await app.inject({ url: '/token' })).statusCode).toBe(401);
  });

  it('refreshes when due (the mock and the manager clocks advance), with the user IP forwarded', async () => {
    const { app } = await loginApp({
      clientId: 'trusted-backend',
      forwardUserIp: true,
      trustProxy: true,
    });
    const cookies = sessionCookie(await postJson(app, '/login', USER, { headers: victim }));
    const before = (await app.inject({ url: '/token', cookies })).json<{ accessToken: string }>();
    expect((await app.inject({ url: '/token', cookies })).json()).toEqual(before);

    await mock.clock.advance(0.9 * 86_400);
    const after = (await app.inject({ url: '/token', cookies, headers: victim })).json<{
      accessToken: string;
    }>();
    expect(after.accessToken).not.toBe(before.accessToken);
    const refreshes = (await mock.server.control.requests()).filter(
      (entry) => entry.grantType === 'refresh_token',
    );
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.forwardedFor).toBe('198.51.100.7');
  });

  it('throws a clear error when the plugin has no login option', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    app.get('/token', (request) => request.accessToken().then((token) => ({ token })));
    const response = await app.inject({ url: '/token' });
    expect(response.statusCode).toBe(500);
    expect(response.json<{ message: string }>().message).toContain('login');
  });

  it('refuses to register the login without a session plugin', async () => {
    const app = Fastify();
    apps.push(app);
    const login = passwordLogin({
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
      },
    });
    await expect(app.register(fastifyRopkit, { login })).rejects.toThrow('@fastify/session');
  });
});

describe('POST /logout', () => {
  it('revokes the refresh token, forgets the tokens and renews the session', async () => {
    const { app } = await loginApp();
    const cookies = sessionCookie(await postJson(app, '/login', USER));
    expect((await app.inject({ url: '/token', cookies })).statusCode).toBe(200);
    const response = await app.inject({ method: 'POST', url: '/logout', cookies });
    expect(response.statusCode).toBe(204);
    const revocations = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/revoke',
    );
    expect(revocations.map((entry) => entry.status)).toEqual([200]);
    expect((await app.inject({ url: '/token', cookies })).statusCode).toBe(401);
  });

  it('answers 204 for a session that was not signed in, and when revocation fails', async () => {
    const { app } = await loginApp();
    expect((await app.inject({ method: 'POST', url: '/logout' })).statusCode).toBe(204);
    const cookies = sessionCookie(await postJson(app, '/login', USER));
    await mock.server.control.queueFault({
      endpoint: '/oauth/revoke',
      kind: 'status',
      status: 503,
    });
    expect((await app.inject({ method: 'POST', url: '/logout', cookies })).statusCode).toBe(204);
    // The tokens are forgotten locally even though the server could not revoke them.
    expect((await app.inject({ url: '/token', cookies })).statusCode).toBe(401);
  });

  it('signing in again renews the session and revokes the tokens of the previous sign-in', async () => {
    const { app } = await loginApp();
    const first = sessionCookie(await postJson(app, '/login', USER));
    const again = await postJson(app, '/login', USER, { cookies: first });
    const second = sessionCookie(again);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect((await app.inject({ url: '/token', cookies: first })).statusCode).toBe(401);
    expect((await app.inject({ url: '/token', cookies: second })).statusCode).toBe(200);
    const paths = (await mock.server.control.requests()).map((entry) => entry.path);
    expect(paths).toEqual(['/oauth/token', '/oauth/token', '/oauth/revoke']);
  });
});

function clientOptions() {
  return {
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
  };
}

describe('passwordLogin() options', () => {
  it('accepts a ready TokenManager instead of client, but not both', () => {
    const manager = new TokenManager({ client: new TokenClient(clientOptions()) });
    expect(passwordLogin({ manager }).manager).toBe(manager);
    expect(() => passwordLogin({ manager, client: clientOptions() } as never)).toThrow(
      'Give "client" or a ready "manager", not both',
    );
  });

  it('refuses a misspelt option or a missing client when created', () => {
    expect(() => passwordLogin({ client: clientOptions(), forwardUserip: true } as never)).toThrow(
      'Unknown passwordLogin() option "forwardUserip"',
    );
    expect(() => passwordLogin({} as never)).toThrow(
      '"client" must be a TokenClient or TokenClient options',
    );
  });
});
