import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingCredentialsError, type TestApp } from '@ropkit/core';
import { startTestApp } from '../src/conformance.js';
import { auth, authErrors } from '../src/index.js';
import {
  Browser,
  TUTORIAL,
  USERS,
  expectRendered,
  issueToken,
  listen,
  totp,
  useMockServer,
  verifierOptions,
  type Listening,
} from './support.js';

const mock = useMockServer();
let api: Listening;
let withLogin: TestApp;
let withoutLogin: TestApp;

beforeAll(async () => {
  const koa = new Koa();
  koa.use(authErrors());
  koa.use(auth(verifierOptions(mock.server)));
  koa.use((ctx) => {
    ctx.body = { sub: ctx.state.auth?.payload.sub };
  });
  api = await listen(koa);
  withLogin = await startTestApp({
    verifier: verifierOptions(mock.server),
    login: {
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
        scope: 'openid offline_access read:sample',
      },
      downstreamUrl: api.url,
    },
  });
  withoutLogin = await startTestApp({ verifier: verifierOptions(mock.server) });
});
afterAll(async () => {
  await Promise.all([api.close(), withLogin.close(), withoutLogin.close()]);
});

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${withLogin.url}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('startTestApp: the protected routes of core TestApp', () => {
  it('listens on 127.0.0.1 and answers /api/public without a token', async () => {
    expect(new URL(withLogin.url).hostname).toBe('127.0.0.1');
    expect((await get('/api/public')).status).toBe(200);
  });

  it('/api/private: 401 as core renders it without a token, 200 {sub} with one', async () => {
    await expectRendered(await get('/api/private'), new MissingCredentialsError({ realm: 'api' }));
    const response = await get('/api/private', await issueToken(mock.server));
    expect(await response.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });
  });

  it('/api/private-scoped needs read:sample; /api/any-scope needs read:sample or write:sample', async () => {
    const read = await issueToken(mock.server, 'read:sample');
    const write = await issueToken(mock.server, 'write:sample');
    expect((await get('/api/private-scoped', read)).status).toBe(200);
    const refused = await get('/api/private-scoped', write);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await get('/api/any-scope', write)).status).toBe(200);
  });

  it('/api/optional: {sub: null} anonymously, 401 for a bad token', async () => {
    expect(await (await get('/api/optional')).json()).toEqual({ sub: null });
    expect((await get('/api/optional', 'not-a-jwt')).status).toBe(401);
  });

  it('answers 404 on the login routes when started without login', async () => {
    const statuses = await Promise.all(
      ['/login', '/login/otp', '/logout'].map(
        async (path) => (await fetch(`${withoutLogin.url}${path}`, { method: 'POST' })).status,
      ),
    );
    expect(statuses).toEqual([404, 404, 404]);
    expect((await fetch(`${withoutLogin.url}/call-api`)).status).toBe(404);
  });
});

/** The auth0-forwarded-for a login through a test app sent, for a client behind two proxies. */
async function forwardedFor(trustProxy: boolean): Promise<string | undefined> {
  const app = await startTestApp({
    verifier: verifierOptions(mock.server),
    login: {
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
      },
      forwardUserIp: true,
    },
    trustProxy,
  });
  try {
    const browser = new Browser(app.url, { 'x-forwarded-for': '192.0.2.1, 198.51.100.7' });
    await browser.postJson('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const [entry] = await mock.server.control.requests();
    return entry?.forwardedFor;
  } finally {
    await app.close();
  }
}

describe('startTestApp: trustProxy', () => {
  it('forwards the last X-Forwarded-For entry only when trustProxy is set', async () => {
    expect(await forwardedFor(true)).toBe('198.51.100.7');
    await mock.server.control.clearRequests();
    expect(await forwardedFor(false)).toBe('127.0.0.1');
  });
});

describe('startTestApp: the login routes', () => {
  it('signs in, calls the API with the session token, and signs out', async () => {
    const browser = new Browser(withLogin.url);
    expect((await browser.request('/call-api')).status).toBe(401);
    expect(
      (
        await browser.postJson('/login', {
          username: TUTORIAL.username,
          password: TUTORIAL.password,
        })
      ).status,
    ).toBe(200);
    // The in-memory store: the cookie is koa-session's random id, nothing else.
    expect(browser.cookies.get('koa.sess')).toMatch(/^[0-9a-f-]{36}$/);
    const call = await browser.request('/call-api');
    expect(call.status).toBe(200);
    expect(await call.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });
    expect((await browser.request('/logout', { method: 'POST' })).status).toBe(204);
    expect((await browser.request('/call-api')).status).toBe(401);
  });

  it('issues a new session id when the sign-in completes (session fixation)', async () => {
    const browser = new Browser(withLogin.url);
    await browser.postJson('/login', { username: USERS.mfa.email, password: USERS.mfa.password });
    const planted = new Map(browser.cookies);
    expect(planted.get('koa.sess')).toEqual(expect.any(String));

    const code = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    expect((await browser.postJson('/login/otp', { otp: code })).status).toBe(200);
    expect(browser.cookies.get('koa.sess')).not.toBe(planted.get('koa.sess'));
    expect((await browser.request('/call-api')).status).toBe(200);

    // Whoever holds the id from before the sign-in is not signed in.
    const fixer = new Browser(withLogin.url);
    for (const [name, value] of planted) fixer.cookies.set(name, value);
    expect((await fixer.request('/call-api')).status).toBe(401);
  });
});
