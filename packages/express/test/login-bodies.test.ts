import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { Browser, listen, totp, TUTORIAL, USERS, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { authErrorHandler, passwordLogin } from '../src/index.js';

const mock = useMockServer();

/** The login routes; `parsers` run first, as an app's own body parsers would. */
async function loginApp(parsers: RequestHandler[] = []) {
  const store = new session.MemoryStore();
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
    },
  });
  const app = express();
  if (parsers.length > 0) app.use(...parsers);
  app.use(
    session({ secret: 'test-session-secret', resave: false, saveUninitialized: false, store }),
  );
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  const reachedFinalHandler: unknown[] = [];
  const record: ErrorRequestHandler = (error, _req, _res, next) => {
    reachedFinalHandler.push(error);
    next(error);
  };
  app.use(authErrorHandler(), record);
  const { url } = await listen(app);
  return { url, login, store, reachedFinalHandler };
}

async function passwordGrants(): Promise<number> {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/token')
    .length;
}

const LIMIT = 16 * 1024;

/** A login body of exactly `size` bytes, padded with an extra field. */
const bodies = {
  form(size: number, fields = { username: TUTORIAL.username, password: TUTORIAL.password }) {
    const start = `${new URLSearchParams(fields).toString()}&pad=`;
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: start + 'x'.repeat(size - start.length),
    };
  },
  json(size: number, fields = { username: TUTORIAL.username, password: TUTORIAL.password }) {
    const start = `${JSON.stringify(fields).slice(0, -1)},"pad":"`;
    return {
      headers: { 'content-type': 'application/json' },
      body: `${start}${'x'.repeat(size - start.length - 2)}"}`,
    };
  },
};

describe('the login routes read form and JSON bodies themselves, up to 16 kB', () => {
  it.each(['form', 'json'] as const)('signs in from a %s body of exactly 16 kB', async (kind) => {
    const { url } = await loginApp();
    const request = bodies[kind](LIMIT);
    expect(Buffer.byteLength(request.body)).toBe(LIMIT);
    const response = await fetch(`${url}/login`, { method: 'POST', ...request });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'signed_in' });
  });

  it.each(['form', 'json'] as const)(
    'refuses a %s body one byte larger with 413, before a request to Auth0',
    async (kind) => {
      const { url, reachedFinalHandler } = await loginApp();
      const response = await fetch(`${url}/login`, { method: 'POST', ...bodies[kind](LIMIT + 1) });
      expect(response.status).toBe(413);
      // body-parser's error, passed on by authErrorHandler() to Express's final handler.
      expect(reachedFinalHandler).toHaveLength(1);
      expect(reachedFinalHandler[0]).toMatchObject({ status: 413, type: 'entity.too.large' });
      expect(await passwordGrants()).toBe(0);
    },
  );

  it.each<[string, Record<string, string>, string]>([
    ['a text/plain body', { 'content-type': 'text/plain' }, 'username=a&password=b'],
    ['no body', {}, ''],
  ])('answers %s 400 invalid_request, without a request to Auth0', async (_name, headers, body) => {
    const { url } = await loginApp();
    const response = await fetch(`${url}/login`, {
      method: 'POST',
      headers,
      ...(body === '' ? {} : { body }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: 'invalid_request',
      message: 'Enter your email and password',
    });
    expect(await passwordGrants()).toBe(0);
  });

  it('answers malformed JSON 400 through next(err), with neither the body nor the password', async () => {
    const { url, reachedFinalHandler } = await loginApp();
    // V8 quotes the text near an unexpected token in its SyntaxError message.
    const canary = 'CANARYpassword';
    const response = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"username":"${USERS.mfa.email}","password":${canary}}`,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain(canary);
    expect(reachedFinalHandler).toHaveLength(1);
    const error = reachedFinalHandler[0] as Error;
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error).toMatchObject({ status: 400, expose: true, type: 'entity.parse.failed' });
    expect(error).not.toHaveProperty('body');
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(canary);
    expect(await passwordGrants()).toBe(0);
  });
});

describe('a body the app parsed already is used as it is', () => {
  it.each<[string, RequestHandler, 'form' | 'json']>([
    ['express.urlencoded()', express.urlencoded({ extended: true, limit: '1mb' }), 'form'],
    ['express.json()', express.json({ limit: '1mb' }), 'json'],
  ])('after %s, even above the 16 kB of the login routes', async (_name, parser, kind) => {
    const { url } = await loginApp([parser]);
    const response = await fetch(`${url}/login`, { method: 'POST', ...bodies[kind](4 * LIMIT) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'signed_in' });
  });
});

/** The session records express-session's store holds. */
function sessionRecords(store: session.MemoryStore): Promise<object[]> {
  return new Promise((resolve, reject) => {
    store.all((error: unknown, sessions) => {
      if (error !== null && error !== undefined) reject(error);
      else resolve(Object.values(sessions ?? {}));
    });
  });
}

describe('what the session keeps: a random key, never a secret', () => {
  it('during the MFA step and once signed in (the OTP read from JSON)', async () => {
    const { url, login, store } = await loginApp();
    const browser = new Browser(url);
    const first = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(await first.json()).toEqual({ status: 'mfa_required', factors: ['otp'] });

    const [pending] = await sessionRecords(store);
    expect(Object.keys(pending ?? {}).toSorted()).toEqual(['cookie', 'ropkitKey']);
    const key = String(Reflect.get(pending ?? {}, 'ropkitKey'));
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const step = await login.manager.store.getPendingSignIn?.(key);
    expect(step?.mfaToken).toEqual(expect.any(String));
    const whilePending = [browser.cookieHeader, JSON.stringify(await sessionRecords(store))];

    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await browser.postJson('/login/otp', { otp });
    expect(await done.json()).toEqual({ status: 'signed_in' });

    const records = await sessionRecords(store);
    expect(records).toHaveLength(1);
    expect(Object.keys(records[0] ?? {}).toSorted()).toEqual(['cookie', 'ropkitKey']);
    const tokens = await login.manager.getTokenSet(
      String(Reflect.get(records[0] ?? {}, 'ropkitKey')),
    );
    const secrets = [
      USERS.mfa.password,
      TUTORIAL.clientSecret,
      step?.mfaToken ?? '',
      tokens.accessToken,
      tokens.refreshToken ?? '',
      tokens.idToken ?? '',
    ];
    const signedIn = [browser.cookieHeader, JSON.stringify(records)];
    for (const secret of secrets) {
      expect(secret).not.toBe('');
      for (const seen of [...whilePending, ...signedIn]) expect(seen).not.toContain(secret);
    }
  });
});
