import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { beforeEach, describe, expect, it } from 'vitest';
import { Browser, CLIENTS, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { authErrorHandler, passwordLogin, ReauthenticationRequiredError } from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

/** The test's "now", which the token client and manager read; moved with the mock's clock. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;
beforeEach(() => {
  offsetMs = 0;
});

/** Past the whole life of the mock's access tokens (24 h): the next use must refresh. */
async function pastExpiry(): Promise<void> {
  const seconds = 86_400 + 60;
  offsetMs += seconds * 1000;
  await mock.server.control.advanceClock(seconds);
}

/**
 * A signed-in app's routes that need the session's tokens, with or without authErrorHandler(),
 * behind one trusted proxy; and what reached Koa's 'error' event.
 */
async function tokensApp(handler: boolean) {
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  app.proxy = true;
  app.maxIpsCount = 1;
  const errors: unknown[] = [];
  app.on('error', (error: unknown) => errors.push(error));
  if (handler) app.use(authErrorHandler());
  app.use(session(app));
  app.use(bodyParser());
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      ...CLIENTS.trusted,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
      clock,
    },
    manager: { clock, retry: { attempts: 1 } },
    forwardUserIp: true,
  });
  app.use(login.tokens);
  const router = new Router();
  router.post('/login', login.login);
  router.get('/token', async (ctx) => {
    ctx.body = { length: (await ctx.state.accessToken()).length };
  });
  router.get('/call-api', async (ctx) => {
    // Never reached without a signed-in session: apiFetch rejects before any request.
    const response = await ctx.state.apiFetch(`${mock.server.url}/userinfo`);
    ctx.status = response.status;
  });
  app.use(router.routes());
  const url = await serve(app);
  return { url, errors };
}

describe('ctx.state.accessToken() and apiFetch() with no one signed in', () => {
  it('answer 401 login_required through authErrorHandler()', async () => {
    const { url, errors } = await tokensApp(true);
    const browser = new Browser(url);
    for (const path of ['/token', '/call-api']) {
      const response = await browser.fetch(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'login_required',
        error_description: 'Sign in to continue',
      });
    }
    expect(errors).toEqual([]);
  });

  it("answer 401, never 500, under Koa's own error handling", async () => {
    const { url, errors } = await tokensApp(false);
    const browser = new Browser(url);
    for (const path of ['/token', '/call-api']) {
      const response = await browser.fetch(path);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('No one is signed in on this session: sign in first');
    }
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(await mock.server.control.requests()).toEqual([]);
  });
});

describe('a refresh behind ctx.state.accessToken()', () => {
  it('forwards ctx.ip; when it fails, authErrorHandler() answers 503 and the session stays signed in', async () => {
    const { url, errors } = await tokensApp(true);
    const browser = new Browser(url, { 'x-forwarded-for': '192.0.2.1, 198.51.100.7' });
    const signIn = await browser.postJson('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(signIn.status).toBe(200);
    await pastExpiry();

    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'status', status: 503 });
    const failed = await browser.fetch('/token');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('cache-control')).toBe('no-store');
    expect(await failed.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The sign-in service is unavailable: try again later',
    });
    expect(errors).toEqual([]);

    expect((await browser.fetch('/token')).status).toBe(200);
    const refreshes = (await mock.server.control.requests()).filter(
      (entry) => entry.grantType === 'refresh_token',
    );
    expect(refreshes.map((entry) => [entry.status, entry.forwardedFor])).toEqual([
      [503, '198.51.100.7'],
      [200, '198.51.100.7'],
    ]);
  });
});
