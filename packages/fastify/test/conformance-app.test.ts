import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  MissingCredentialsError,
  renderBearerError,
  type TestApp,
  type TestAppOptions,
} from '@ropkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../src/conformance.js';
import { SECRETS, TUTORIAL, fetchedAnswer, issueToken, useMockServer } from './support.js';

const mock = useMockServer();
const running: TestApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

function options(login = false): TestAppOptions {
  const verifier = {
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
    jwksUri: mock.server.jwksUri,
  };
  return login
    ? {
        verifier,
        login: {
          client: {
            tokenEndpoint: mock.server.tokenEndpoint,
            clientId: TUTORIAL.clientId,
            clientSecret: TUTORIAL.clientSecret,
            audience: TUTORIAL.audience,
            scope: 'openid offline_access read:sample',
          },
          // The test app calls its own protected route: a real API call with the session's token.
          downstreamUrl: 'set below',
        },
      }
    : { verifier };
}

async function start(testOptions: TestAppOptions): Promise<TestApp> {
  const app = await startTestApp(testOptions);
  running.push(app);
  return app;
}

/** A JSON sign-in through a proxy that says the user is 203.0.113.77. */
const signInBehindProxy = (url: string) =>
  fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.77' },
    body: JSON.stringify({ username: TUTORIAL.username, password: TUTORIAL.password }),
  });

const realm = { realm: 'api' };
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('startTestApp over a real socket on 127.0.0.1', () => {
  it('serves the quickstart routes with core-rendered errors', async () => {
    const { url } = await start(options());
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const publicRoute = await fetch(`${url}/api/public`);
    expect(publicRoute.status).toBe(200);

    expect(await fetchedAnswer(await fetch(`${url}/api/private`))).toEqual(
      renderBearerError(new MissingCredentialsError(realm)),
    );
    expect(
      await fetchedAnswer(
        await fetch(`${url}/api/private`, { headers: { authorization: 'Bearer' } }),
      ),
    ).toEqual(renderBearerError(new InvalidRequestError('Malformed Bearer credentials', realm)));
    expect(await fetchedAnswer(await fetch(`${url}/api/private`, bearer('not.a.token')))).toEqual(
      renderBearerError(new InvalidTokenError('Token is malformed', realm)),
    );

    const token = await issueToken(mock.server);
    const privateRoute = await fetch(`${url}/api/private`, bearer(token));
    expect(privateRoute.status).toBe(200);
    const { sub } = (await privateRoute.json()) as { sub: string };
    expect(sub).toMatch(/^auth0\|/);
    expect(await (await fetch(`${url}/api/private-scoped`, bearer(token))).json()).toEqual({ sub });
    expect(await (await fetch(`${url}/api/any-scope`, bearer(token))).json()).toEqual({ sub });

    const writer = await issueToken(mock.server, { scope: 'write:sample' });
    expect(await fetchedAnswer(await fetch(`${url}/api/private-scoped`, bearer(writer)))).toEqual(
      renderBearerError(new InsufficientScopeError(['read:sample'], 'Insufficient scope', realm)),
    );
    expect((await fetch(`${url}/api/any-scope`, bearer(writer))).status).toBe(200);
    const neither = await issueToken(mock.server, { scope: 'delete:sample' });
    expect(await fetchedAnswer(await fetch(`${url}/api/any-scope`, bearer(neither)))).toEqual(
      renderBearerError(
        new InsufficientScopeError(
          ['read:sample', 'write:sample'],
          'Insufficient scope: any one of the listed scopes is needed',
          realm,
        ),
      ),
    );

    expect(await (await fetch(`${url}/api/optional`)).json()).toEqual({ sub: null });
    expect(await (await fetch(`${url}/api/optional`, bearer(token))).json()).toEqual({ sub });
    expect((await fetch(`${url}/api/optional`, bearer(`${token}x`))).status).toBe(401);

    // Without the login option, the login routes do not exist.
    expect((await fetch(`${url}/login`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const { url } = await start(options());
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
    });
    expect(
      await fetchedAnswer(await fetch(`${url}/api/private`, bearer(await issueToken(mock.server)))),
    ).toEqual(
      renderBearerError(new KeySetUnavailableError('The signing keys are unavailable', realm)),
    );
  });

  it('signs in, calls the API with the session token, and signs out', async () => {
    const api = await start(options());
    const testOptions = options(true);
    if (testOptions.login === undefined) throw new Error('unreachable');
    testOptions.login.downstreamUrl = `${api.url}/api/private-scoped`;
    const { url } = await start(testOptions);

    expect((await fetch(`${url}/call-api`)).status).toBe(401);
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: TUTORIAL.username, password: TUTORIAL.password }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ status: 'signed_in' });
    const setCookie = login.headers.getSetCookie();
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^sessionId=[^;]+; .*HttpOnly/);
    expect(setCookie[0]).not.toContain('eyJ');
    const cookie = setCookie[0]?.split(';', 1)[0] ?? '';

    const called = await fetch(`${url}/call-api`, { headers: { cookie } });
    expect(called.status).toBe(200);
    expect(called.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await called.json()) as { sub: string }).sub).toMatch(/^auth0\|/);

    const wrong = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: TUTORIAL.username, password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      status: 'invalid_credentials',
      message: 'Wrong email or password',
    });

    const logout = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie } });
    expect(logout.status).toBe(204);
    expect((await fetch(`${url}/call-api`, { headers: { cookie } })).status).toBe(401);
  });

  it('takes the user IP from X-Forwarded-For only with trustProxy', async () => {
    const trusted = options(true);
    if (trusted.login === undefined) throw new Error('unreachable');
    trusted.login = {
      ...trusted.login,
      client: {
        ...trusted.login.client,
        clientId: 'trusted-backend',
        clientSecret: SECRETS.trustedSecret,
      },
      forwardUserIp: true,
    };
    expect(
      (await signInBehindProxy((await start({ ...trusted, trustProxy: true })).url)).status,
    ).toBe(200);
    expect((await signInBehindProxy((await start(trusted)).url)).status).toBe(200);
    const forwarded = (await mock.server.control.requests()).map((entry) => entry.forwardedFor);
    expect(forwarded).toEqual(['203.0.113.77', '127.0.0.1']);
  });
});
