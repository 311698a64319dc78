import {
  ReauthenticationRequiredError,
  TokenClient,
  TokenManager,
  type TokenClientOptions,
} from '@ropkit/core';
import { startMockServer } from '@ropkit/mock-server';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { describe, expect, it } from 'vitest';
import { auth, passwordLogin, type PasswordLoginOptions } from '../src/index.js';
import {
  BRUTE_FORCE_THRESHOLD,
  Browser,
  TRUSTED_CLIENT,
  TUTORIAL,
  USERS,
  serve,
  testTenant,
  totp,
  useMockServer,
  verifierOptions,
} from './support.js';

const mock = useMockServer();

const SESSION_SECRET = 'test-session-secret-0123456789';

/** A clock shared by the token client, the manager and the API, moved with the mock's. */
function sharedClock() {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    async advance(seconds: number) {
      await mock.server.control.advanceClock(seconds);
      offsetMs += seconds * 1000;
    },
  };
}

function clientOptions(
  overrides: Partial<TokenClientOptions> = {},
  server = mock.server,
): TokenClientOptions {
  return {
    tokenEndpoint: server.tokenEndpoint,
    clientId: TRUSTED_CLIENT.clientId,
    clientSecret: TRUSTED_CLIENT.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
    ...overrides,
  };
}

interface AppOptions {
  login?: Partial<PasswordLoginOptions>;
  trustProxy?: boolean;
  apiUrl?: string;
  withSession?: boolean;
}

/** Answers a missing sign-in with 401, anything else with 500 and the message. */
const testErrors: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof ReauthenticationRequiredError) {
    res.status(401).json({ error: 'reauthentication_required' });
  } else {
    res.status(500).json({ error: error instanceof Error ? error.message : 'unknown' });
  }
};

/** A browser-facing app: express-session (in memory), the login routes and two API callers. */
async function browserApp(options: AppOptions = {}) {
  const store = new session.MemoryStore();
  const login = passwordLogin({
    client: clientOptions(),
    ...options.login,
  } as PasswordLoginOptions);
  const app = express();
  if (options.trustProxy === true) app.set('trust proxy', 'loopback');
  if (options.withSession !== false) {
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false, store }));
  }
  app.use(login.tokens);
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);
  app.get('/visit', (req, res) => {
    Reflect.set(req.session, 'visited', true);
    res.status(204).end();
  });
  // For the tests only: a real app never shows a token to the browser.
  app.get('/token', (req, res, next) => {
    req.accessToken().then((token) => res.json({ token }), next);
  });
  app.get('/call', (req, res, next) => {
    req
      .apiFetch(`${options.apiUrl}/api/private`)
      .then(async (answer) => res.status(answer.status).json(await answer.json()))
      .catch(next);
  });
  app.use(testErrors);
  const { url } = await serve(app);
  return { url, login, store };
}

/** An API protected by auth(), on the given clock. */
async function protectedApi(clock: () => number) {
  const app = express();
  app.get('/api/private', auth(verifierOptions(mock.server, { clock })), (req, res) => {
    res.json({ sub: req.auth?.payload.sub, iat: req.auth?.payload.iat });
  });
  return serve(app);
}

function allSessions(store: session.MemoryStore): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    store.all((error: unknown, sessions) => {
      if (error !== null && error !== undefined) reject(error);
      else resolve(sessions ?? {});
    });
  });
}

/** The token key the one stored session holds. */
async function storedKey(store: session.MemoryStore): Promise<string> {
  const sessions = Object.values(await allSessions(store));
  expect(sessions).toHaveLength(1);
  const key: unknown = Reflect.get(sessions[0] as object, 'ropkitTokenKey');
  expect(key).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
  return String(key);
}

async function tokenRequests() {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/token');
}

const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

describe('login: form and JSON bodies', () => {
  it('signs in from JSON and keeps only a random key in the session', async () => {
    const { url, login, store } = await browserApp();
    const browser = new Browser(url);
    const response = await browser.postJson('/login', credentials);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'signed_in' });

    const key = await storedKey(store);
    const tokens = await login.manager.getTokenSet(key);
    expect(tokens.refreshToken).toEqual(expect.any(String));
    // Neither the cookie nor the session record holds a token, the password or the secret.
    const stored = JSON.stringify(await allSessions(store));
    for (const secret of [
      tokens.accessToken,
      tokens.refreshToken ?? '',
      tokens.idToken ?? '',
      TUTORIAL.password,
      TRUSTED_CLIENT.clientSecret,
    ]) {
      expect(secret).not.toBe('');
      expect(browser.cookieHeader).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect([...browser.cookies.keys()]).toEqual(['connect.sid']);
    expect(Object.keys(Object.values(await allSessions(store))[0] as object).toSorted()).toEqual([
      'cookie',
      'ropkitTokenKey',
    ]);

    const token = await browser.fetch('/token');
    expect(await token.json()).toEqual({ token: tokens.accessToken });
  });

  it('signs in from a form, with the realm field choosing the connection', async () => {
    const { url } = await browserApp();
    const browser = new Browser(url);
    const response = await browser.postForm('/login', {
      email: USERS.employee.email,
      password: USERS.employee.password,
      realm: 'employees',
    });
    expect(await response.json()).toEqual({ status: 'signed_in' });
    expect((await tokenRequests()).map((entry) => entry.grantType)).toEqual([
      'http://auth0.com/oauth/grant-type/password-realm',
    ]);
  });

  it('uses the configured realm by default', async () => {
    const { url } = await browserApp({ login: { realm: 'employees' } });
    const response = await new Browser(url).postJson('/login', {
      username: USERS.employee.email,
      password: USERS.employee.password,
    });
    expect(response.status).toBe(200);
  });

  it('works when the app parsed the body already', async () => {
    const login = passwordLogin({ client: clientOptions() });
    const app = express();
    app.use(
      express.json(),
      session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }),
    );
    app.post('/login', login.login);
    const { url } = await serve(app);
    expect((await new Browser(url).postJson('/login', credentials)).status).toBe(200);
  });

  it('wrong password: 401 invalid_credentials, no session, nothing echoed', async () => {
    const { url, store } = await browserApp();
    const browser = new Browser(url);
    const response = await browser.postJson('/login', { ...credentials, password: 'wrong-guess' });
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({
      status: 'invalid_credentials',
      message: 'Wrong email or password',
    });
    expect(body).not.toContain('wrong-guess');
    expect(browser.cookies.size).toBe(0);
    expect(await allSessions(store)).toEqual({});
  });

  it('missing fields: answered without asking the authorization server', async () => {
    const { url } = await browserApp();
    const response = await new Browser(url).postJson('/login', { username: TUTORIAL.username });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: 'invalid_request',
      message: 'Enter your email and password',
    });
    expect(await tokenRequests()).toEqual([]);
  });

  it('a blocked user: 403 blocked', async () => {
    const { url } = await browserApp();
    const response = await new Browser(url).postForm('/login', {
      username: USERS.blocked.email,
      password: USERS.blocked.password,
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      status: 'blocked',
      message: 'This account is blocked',
    });
  });

  it('renews the session id on sign-in (no session fixation)', async () => {
    const { url } = await browserApp();
    const browser = new Browser(url);
    await browser.fetch('/visit');
    const planted = browser.cookieHeader;
    expect(planted).toMatch(/^connect\.sid=/);
    await browser.postJson('/login', credentials);
    expect(browser.cookieHeader).not.toBe(planted);
    expect((await browser.fetch('/token')).status).toBe(200);
    const attacker = await fetch(`${url}/token`, { headers: { cookie: planted } });
    expect(attacker.status).toBe(401);
  });

  it('lets `respond` turn results into redirects for an HTML form', async () => {
    const { url } = await browserApp({
      login: {
        respond: (result, _req, res) => {
          if (result.status === 'signed_in') res.redirect(303, '/home');
          else res.status(400).type('html').send('<p>Try again</p>');
        },
      },
    });
    const browser = new Browser(url);
    const ok = await browser.postForm('/login', credentials);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/home');
    const bad = await browser.postForm('/login', { ...credentials, password: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('<p>Try again</p>');
  });
});

describe('login: MFA with a one-time password', () => {
  it('keeps the mfa_token server-side and finishes with the OTP in a new session', async () => {
    const { url, store } = await browserApp();
    const browser = new Browser(url);
    const first = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(first.status).toBe(401);
    expect(await first.json()).toEqual({ status: 'mfa_required' });
    const pendingCookie = browser.cookieHeader;
    expect(pendingCookie).toMatch(/^connect\.sid=/);
    // The pending session holds the key only (the mfa_token lives in the login flow).
    await storedKey(store);
    expect((await browser.fetch('/token')).status).toBe(401);

    const wrong = await browser.postForm('/login/otp', { otp: '000000' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status: 'invalid_otp' });

    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await browser.postJson('/login/otp', { otp });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: 'signed_in' });
    expect(browser.cookieHeader).not.toBe(pendingCookie);
    expect((await browser.fetch('/token')).status).toBe(200);
    expect((await fetch(`${url}/token`, { headers: { cookie: pendingCookie } })).status).toBe(401);
  });

  it('an OTP without a pending sign-in is refused', async () => {
    const { url } = await browserApp();
    const response = await new Browser(url).postJson('/login/otp', { otp: '123456' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      status: 'invalid_otp',
      message: 'The sign-in step expired: sign in again',
    });
  });
});

describe('login: brute-force protection and the end user IP (auth0-forwarded-for)', () => {
  const attacker = '198.51.100.9';
  const user = '203.0.113.5';

  async function failAsAttacker(url: string) {
    const browser = new Browser(url, { 'x-forwarded-for': attacker });
    for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) {
      const response = await browser.postJson('/login', { ...credentials, password: `guess-${i}` });
      expect(response.status).toBe(401);
    }
    return browser;
  }

  it('without forwardUserIp, an attacker locks every user out (all logins come from the app)', async () => {
    const { url } = await browserApp({ trustProxy: true });
    await failAsAttacker(url);
    const response = await new Browser(url, { 'x-forwarded-for': user }).postJson(
      '/login',
      credentials,
    );
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ status: 'too_many_attempts' });
    expect((await tokenRequests()).every((entry) => entry.forwardedFor === undefined)).toBe(true);
  });

  it('with forwardUserIp and trust proxy, only the attacker IP is blocked', async () => {
    const { url } = await browserApp({ trustProxy: true, login: { forwardUserIp: true } });
    const attackerBrowser = await failAsAttacker(url);
    const blocked = await attackerBrowser.postJson('/login', credentials);
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ status: 'too_many_attempts' });

    const response = await new Browser(url, { 'x-forwarded-for': user }).postJson(
      '/login',
      credentials,
    );
    expect(response.status).toBe(200);
    const forwarded = (await tokenRequests()).map((entry) => entry.forwardedFor);
    expect(forwarded).toContain(attacker);
    expect(forwarded).toContain(user);
  });

  it('without trust proxy, X-Forwarded-For is not believed: the socket address is sent', async () => {
    const { url } = await browserApp({ login: { forwardUserIp: true } });
    await new Browser(url, { 'x-forwarded-for': attacker }).postJson('/login', credentials);
    expect((await tokenRequests()).map((entry) => entry.forwardedFor)).toEqual(['127.0.0.1']);
  });

  it('rate limiting: 429 rate_limited with Retry-After', async () => {
    const limited = await startMockServer(
      testTenant({ rateLimit: { limit: 1, windowSeconds: 3600 } }),
    );
    try {
      const { url } = await browserApp({
        login: { client: clientOptions({}, limited) },
      });
      const browser = new Browser(url);
      expect((await browser.postJson('/login', credentials)).status).toBe(200);
      const response = await browser.postJson('/login', credentials);
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({
        status: 'rate_limited',
        retryAfter: expect.any(Number),
      });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('req.accessToken() and req.apiFetch(): the session tokens, refreshed when due', () => {
  it('calls the API with the session token and refreshes it after the clocks advance', async () => {
    const clock = sharedClock();
    const api = await protectedApi(clock.now);
    const { url } = await browserApp({
      apiUrl: api.url,
      login: { client: clientOptions({ clock: clock.now }), manager: { clock: clock.now } },
    });
    const browser = new Browser(url);
    expect((await browser.postJson('/login', credentials)).status).toBe(200);

    const first = await browser.fetch('/call');
    expect(first.status).toBe(200);
    const firstClaims = (await first.json()) as { sub: string; iat: number };
    expect(firstClaims.sub).toMatch(/^auth0\|/);
    const firstToken = ((await (await browser.fetch('/token')).json()) as { token: string }).token;

    // Past the refresh point (80% of the 24 h lifetime, less jitter), before expiry.
    await clock.advance(0.9 * 86_400);
    const second = await browser.fetch('/call');
    expect(second.status).toBe(200);
    const secondClaims = (await second.json()) as { sub: string; iat: number };
    expect(secondClaims.sub).toBe(firstClaims.sub);
    expect(secondClaims.iat).toBeGreaterThan(firstClaims.iat);
    const secondToken = ((await (await browser.fetch('/token')).json()) as { token: string }).token;
    expect(secondToken).not.toBe(firstToken);
    expect((await tokenRequests()).map((entry) => entry.grantType)).toEqual([
      'password',
      'refresh_token',
    ]);
  });

  it('passes the end user IP on refreshes when forwardUserIp is on', async () => {
    const clock = sharedClock();
    const api = await protectedApi(clock.now);
    const { url } = await browserApp({
      apiUrl: api.url,
      trustProxy: true,
      login: {
        client: clientOptions({ clock: clock.now }),
        manager: { clock: clock.now },
        forwardUserIp: true,
      },
    });
    const browser = new Browser(url, { 'x-forwarded-for': '203.0.113.7' });
    await browser.postJson('/login', credentials);
    await clock.advance(0.9 * 86_400);
    expect((await browser.fetch('/call')).status).toBe(200);
    const refresh = (await tokenRequests()).find((entry) => entry.grantType === 'refresh_token');
    expect(refresh?.forwardedFor).toBe('203.0.113.7');
  });

  it('rejects with ReauthenticationRequiredError when the session is not signed in', async () => {
    const { url } = await browserApp();
    const response = await new Browser(url).fetch('/token');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'reauthentication_required' });
  });
});

describe('logout', () => {
  it('revokes the refresh token and forgets the tokens and the key', async () => {
    const { url, login, store } = await browserApp();
    const browser = new Browser(url);
    await browser.postJson('/login', credentials);
    const key = await storedKey(store);
    const { refreshToken } = await login.manager.getTokenSet(key);

    const response = await browser.fetch('/logout', { method: 'POST' });
    expect(response.status).toBe(204);
    expect((await mock.server.control.requests()).map((entry) => entry.path)).toContain(
      '/oauth/revoke',
    );
    await expect(login.manager.getTokenSet(key)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
    expect((await browser.fetch('/token')).status).toBe(401);
    for (const stored of Object.values(await allSessions(store))) {
      expect(Reflect.get(stored as object, 'ropkitTokenKey')).toBeUndefined();
    }
    // The authorization server refuses the revoked refresh token.
    const client = new TokenClient(clientOptions());
    await expect(client.refresh({ refreshToken: refreshToken ?? '' })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('answers 204 without calling the server when the session is not signed in', async () => {
    const { url } = await browserApp();
    expect((await new Browser(url).fetch('/logout', { method: 'POST' })).status).toBe(204);
    expect(await mock.server.control.requests()).toEqual([]);
  });

  it('a new sign-in in the same session revokes the previous one', async () => {
    const { url, login, store } = await browserApp();
    const browser = new Browser(url);
    await browser.postJson('/login', credentials);
    const firstKey = await storedKey(store);
    await browser.postJson('/login', credentials);
    const secondKey = await storedKey(store);
    expect(secondKey).not.toBe(firstKey);
    await expect(login.manager.getTokenSet(firstKey)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
    expect((await mock.server.control.requests()).map((entry) => entry.path)).toContain(
      '/oauth/revoke',
    );
    expect((await browser.fetch('/token')).status).toBe(200);
  });
});

describe('passwordLogin(): declaration and wiring errors', () => {
  it('needs a session middleware, and says so', async () => {
    const { url } = await browserApp({ withSession: false });
    const response = await new Browser(url).postJson('/login', credentials);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error:
        'passwordLogin() needs a session middleware with regenerate() before it, such as express-session',
    });
    expect(await tokenRequests()).toEqual([]);
  });

  it('checks its options when created', () => {
    const manager = new TokenManager({ client: new TokenClient(clientOptions()) });
    expect(() => passwordLogin(undefined as unknown as PasswordLoginOptions)).toThrow(TypeError);
    expect(() => passwordLogin({} as PasswordLoginOptions)).toThrow(
      '"client" must be a TokenClient or TokenClient options',
    );
    expect(() =>
      passwordLogin({ client: clientOptions(), manager } as unknown as PasswordLoginOptions),
    ).toThrow('Give "client" or a ready "manager", not both');
    expect(() =>
      passwordLogin({ client: clientOptions(), respond: 'json' as unknown as () => void }),
    ).toThrow('"respond" must be a function');
    expect(() =>
      passwordLogin({ client: clientOptions(), forwardUserIp: 'yes' as unknown as boolean }),
    ).toThrow(TypeError);
    expect(() => passwordLogin({ client: { clientId: 'x' } as TokenClientOptions })).toThrow(
      TypeError,
    );
    expect(() =>
      passwordLogin({ client: clientOptions(), forwardUserip: true } as PasswordLoginOptions),
    ).toThrow('Unknown passwordLogin() option "forwardUserip"');
  });

  it('accepts a ready TokenManager', async () => {
    const manager = new TokenManager({ client: new TokenClient(clientOptions()) });
    const { url, login } = await browserApp({ login: { manager, client: undefined } });
    expect(login.manager).toBe(manager);
    expect((await new Browser(url).postJson('/login', credentials)).status).toBe(200);
  });
});
