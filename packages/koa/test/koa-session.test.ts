import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { describe, expect, it } from 'vitest';
import { Browser, listen, TUTORIAL, USERS, useMockServer } from '@ropkit/test-support';
import { authErrorHandler, passwordLogin, type PasswordLoginHandlers } from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

const tutorialUser = { username: TUTORIAL.username, password: TUTORIAL.password };

function loginClient() {
  return {
    issuer: mock.server.issuer,
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
  };
}

/**
 * The login routes behind `sessions` (the session middleware, or something in its place), with
 * authErrorHandler() first and the errors Koa's own handling saw.
 */
async function loginApp(sessions: (app: Koa) => Koa.Middleware | undefined) {
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  const errors: unknown[] = [];
  app.on('error', (error: unknown) => errors.push(error));
  app.use(authErrorHandler());
  const sessionMiddleware = sessions(app);
  if (sessionMiddleware !== undefined) app.use(sessionMiddleware);
  app.use(bodyParser());
  const login = passwordLogin({ client: loginClient() });
  app.use(login.tokens);
  const router = new Router();
  router.post('/login', login.login);
  router.post('/login/otp', login.verifyOtp);
  router.post('/logout', login.logout);
  router.get('/token', async (ctx) => {
    ctx.body = { length: (await ctx.state.accessToken()).length };
  });
  router.get('/call-api', async (ctx) => {
    ctx.status = (await ctx.state.apiFetch(`${mock.server.url}/userinfo`)).status;
  });
  // The application's own session data, next to the login's.
  router.post('/cart', (ctx) => {
    Reflect.set(Reflect.get(ctx, 'session') as object, 'cart', 'book-42');
    ctx.status = 204;
  });
  app.use(router.routes());
  const url = await serve(app);
  return { url, errors, login };
}

/** koa-session's default cookie store: the session is the cookie (base64 JSON). */
function cookieSession(browser: Browser): Record<string, unknown> {
  const value = browser.cookies.get('koa.sess');
  if (value === undefined || value === '') return {};
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
}

/** The session's fields besides koa-session's own (`_expire`, `_maxAge`). */
function sessionFields(browser: Browser): string[] {
  return Object.keys(cookieSession(browser)).filter((name) => !name.startsWith('_'));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** No session middleware at all. */
const noSession = () => undefined;

/** koa-session before 7, or a hand-made ctx.session: no regenerate(). */
const plainObject = () => async (ctx: Koa.Context, next: Koa.Next) => {
  Reflect.set(ctx, 'session', { toJSON: () => ({}) });
  await next();
};

/** A browser signed in with koa-session's cookie store, after putting a cart in its session. */
async function signedIn(): Promise<{ browser: Browser; login: PasswordLoginHandlers }> {
  const { url, login } = await loginApp((app) => session(app));
  const browser = new Browser(url);
  expect((await browser.fetch('/cart', { method: 'POST' })).status).toBe(204);
  expect(sessionFields(browser)).toEqual(['cart']);
  expect((await browser.postJson('/login', tutorialUser)).status).toBe(200);
  return { browser, login };
}

describe('without a session that can renew its id', () => {
  it.each([
    ['no session middleware', noSession],
    ['a session without regenerate()', plainObject],
  ])(
    'with %s, the login routes fail with a TypeError naming koa-session, before any grant',
    async (_case, sessions) => {
      const { url, errors } = await loginApp(sessions);
      const browser = new Browser(url);
      const statuses = [
        (await browser.postJson('/login', tutorialUser)).status,
        (await browser.postForm('/login/otp', { otp: '123456' })).status,
        (await browser.fetch('/logout', { method: 'POST' })).status,
      ];
      expect(statuses).toEqual([500, 500, 500]);
      expect(errors).toHaveLength(3);
      for (const error of errors) {
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toBe(
          'The login routes need a session that can renew its id: register koa-session 7 (app.use(session(app))) before them',
        );
        expect(JSON.stringify(error) + String(error)).not.toContain(TUTORIAL.password);
      }
      // Refused before the password is sent: nothing reached the authorization server.
      expect(await mock.server.control.requests()).toEqual([]);
    },
  );

  it('answers 500 with no detail, never a secret, under Koa’s own error handling', async () => {
    const { url } = await loginApp(noSession);
    const response = await new Browser(url).postJson('/login', tutorialUser);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
  });

  it('makes ctx.state.accessToken() and apiFetch() fail with the TypeError, not a 401 "not signed in"', async () => {
    const { url, errors } = await loginApp(noSession);
    const browser = new Browser(url);
    expect((await browser.fetch('/token')).status).toBe(500);
    expect((await browser.fetch('/call-api')).status).toBe(500);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      expect.stringContaining('koa-session'),
      expect.stringContaining('koa-session'),
    ]);
  });
});

describe('with koa-session 7 and its default cookie store (the session is the cookie)', () => {
  it("a sign-in drops the session's previous data and files only a random key", async () => {
    const { browser, login } = await signedIn();
    expect(sessionFields(browser)).toEqual(['ropkitKey']);
    const key = String(cookieSession(browser)['ropkitKey']);
    expect(key).toMatch(UUID);

    // The tokens are in the token store under that key; none of them is in a cookie.
    const tokens = await login.manager.getTokenSet(key);
    const cookies = [...browser.cookies.values()].join('\n');
    for (const secret of [tokens.accessToken, tokens.refreshToken, tokens.idToken]) {
      expect(secret).toEqual(expect.any(String));
      expect(cookies).not.toContain(String(secret));
    }
    expect(cookies).not.toContain(TUTORIAL.password);
    expect((await browser.fetch('/token')).status).toBe(200);
  });

  it('keeps a pending MFA step in the token store: the cookie holds only the key', async () => {
    const { url, login } = await loginApp((app) => session(app));
    const browser = new Browser(url);
    const started = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(started.status).toBe(401);
    expect(sessionFields(browser)).toEqual(['ropkitKey']);
    const key = String(cookieSession(browser)['ropkitKey']);
    const store = login.manager.store as unknown as {
      getPendingSignIn(key: string): Promise<{ mfaToken: string } | undefined>;
    };
    const pending = await store.getPendingSignIn(key);
    expect(pending?.mfaToken).toEqual(expect.any(String));
    const cookies = [...browser.cookies.values()].join('\n');
    expect(cookies).not.toContain(String(pending?.mfaToken));
    expect(cookies).not.toContain(USERS.mfa.password);
  });

  it('logout leaves an empty session: no key, none of the data from before', async () => {
    const { browser } = await signedIn();
    const signedInCookie = browser.cookies.get('koa.sess');
    expect((await browser.fetch('/cart', { method: 'POST' })).status).toBe(204);
    expect(sessionFields(browser)).toEqual(['ropkitKey', 'cart']);

    expect((await browser.fetch('/logout', { method: 'POST' })).status).toBe(204);
    expect(browser.cookies.get('koa.sess')).not.toBe(signedInCookie);
    expect(sessionFields(browser)).toEqual([]);
    expect((await browser.fetch('/token')).status).toBe(401);
  });
});
