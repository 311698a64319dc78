import { setTimeout as delay } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { describe, expect, it } from 'vitest';
import {
  Browser,
  CLIENTS,
  listen,
  totp,
  TUTORIAL,
  USERS,
  useMockServer,
} from '@ropkit/test-support';
import {
  authErrorHandler,
  passwordLogin,
  type LoginResult,
  type PasswordLoginOptions,
} from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

const tutorialUser = { username: TUTORIAL.username, password: TUTORIAL.password };

function loginClient(credentials: { clientId: string; clientSecret: string } = TUTORIAL) {
  return {
    issuer: mock.server.issuer,
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
  };
}

interface AppSettings {
  /** Koa's `app.proxy` (with `maxIpsCount = 1`). Default `false`. */
  proxy?: boolean;
  /** Mount @koa/bodyparser. Default `true`. */
  parseBodies?: boolean;
  /** Middleware after each login handler, to see whether it is reached. */
  after?: Koa.Middleware;
}

/** An app as the README builds it, with `options` for passwordLogin(). */
async function loginApp(
  options: Partial<PasswordLoginOptions> = {},
  settings: AppSettings = {},
): Promise<string> {
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  if (settings.proxy === true) {
    app.proxy = true;
    app.maxIpsCount = 1;
  }
  app.use(authErrorHandler());
  app.use(session(app));
  if (settings.parseBodies !== false) app.use(bodyParser());
  const login = passwordLogin({ client: loginClient(), ...options });
  app.use(login.tokens);
  const after: Koa.Middleware[] = settings.after === undefined ? [] : [settings.after];
  const router = new Router();
  router.post('/login', login.login, ...after);
  router.post('/login/otp', login.verifyOtp, ...after);
  router.post('/logout', login.logout, ...after);
  router.get('/me', async (ctx) => {
    ctx.body = { signedIn: (await ctx.state.accessToken()) !== '' };
  });
  app.use(router.routes());
  return serve(app);
}

async function tokenRequests() {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/token');
}

describe('request bodies', () => {
  it('reads the login and OTP fields from JSON and form bodies parsed by @koa/bodyparser', async () => {
    const url = await loginApp();
    const json = new Browser(url);
    expect((await json.postJson('/login', tutorialUser)).status).toBe(200);
    expect((await json.fetch('/me')).status).toBe(200);

    // `email` is accepted for `username`, as in a form.
    const form = new Browser(url);
    const answer = await form.postForm('/login', {
      email: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(await answer.json()).toEqual({ status: 'mfa_required', factors: ['otp'] });
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    expect((await form.postJson('/login/otp', { otp })).status).toBe(200);
    expect((await form.fetch('/me')).status).toBe(200);
  });

  it('without a body parser answers 400 invalid_request, and sends nothing to Auth0', async () => {
    const url = await loginApp({}, { parseBodies: false });
    const response = await new Browser(url).postForm('/login', tutorialUser);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: 'invalid_request',
      message: 'Enter your email and password',
    });
    expect(await tokenRequests()).toEqual([]);
  });
});

describe('respond(result, ctx)', () => {
  it('writes every answer instead of the default, and the handlers call no next()', async () => {
    const results: LoginResult[] = [];
    let reached = 0;
    const url = await loginApp(
      {
        respond(result, ctx) {
          results.push(result);
          if (result.status === 'signed_in' || result.status === 'signed_out') {
            ctx.redirect('/');
          } else {
            ctx.status = 303;
            ctx.set('location', `/login?error=${result.status}`);
          }
        },
      },
      {
        after: (ctx) => {
          reached++;
          ctx.status = 418;
        },
      },
    );
    const browser = new Browser(url);
    const wrong = await browser.postForm('/login', { ...tutorialUser, password: 'wrong-pwd' });
    expect([wrong.status, wrong.headers.get('location')]).toEqual([
      303,
      '/login?error=invalid_credentials',
    ]);
    const right = await browser.postForm('/login', tutorialUser);
    expect([right.status, right.headers.get('location')]).toEqual([302, '/']);
    expect((await browser.fetch('/me')).status).toBe(200);
    const out = await browser.fetch('/logout', { method: 'POST' });
    expect([out.status, out.headers.get('location')]).toEqual([302, '/']);
    expect((await browser.fetch('/me')).status).toBe(401);

    expect(results).toEqual([
      { status: 'invalid_credentials', message: 'Wrong email or password' },
      { status: 'signed_in' },
      { status: 'signed_out' },
    ]);
    expect(JSON.stringify(results)).not.toContain('wrong-pwd');
    expect(reached).toBe(0);
  });

  it('may be async: Koa answers once it has settled', async () => {
    const url = await loginApp({
      async respond(result, ctx) {
        await delay(20); // a template being rendered
        ctx.type = 'html';
        ctx.body = `<p>${result.status}</p>`;
      },
    });
    const response = await new Browser(url).postForm('/login', tutorialUser);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<p>signed_in</p>');
  });

  it('without it, each handler writes core’s answer: JSON, Cache-Control: no-store', async () => {
    let reached = 0;
    const url = await loginApp(
      {},
      {
        after: () => {
          reached++;
        },
      },
    );
    const response = await new Browser(url).postJson('/login', tutorialUser);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('{"status":"signed_in"}');
    expect(reached).toBe(0);
  });
});

/** The client Auth0 believes auth0-forwarded-for from, with forwardUserIp. */
function trusted(): Partial<PasswordLoginOptions> {
  return { client: loginClient(CLIENTS.trusted), forwardUserIp: true };
}

describe('forwardUserIp: ctx.ip, as app.proxy decides it, becomes auth0-forwarded-for', () => {
  const proxied = { 'x-forwarded-for': '192.0.2.1, 198.51.100.7' };

  it('with app.proxy and maxIpsCount 1: the address the proxy appended', async () => {
    const url = await loginApp(trusted(), { proxy: true });
    expect((await new Browser(url, proxied).postJson('/login', tutorialUser)).status).toBe(200);
    expect((await tokenRequests()).map((entry) => entry.forwardedFor)).toEqual(['198.51.100.7']);
  });

  it('without app.proxy: the socket address; X-Forwarded-For is not believed', async () => {
    const url = await loginApp(trusted());
    expect((await new Browser(url, proxied).postJson('/login', tutorialUser)).status).toBe(200);
    expect((await tokenRequests()).map((entry) => entry.forwardedFor)).toEqual(['127.0.0.1']);
  });

  it('without forwardUserIp: no header at all', async () => {
    const url = await loginApp({ client: loginClient(CLIENTS.trusted) }, { proxy: true });
    expect((await new Browser(url, proxied).postJson('/login', tutorialUser)).status).toBe(200);
    expect((await tokenRequests()).map((entry) => entry.forwardedFor)).toEqual([undefined]);
  });
});
