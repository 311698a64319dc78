// Canaries where the Fastify adapter itself handles the data: what it writes into
// @fastify/session, the cookies and answers Fastify sends, the errors Fastify's own handler logs,
// and what passwordLogin()'s logger is told. The engine's answers are checked by the kit.
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import { Browser, listen, totp, TUTORIAL, useMockServer, USERS } from '@ropkit/test-support';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { passwordLogin } from '../src/index.js';

const mock = useMockServer();
const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

const WRONG_PASSWORD = 'wrong-password-canary-91c2';

/** Fails when `secret` appears anywhere in `text`. */
function expectNoSecret(text: string, secret: string) {
  expect(secret.length).toBeGreaterThan(6);
  expect(text.includes(secret), `secret found in: ${text.slice(0, 200)}`).toBe(false);
}

describe('no password, client secret, token or mfa_token leaves the adapter', () => {
  it('in the session, cookies, answers, Fastify logs or the login logger', async () => {
    const fastifyLogs: string[] = [];
    const loginLogs: string[] = [];
    const sessions = new Map<string, unknown>();
    let offsetMs = 0;
    const clock = () => Date.now() + offsetMs;
    const seenByApi: string[] = [];
    const api = await listen((req, res) => {
      seenByApi.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders":[]}');
    });

    const login = passwordLogin({
      client: {
        issuer: mock.server.issuer,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
        scope: 'openid offline_access read:sample',
        clock,
      },
      manager: { clock, jitterShare: 0 },
      logger: {
        debug: (...args: unknown[]) => loginLogs.push(JSON.stringify(args)),
        info: (...args: unknown[]) => loginLogs.push(JSON.stringify(args)),
        warn: (...args: unknown[]) => loginLogs.push(JSON.stringify(args)),
      },
    });
    // Fastify's own logging at its most verbose; no authErrorHandler, so Fastify's default handler
    // logs the ropkit errors that reach it.
    const app = Fastify({
      logger: { level: 'trace', stream: { write: (line: string) => void fastifyLogs.push(line) } },
    });
    closing.push(() => app.close());
    app.addHook('onClose', async () => login.manager.close());
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: randomBytes(32).toString('base64url'),
      cookie: { secure: 'auto' },
      saveUninitialized: false,
      store: new fastifySession.MemoryStore(sessions as Map<string, never>),
    });
    await app.register(fastifyFormbody);
    await app.register(login.tokens);
    app.post('/login', login.login);
    app.post('/login/otp', login.verifyOtp);
    app.post('/logout', login.logout);
    app.get('/orders', (request) =>
      request.apiFetch(`${api.url}/orders`).then((response) => response.json()),
    );
    const browser = new Browser(await app.listen({ host: '127.0.0.1', port: 0 }));

    const answers: string[] = [];
    const send = async (path: string, init?: RequestInit) => {
      const response = await browser.fetch(path, init);
      answers.push(JSON.stringify([...response.headers]), await response.text());
      return response.status;
    };
    const post = (path: string, fields: Record<string, string>) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    /** The one session's key: all the adapter keeps in it, besides @fastify/session's cookie. */
    const sessionKey = () => {
      const stored = [...sessions.values()].map((session) => JSON.parse(JSON.stringify(session)));
      expect(stored).toHaveLength(1);
      expect(Object.keys(stored[0] as object).toSorted()).toEqual(['cookie', 'ropkitKey']);
      return (stored[0] as { ropkitKey: string }).ropkitKey;
    };

    expect(await post('/login', { username: USERS.mfa.email, password: WRONG_PASSWORD })).toBe(401);
    expect(await post('/login', { username: USERS.mfa.email, password: USERS.mfa.password })).toBe(
      401,
    );
    const pending = await login.manager.store.getPendingSignIn?.(sessionKey());
    expect(pending?.mfaToken).toEqual(expect.any(String));
    const mfaToken = pending?.mfaToken ?? 'no pending sign-in';
    expect(await post('/login/otp', { otp: '000000' })).toBe(401);
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    expect(await post('/login/otp', { otp })).toBe(200);
    const first = await login.manager.getTokenSet(sessionKey());
    expect(first.refreshToken).toEqual(expect.any(String));
    expect(await send('/orders')).toBe(200);

    // The refresh token is refused once the token is due: Fastify answers and logs the error.
    // The mock's clock moves with the app's, so the next sign-in's ID token is fresh to both.
    offsetMs = 0.9 * 86_400_000;
    await mock.server.control.advanceClock(0.9 * 86_400);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 403,
      body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
    });
    expect(await send('/orders')).toBe(401);

    expect(await post('/login', { email: TUTORIAL.username, password: TUTORIAL.password })).toBe(
      200,
    );
    const second = await login.manager.getTokenSet(sessionKey());
    expect(await send('/orders')).toBe(200);
    // Logout goes on when revocation fails; the login logger is told.
    await mock.server.control.queueFault({
      endpoint: '/oauth/revoke',
      kind: 'status',
      status: 500,
    });
    expect(await send('/logout', { method: 'POST' })).toBe(204);
    expect(loginLogs.some((line) => line.includes('revoking the refresh token failed'))).toBe(true);
    expect(await send('/orders')).toBe(401);
    expect(fastifyLogs.some((line) => line.includes('reauthentication_required'))).toBe(true);

    const everything = [
      ...fastifyLogs,
      ...loginLogs,
      ...answers,
      browser.cookieHeader,
      ...[...sessions.values()].map((session) => JSON.stringify(session)),
    ].join('\n');
    expect(seenByApi).toEqual([`Bearer ${first.accessToken}`, `Bearer ${second.accessToken}`]);
    for (const secret of [
      WRONG_PASSWORD,
      USERS.mfa.password,
      TUTORIAL.clientSecret,
      mfaToken,
      first.accessToken,
      first.refreshToken ?? 'missing refresh token',
      first.idToken ?? 'missing id token',
      second.accessToken,
      second.refreshToken ?? 'missing refresh token',
      second.idToken ?? 'missing id token',
    ]) {
      expectNoSecret(everything, secret);
    }
    expect(everything).not.toMatch(/mfa_token|eyJ/);
  });
});
