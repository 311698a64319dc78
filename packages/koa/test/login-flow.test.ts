import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { startMockServer } from '@ropkit/mock-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TokenError,
  TokenManager,
  TokenClient,
  createAccessTokenVerifier,
  type TokenClientOptions,
} from '@ropkit/core';
import {
  ReauthenticationRequiredError,
  SESSION_TOKEN_KEY_FIELD,
  auth,
  authErrors,
  passwordLogin,
  requireScopes,
  type PasswordLoginHandlers,
} from '../src/index.js';
import {
  Browser,
  TRUSTED_CLIENT,
  TUTORIAL,
  USERS,
  listen,
  testTenant,
  totp,
  useMockServer,
  verifierOptions,
  type Listening,
} from './support.js';

const mock = useMockServer();

/** The test's notion of "now": the manager, the token client and the API all read it. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

/** Moves the mock's clock and ours forward together. */
async function advance(seconds: number): Promise<void> {
  offsetMs += seconds * 1000;
  await mock.server.control.advanceClock(seconds);
}

/** The downstream API the app calls: needs read:sample; tells who called, with which token. */
let api: Listening;
beforeAll(async () => {
  const koa = new Koa();
  koa.use(authErrors());
  koa.use(auth({ ...verifierOptions(mock.server), clock }));
  koa.use(requireScopes('read:sample'));
  koa.use((ctx) => {
    ctx.body = { sub: ctx.state.auth?.payload.sub, iat: ctx.state.auth?.payload.iat };
  });
  api = await listen(koa);
});
afterAll(async () => {
  await api.close();
});

let app: Listening | undefined;
let appErrors: unknown[] = [];
beforeEach(() => {
  offsetMs = 0;
  appErrors = [];
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function tutorialClient(clientOverrides: Record<string, unknown> = {}) {
  return {
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
    clock,
    ...clientOverrides,
  };
}

/**
 * An app as a user would write it: koa-session with its default cookie store (so the test can
 * read everything the session holds), @koa/bodyparser, the adapter's login routes.
 */
/** What a test changes in the app's passwordLogin() options. */
interface TestLoginOptions {
  client?: TokenClientOptions;
  realm?: string;
  forwardUserIp?: boolean;
}

async function startApp(
  options: TestLoginOptions = {},
  settings: { proxy?: boolean } = {},
): Promise<{ url: string; signIn: PasswordLoginHandlers }> {
  const koa = new Koa();
  koa.keys = ['test-cookie-signing-key'];
  koa.proxy = settings.proxy ?? false;
  koa.maxIpsCount = 1;
  koa.on('error', (error: unknown) => appErrors.push(error));
  koa.use(authErrors());
  koa.use(session(koa));
  koa.use(bodyParser());
  const signIn = passwordLogin({
    client: tutorialClient(),
    manager: { clock },
    ...options,
  });
  koa.use(signIn.middleware);
  const router = new Router();
  router.post('/login', signIn.login);
  router.post('/login/otp', signIn.verifyOtp);
  router.post('/logout', signIn.logout);
  // A form login that redirects, using the outcome the handler leaves on ctx.state.
  router.post('/form-login', signIn.login, (ctx) => {
    if (ctx.state.loginOutcome?.status === 'signed_in') ctx.redirect('/home');
  });
  router.get('/call-api', async (ctx) => {
    const response = await ctx.state.apiFetch(api.url);
    ctx.status = response.status;
    ctx.body = await response.json();
  });
  router.get('/whoami', async (ctx) => {
    try {
      const token = await ctx.state.accessToken();
      const verified = await createAccessTokenVerifier({
        ...verifierOptions(mock.server),
        clock,
      }).verify(token);
      ctx.body = { sub: verified.payload.sub };
    } catch (error) {
      if (!(error instanceof ReauthenticationRequiredError)) throw error;
      ctx.status = 401;
      ctx.body = { status: 'sign_in_first' };
    }
  });
  koa.use(router.routes());
  app = await listen(koa);
  return { url: app.url, signIn };
}

/** Login options with the client whose auth0-forwarded-for the mock trusts. */
function trustedClient(): TestLoginOptions {
  return { client: tutorialClient(TRUSTED_CLIENT) };
}

const tutorialUser = { username: TUTORIAL.username, password: TUTORIAL.password };

/** The koa-session cookie (default cookie store) decoded: everything the session holds. */
function sessionContents(browser: Browser): Record<string, unknown> {
  const value = browser.cookies.get('koa.sess');
  if (value === undefined) throw new Error('no session cookie');
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>;
}

async function grantTypesSent(): Promise<(string | undefined)[]> {
  return (await mock.server.control.requests())
    .filter((entry) => entry.path === '/oauth/token')
    .map((entry) => entry.grantType);
}

describe('POST /login', () => {
  it('signs in from a JSON body; the session cookie holds only a random key, never a token', async () => {
    const { url, signIn } = await startApp();
    const browser = new Browser(url);
    const response = await browser.postJson('/login', tutorialUser);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'signed_in' });

    const contents = sessionContents(browser);
    expect(Object.keys(contents).filter((name) => !name.startsWith('_'))).toEqual([
      SESSION_TOKEN_KEY_FIELD,
    ]);
    const key = contents[SESSION_TOKEN_KEY_FIELD];
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // The tokens are in the manager under that key, and appear in no cookie.
    const tokens = await signIn.manager.getTokenSet(String(key));
    expect(tokens.refreshToken).toEqual(expect.any(String));
    for (const line of browser.setCookies) {
      expect(line).not.toContain(tokens.accessToken);
      expect(line).not.toContain(String(tokens.refreshToken));
      expect(line).not.toContain(String(tokens.idToken));
      expect(line).not.toContain(TUTORIAL.password);
    }
  });

  it('signs in from a form body', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    const response = await browser.postForm('/login', {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(response.status).toBe(200);
    expect((await browser.request('/whoami')).status).toBe(200);
  });

  it('answers wrong credentials with 401 invalid_credentials, without echoing them, and sets no session', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    const response = await browser.postJson('/login', {
      username: TUTORIAL.username,
      password: 'not-the-pwd',
    });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      status: 'invalid_credentials',
      message: 'Wrong email or password',
    });
    expect(text).not.toContain('not-the-pwd');
    expect(browser.cookies.size).toBe(0);
  });

  it('answers 400 invalid_request when the username or password is missing (or no body parser ran)', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    const missing = await browser.postJson('/login', { username: TUTORIAL.username });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      status: 'invalid_request',
      message: 'Enter your email and password',
    });
    const text = await browser.request('/login', {
      method: 'POST',
      body: 'username=a&password=b',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(await grantTypesSent()).toEqual([]);
  });

  it('answers a blocked user with 403 blocked', async () => {
    const { url } = await startApp();
    const response = await new Browser(url).postJson('/login', {
      username: USERS.blocked.email,
      password: USERS.blocked.password,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      status: 'blocked',
      message: 'This account is blocked',
    });
  });

  it('uses the realm option as the password-realm connection', async () => {
    const { url } = await startApp({ realm: TUTORIAL.connection });
    expect((await new Browser(url).postJson('/login', tutorialUser)).status).toBe(200);
    expect(await grantTypesSent()).toEqual(['http://auth0.com/oauth/grant-type/password-realm']);
  });

  it('puts the outcome on ctx.state.loginOutcome and calls next(), so a form can redirect', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    const wrong = await browser.postForm('/form-login', {
      username: TUTORIAL.username,
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    const right = await browser.postForm('/form-login', tutorialUser);
    expect(right.status).toBe(302);
    expect(right.headers.get('location')).toBe('/home');
    expect((await browser.request('/whoami')).status).toBe(200);
  });

  it('a new sign-in on the same session revokes the tokens of the previous one', async () => {
    const { url, signIn } = await startApp();
    const browser = new Browser(url);
    await browser.postJson('/login', tutorialUser);
    const firstKey = String(sessionContents(browser)[SESSION_TOKEN_KEY_FIELD]);
    await browser.postJson('/login', tutorialUser);
    const secondKey = String(sessionContents(browser)[SESSION_TOKEN_KEY_FIELD]);
    expect(secondKey).not.toBe(firstKey);
    await expect(signIn.manager.getAccessToken(firstKey)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
    const revocations = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/revoke',
    );
    expect(revocations.map((entry) => entry.status)).toEqual([200]);
  });
});

describe('rate limit of the token endpoint', () => {
  it('answers 429 rate_limited with the Retry-After the authorization server sent', async () => {
    await using limited = await startMockServer(
      testTenant({ rateLimit: { limit: 1, windowSeconds: 60 } }),
    );
    const { url } = await startApp({
      client: tutorialClient({ tokenEndpoint: limited.tokenEndpoint }),
    });
    const browser = new Browser(url);
    expect((await browser.postJson('/login', tutorialUser)).status).toBe(200);
    const response = await browser.postJson('/login', tutorialUser);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await response.json()).toEqual({
      status: 'rate_limited',
      message: 'Too many requests: try again later',
      retryAfter: Number(response.headers.get('retry-after')),
    });
  });
});

describe('MFA: POST /login then POST /login/otp', () => {
  it('keeps the mfa_token server-side and finishes the sign-in with a TOTP code', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    const first = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(first.status).toBe(401);
    // Nothing but the status: the mfa_token never leaves the server.
    expect(await first.text()).toBe('{"status":"mfa_required"}');
    expect((await browser.request('/whoami')).status).toBe(401);

    const wrong = await browser.postJson('/login/otp', { otp: '000000' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ status: 'invalid_otp', message: 'The code is not valid' });

    const code = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await browser.postForm('/login/otp', { otp: code });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: 'signed_in' });
    expect((await browser.request('/call-api')).status).toBe(200);
    for (const line of browser.setCookies) expect(line).not.toContain(USERS.mfa.totpSecret);
  });

  it('refuses an OTP on a session that started no MFA step', async () => {
    const { url } = await startApp();
    const response = await new Browser(url).postJson('/login/otp', { otp: '123456' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      status: 'invalid_otp',
      message: 'The sign-in step expired: sign in again',
    });
  });

  it('refuses a code that is not 6 to 8 digits without calling Auth0', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    await browser.postJson('/login', { username: USERS.mfa.email, password: USERS.mfa.password });
    const response = await browser.postJson('/login/otp', { otp: 'abc' });
    expect(response.status).toBe(401);
    expect(await grantTypesSent()).toEqual(['password']);
  });
});

describe('auth0-forwarded-for and brute-force protection', () => {
  const attacker = { 'x-forwarded-for': '203.0.113.66' };
  const user = { 'x-forwarded-for': '198.51.100.7' };

  async function attack(url: string): Promise<void> {
    const browser = new Browser(url, attacker);
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await browser.postJson('/login', {
        username: TUTORIAL.username,
        password: `guess-${attempt}`,
      });
      expect(response.status).toBe(401);
    }
  }

  it("with forwardUserIp and app.proxy, an attacker's failures block only the attacker's IP", async () => {
    const { url } = await startApp({ ...trustedClient(), forwardUserIp: true }, { proxy: true });
    await attack(url);
    const blocked = await new Browser(url, attacker).postJson('/login', tutorialUser);
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ status: 'too_many_attempts' });

    const legit = await new Browser(url, user).postJson('/login', tutorialUser);
    expect(legit.status).toBe(200);
    const sent = (await mock.server.control.requests()).map((entry) => entry.forwardedFor);
    expect(sent).toEqual([...Array<string>(4).fill('203.0.113.66'), '198.51.100.7']);
  });

  it('without forwardUserIp, every user shares the server IP and one attacker locks the user out', async () => {
    const { url } = await startApp(trustedClient(), { proxy: true });
    await attack(url);
    const legit = await new Browser(url, user).postJson('/login', tutorialUser);
    expect(legit.status).toBe(429);
    expect(
      (await mock.server.control.requests()).every((entry) => entry.forwardedFor === undefined),
    ).toBe(true);
  });

  it('without app.proxy, X-Forwarded-For is not trusted: the socket address is forwarded', async () => {
    const { url } = await startApp({ ...trustedClient(), forwardUserIp: true });
    await new Browser(url, attacker).postJson('/login', tutorialUser);
    const [entry] = await mock.server.control.requests();
    expect(entry?.forwardedFor).toBe('127.0.0.1');
  });
});

describe('ctx.state.accessToken() and ctx.state.apiFetch()', () => {
  it('call the API with the session token, and refresh it once the clocks pass the refresh time', async () => {
    const { url } = await startApp({ forwardUserIp: true });
    const browser = new Browser(url);
    await browser.postJson('/login', tutorialUser);
    const first = await browser.request('/call-api');
    expect(first.status).toBe(200);
    const before = (await first.json()) as { sub: string; iat: number };
    expect(before.sub).toMatch(/^auth0\|/);

    // 90% of the mock's 24 h token lifetime: past the manager's refresh time (80%), before expiry.
    await advance(0.9 * 86_400);
    const second = await browser.request('/call-api');
    expect(second.status).toBe(200);
    const after = (await second.json()) as { sub: string; iat: number };
    expect(after.sub).toBe(before.sub);
    expect(after.iat).toBeGreaterThan(before.iat);
    expect(await grantTypesSent()).toEqual(['password', 'refresh_token']);
    // The refresh carried the user's IP too.
    const refresh = (await mock.server.control.requests()).find(
      (entry) => entry.grantType === 'refresh_token',
    );
    expect(refresh?.forwardedFor).toBe('127.0.0.1');

    expect(await (await browser.request('/whoami')).json()).toEqual({ sub: before.sub });
    expect(await grantTypesSent()).toHaveLength(2);
  });

  it('reject with ReauthenticationRequiredError when no one is signed in', async () => {
    const { url } = await startApp();
    const response = await new Browser(url).request('/whoami');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 'sign_in_first' });
  });
});

describe('POST /logout', () => {
  it('revokes the refresh token, forgets the tokens and ends the session', async () => {
    const { url, signIn } = await startApp();
    const browser = new Browser(url);
    await browser.postJson('/login', tutorialUser);
    const key = String(sessionContents(browser)[SESSION_TOKEN_KEY_FIELD]);
    const stolenCookies = new Map(browser.cookies);

    const response = await browser.request('/logout', { method: 'POST' });
    expect(response.status).toBe(204);
    expect(browser.cookies.has('koa.sess')).toBe(false);
    const revocations = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/revoke',
    );
    expect(revocations.map((entry) => entry.status)).toEqual([200]);
    await expect(signIn.manager.getAccessToken(key)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );

    // An old copy of the cookie names a key whose tokens are gone.
    const replay = new Browser(url);
    for (const [name, value] of stolenCookies) replay.cookies.set(name, value);
    expect((await replay.request('/whoami')).status).toBe(401);
  });

  it('still signs out when the revocation fails, and reports the failure on the app error event', async () => {
    const { url } = await startApp();
    const browser = new Browser(url);
    await browser.postJson('/login', tutorialUser);
    await mock.server.control.queueFault({
      endpoint: '/oauth/revoke',
      kind: 'status',
      status: 503,
    });
    const response = await browser.request('/logout', { method: 'POST' });
    expect(response.status).toBe(204);
    expect((await browser.request('/whoami')).status).toBe(401);
    expect(appErrors).toHaveLength(1);
    expect(appErrors[0]).toBeInstanceOf(TokenError);
  });

  it('answers 204 on a session that was never signed in', async () => {
    const { url } = await startApp();
    expect((await new Browser(url).request('/logout', { method: 'POST' })).status).toBe(204);
    expect(await mock.server.control.requests()).toEqual([]);
  });
});

describe('passwordLogin() options', () => {
  it('throws a TypeError at declaration, naming the option and never its value', () => {
    expect(() => passwordLogin(undefined as never)).toThrow(TypeError);
    expect(() => passwordLogin({} as never)).toThrow(
      '"client" must be a TokenClient or TokenClient options',
    );
    expect(() => passwordLogin({ client: tutorialClient(), forwardUserip: true } as never)).toThrow(
      'Unknown passwordLogin() option "forwardUserip"',
    );
    expect(() =>
      passwordLogin({ client: tutorialClient(), forwardUserIp: 'yes' as never }),
    ).toThrow(TypeError);
    expect(() => passwordLogin({ client: tutorialClient(), realm: '' })).toThrow(TypeError);
    const secret = 'super-secret-value-1234';
    let message = '';
    try {
      passwordLogin({
        client: { tokenEndpoint: 'not a url', clientId: 'c', clientSecret: secret },
      });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/TypeError/);
    expect(message).not.toContain(secret);
  });

  it('accepts a ready TokenManager instead of client, but not both', () => {
    const manager = new TokenManager({ client: new TokenClient(tutorialClient()) });
    expect(passwordLogin({ manager }).manager).toBe(manager);
    expect(() => passwordLogin({ manager, client: tutorialClient() } as never)).toThrow(TypeError);
  });
});
