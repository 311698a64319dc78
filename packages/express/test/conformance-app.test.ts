import {
  InsufficientScopeError,
  MissingCredentialsError,
  renderBearerError,
  type ErrorResponse,
  type TestApp,
  type TestAppOptions,
} from '@ropkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../src/conformance.js';
import {
  Browser,
  TRUSTED_CLIENT,
  TUTORIAL,
  USERS,
  accessToken,
  bearer,
  totp,
  useMockServer,
  verifierOptions,
} from './support.js';

const mock = useMockServer();

const started: TestApp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close()));
});

async function start(options: Partial<TestAppOptions> = {}): Promise<TestApp> {
  const app = await startTestApp({ verifier: verifierOptions(mock.server), ...options });
  started.push(app);
  return app;
}

/** The test app with login, calling another test app's /api/private as its downstream API. */
async function startWithLogin(options: { forwardUserIp?: boolean; trustProxy?: boolean } = {}) {
  const downstream = await start();
  return start({
    trustProxy: options.trustProxy ?? false,
    login: {
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TRUSTED_CLIENT.clientId,
        clientSecret: TRUSTED_CLIENT.clientSecret,
        audience: TUTORIAL.audience,
        scope: 'openid offline_access read:sample',
      },
      forwardUserIp: options.forwardUserIp ?? false,
      downstreamUrl: `${downstream.url}/api/private`,
    },
  });
}

/** The parts of an answer that renderBearerError() fixes, read back from the wire. */
async function answerOf(response: Response): Promise<ErrorResponse> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control', 'www-authenticate']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.text() };
}

describe('startTestApp: the API routes', () => {
  it('answers on 127.0.0.1 with the quickstart routes', async () => {
    const app = await start();
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const publicRoute = await fetch(`${app.url}/api/public`);
    expect(publicRoute.status).toBe(200);
    expect(await publicRoute.json()).toEqual({ message: 'Public: no token needed' });

    const token = await accessToken(mock.server);
    const privateRoute = await fetch(`${app.url}/api/private`, { headers: bearer(token) });
    expect(await privateRoute.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });
  });

  it('writes renderBearerError() byte for byte', async () => {
    const app = await start();
    expect(await answerOf(await fetch(`${app.url}/api/private`))).toEqual(
      renderBearerError(new MissingCredentialsError({ realm: 'api' })),
    );
    const writeOnly = await accessToken(mock.server, { scope: 'write:sample' });
    const scoped = await fetch(`${app.url}/api/private-scoped`, { headers: bearer(writeOnly) });
    const description = ((await scoped.clone().json()) as { error_description: string })
      .error_description;
    expect(await answerOf(scoped)).toEqual(
      renderBearerError(new InsufficientScopeError(['read:sample'], description, { realm: 'api' })),
    );
  });

  it('checks all-of and any-of scopes', async () => {
    const app = await start();
    const full = await accessToken(mock.server);
    const writeOnly = await accessToken(mock.server, { scope: 'write:sample' });
    const none = await accessToken(mock.server, {
      username: USERS.unscoped.email,
      password: USERS.unscoped.password,
    });
    const status = async (path: string, token: string) =>
      (await fetch(`${app.url}${path}`, { headers: bearer(token) })).status;
    expect(await status('/api/private-scoped', full)).toBe(200);
    expect(await status('/api/any-scope', writeOnly)).toBe(200);
    expect(await status('/api/any-scope', none)).toBe(403);
  });

  it('makes /api/optional optional, but not for a bad token', async () => {
    const app = await start();
    expect(await (await fetch(`${app.url}/api/optional`)).json()).toEqual({ sub: null });
    const bad = await fetch(`${app.url}/api/optional`, { headers: bearer('a.b.c') });
    expect(bad.status).toBe(401);
    const good = await fetch(`${app.url}/api/optional`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(await good.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });
  });

  it('has no login routes without login options', async () => {
    const app = await start();
    expect((await fetch(`${app.url}/login`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${app.url}/call-api`)).status).toBe(404);
  });
});

describe('startTestApp: the login routes', () => {
  it('signs in, calls the downstream API with the session token, and logs out', async () => {
    const app = await startWithLogin();
    const browser = new Browser(app.url);
    expect((await browser.fetch('/call-api')).status).toBe(401);
    const login = await browser.postForm('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ status: 'signed_in' });

    const called = await browser.fetch('/call-api');
    expect(called.status).toBe(200);
    expect(called.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await called.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });

    expect((await browser.fetch('/logout', { method: 'POST' })).status).toBe(204);
    const after = await browser.fetch('/call-api');
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: 'reauthentication_required' });
  });

  it('runs the MFA step with /login/otp', async () => {
    const app = await startWithLogin();
    const browser = new Browser(app.url);
    const first = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(await first.json()).toEqual({ status: 'mfa_required' });
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await browser.postJson('/login/otp', { otp });
    expect(await done.json()).toEqual({ status: 'signed_in' });
    expect((await browser.fetch('/call-api')).status).toBe(200);
  });

  it.each([
    [true, '198.51.100.20'],
    [false, '127.0.0.1'],
  ])('with trustProxy %s, forwards %s as the end user IP', async (trustProxy, expected) => {
    const app = await startWithLogin({ forwardUserIp: true, trustProxy });
    await new Browser(app.url, { 'x-forwarded-for': '198.51.100.20' }).postJson('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const logins = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/token',
    );
    expect(logins.map((entry) => entry.forwardedFor)).toEqual([expected]);
  });
});
