// ctx.state.identity() and ctx.state.userinfo() over real HTTP, against the mock server: what a
// signed-in session answers, the 401 when no one is signed in, and a sign-in whose ID token is
// refused.
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { describe, expect, it } from 'vitest';
import { Browser, listen, testTenant, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { authErrorHandler, passwordLogin } from '../src/index.js';

/** A namespaced claim that a rule of the tenant adds to every ID token, as an Auth0 rule would. */
const ROLES = 'https://example.com/roles';
const mock = useMockServer(
  testTenant({
    rules: [
      ...(testTenant().rules ?? []),
      { name: 'roles', idTokenClaims: { [ROLES]: ['reader'] } },
    ],
  }),
);

const LOGIN_REQUIRED = { error: 'login_required', error_description: 'Sign in to continue' };

/** The login routes, and routes answering the session's identity() and userinfo() as JSON. */
async function identityApp() {
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  app.use(authErrorHandler());
  app.use(session(app));
  app.use(bodyParser());
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid profile email offline_access read:sample',
    },
  });
  app.use(login.tokens);
  const router = new Router();
  router.post('/login', login.login);
  router.get('/identity', async (ctx) => {
    ctx.body = (await ctx.state.identity()) ?? null;
  });
  router.get('/userinfo', async (ctx) => {
    ctx.body = await ctx.state.userinfo();
  });
  app.use(router.routes());
  const handle = app.callback();
  const { url } = await listen((req, res) => void handle(req, res));
  return new Browser(url);
}

async function json(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

describe('ctx.state.identity() and ctx.state.userinfo()', () => {
  it('answer the verified ID token claims and the /userinfo profile of the signed-in user', async () => {
    const browser = await identityApp();
    expect((await browser.postJson('/login', credentials)).status).toBe(200);

    const identity = await json(await browser.fetch('/identity'));
    expect(identity).toMatchObject({
      iss: mock.server.issuer,
      sub: expect.stringMatching(/^auth0\|/),
      aud: TUTORIAL.clientId,
      email: TUTORIAL.username,
      [ROLES]: ['reader'],
    });
    const profile = await json(await browser.fetch('/userinfo'));
    expect(profile).toMatchObject({ sub: identity['sub'], email: TUTORIAL.username });
    // Cached for the session by core: a second call asks /userinfo nothing more.
    expect(await json(await browser.fetch('/userinfo'))).toEqual(profile);
    const userinfoCalls = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/userinfo',
    );
    expect(userinfoCalls).toHaveLength(1);
  });

  it('answer 401 login_required when no one is signed in, without a request to Auth0', async () => {
    const browser = await identityApp();
    for (const path of ['/identity', '/userinfo']) {
      const response = await browser.fetch(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual(LOGIN_REQUIRED);
    }
    expect(await mock.server.control.requests()).toEqual([]);
  });
});

describe('a sign-in whose ID token fails validation', () => {
  it('answers 502 invalid_id_token and leaves the session signed out', async () => {
    const browser = await identityApp();
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'id-token',
      defect: 'wrong-audience',
    });
    const response = await browser.postJson('/login', credentials);
    expect(response.status).toBe(502);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      status: 'invalid_id_token',
      message:
        'The sign-in service answered an identity that could not be verified: try again later',
    });
    const grants = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/token',
    );
    expect(grants).toMatchObject([{ grantType: 'password', status: 200, fault: 'id-token' }]);

    for (const path of ['/identity', '/userinfo']) {
      const after = await browser.fetch(path);
      expect(after.status).toBe(401);
      expect(await after.json()).toEqual(LOGIN_REQUIRED);
    }
  });
});
