// The Fastify side of the sign-in, over real HTTP: what the app must register, what
// passwordLogin().tokens adds to the request, how a request that is not signed in is answered,
// the `respond` option, and which IP Fastify hands over. The engine's policies (outcomes, session
// renewal, revocation) are the conformance kit's.
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import {
  Browser,
  CLIENTS,
  listen,
  totp,
  TUTORIAL,
  useMockServer,
  USERS,
} from '@ropkit/test-support';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { authErrorHandler, passwordLogin, type PasswordLoginOptions } from '../src/index.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const SESSION_MISSING =
  'The login routes need a session that can renew its id: register @fastify/cookie and ' +
  '@fastify/session before them';

/** The API the app calls with request.apiFetch(): it records each Authorization header. */
async function downstreamApi(answers: Array<{ status: number; challenge?: string }> = []) {
  const seen: Array<string | undefined> = [];
  const api = await listen((req, res) => {
    seen.push(req.headers.authorization);
    const planned = answers.shift() ?? { status: 200 };
    res.writeHead(planned.status, {
      'content-type': 'application/json',
      ...(planned.challenge === undefined ? {} : { 'www-authenticate': planned.challenge }),
    });
    res.end(JSON.stringify({ path: req.url }));
  });
  return { url: api.url, seen };
}

interface AppOptions {
  /** Fastify's options (trustProxy). */
  fastify?: FastifyServerOptions;
  /** Register @fastify/cookie and @fastify/session. Default `true`. */
  session?: boolean;
  /** Set authErrorHandler() as the error handler. Default `true`. */
  errorHandler?: boolean;
  /** Use the client that Auth0 would take auth0-forwarded-for from. Default: the tutorial's. */
  trusted?: boolean;
  /** More passwordLogin() options. */
  login?: Omit<PasswordLoginOptions, 'client' | 'manager'>;
  /** The token manager's clock (the client's too), for refreshes. */
  clock?: () => number;
  downstreamUrl?: string;
}

/**
 * A Fastify app built as the README shows, listening on 127.0.0.1; the token routes live in an
 * encapsulated scope, to show that `login.tokens` registered on the root reaches it.
 */
async function startApp(options: AppOptions = {}) {
  const client = options.trusted === true ? CLIENTS.trusted : TUTORIAL;
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    },
    ...(options.clock === undefined ? {} : { manager: { clock: options.clock, jitterShare: 0 } }),
    ...options.login,
  });
  const app = Fastify(options.fastify);
  apps.push(app);
  app.addHook('onClose', async () => login.manager.close());
  if (options.errorHandler !== false) app.setErrorHandler(authErrorHandler());
  if (options.session !== false) {
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: randomBytes(32).toString('base64url'),
      cookie: { secure: 'auto' },
      saveUninitialized: false,
    });
  }
  await app.register(fastifyFormbody);
  await app.register(login.tokens);
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);
  const { downstreamUrl } = options;
  await app.register(
    async (api) => {
      api.get('/token', (request) =>
        request.accessToken().then((accessToken) => ({ accessToken })),
      );
      api.get('/orders', (request, reply) =>
        request
          .apiFetch(`${downstreamUrl ?? 'http://127.0.0.1:9'}/orders`)
          .then(async (response) => reply.code(response.status).send(await response.json())),
      );
    },
    { prefix: '/api' },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, login, url };
}

const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

/** Token grants the mock received, in order. */
async function grants() {
  return (await mock.server.control.requests()).filter((entry) => entry.path === '/oauth/token');
}

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('registration', () => {
  it('a login route without @fastify/session fails with an error naming it, before any grant', async () => {
    const { url } = await startApp({ session: false });
    const browser = new Browser(url);
    const response = await browser.postJson('/login', credentials);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ message: SESSION_MISSING });
    // The password never reached the authorization server (no failed attempt was counted).
    expect(await grants()).toEqual([]);
    const logout = await browser.fetch('/logout', { method: 'POST' });
    expect(await logout.json()).toMatchObject({ message: SESSION_MISSING });
  });

  it('request.accessToken() and request.apiFetch() without it say the same, not "sign in"', async () => {
    const { url } = await startApp({ session: false });
    const browser = new Browser(url);
    for (const path of ['/api/token', '/api/orders']) {
      const response = await browser.fetch(path);
      expect([path, response.status, await response.json()]).toMatchObject([
        path,
        500,
        { message: SESSION_MISSING },
      ]);
    }
  });

  it('login.tokens is a fastify-plugin decorating the request in every scope', async () => {
    const { app, login } = await startApp();
    expect(Reflect.get(login.tokens, Symbol.for('plugin-meta'))).toMatchObject({
      name: '@ropkit/fastify/tokens',
      fastify: '5.x',
    });
    expect(app.hasRequestDecorator('accessToken')).toBe(true);
    expect(app.hasRequestDecorator('apiFetch')).toBe(true);
  });
});

describe('request.accessToken() and request.apiFetch() after a sign-in', () => {
  it("use the session's tokens, in an encapsulated scope", async () => {
    const downstream = await downstreamApi();
    const { url } = await startApp({ downstreamUrl: downstream.url });
    const browser = new Browser(url);
    expect((await browser.postForm('/login', credentials)).status).toBe(200);

    const token = await browser.fetch('/api/token');
    expect(token.status).toBe(200);
    const { accessToken } = (await token.json()) as { accessToken: string };
    expect(payloadOf(accessToken)).toMatchObject({
      iss: mock.server.issuer,
      aud: expect.arrayContaining([TUTORIAL.audience]),
    });

    const orders = await browser.fetch('/api/orders');
    expect(orders.status).toBe(200);
    expect(await orders.json()).toEqual({ path: '/orders' });
    expect(downstream.seen).toEqual([`Bearer ${accessToken}`]);
  });
});

describe('a request that is not signed in', () => {
  it('is answered 401 login_required by authErrorHandler(), without calling the API', async () => {
    const downstream = await downstreamApi();
    const { url } = await startApp({ downstreamUrl: downstream.url });
    const browser = new Browser(url);
    for (const path of ['/api/token', '/api/orders']) {
      const response = await browser.fetch(path);
      expect([path, response.status, response.headers.get('cache-control')]).toEqual([
        path,
        401,
        'no-store',
      ]);
      expect(await response.json()).toEqual({
        error: 'login_required',
        error_description: 'Sign in to continue',
      });
    }
    expect(downstream.seen).toEqual([]);
  });

  it('is answered 401 again once signed out', async () => {
    const downstream = await downstreamApi();
    const { url } = await startApp({ downstreamUrl: downstream.url });
    const browser = new Browser(url);
    await browser.postJson('/login', credentials);
    expect((await browser.fetch('/api/orders')).status).toBe(200);
    expect((await browser.fetch('/logout', { method: 'POST' })).status).toBe(204);
    const after = await browser.fetch('/api/orders');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'login_required' });
    expect(downstream.seen).toHaveLength(1);
  });

  it("is answered 401 by Fastify's default handler too, never 500", async () => {
    const { url } = await startApp({ errorHandler: false });
    const browser = new Browser(url);
    for (const path of ['/api/token', '/api/orders']) {
      const response = await browser.fetch(path);
      expect([path, response.status]).toEqual([path, 401]);
      expect(await response.json()).toEqual({
        statusCode: 401,
        code: 'reauthentication_required',
        error: 'Unauthorized',
        message: 'No one is signed in on this session: sign in first',
      });
    }
  });
});

describe('the respond option', () => {
  it('writes each result itself: a redirect after sign-in, a page for a failure, after logout', async () => {
    const calls: Array<{ status: string; url: string; hasSession: boolean }> = [];
    const { url } = await startApp({
      login: {
        respond(result, request, reply) {
          calls.push({
            status: result.status,
            url: request.url,
            hasSession: Reflect.get(request, 'session') !== undefined,
          });
          if (result.status === 'signed_in') return reply.redirect('/api/token', 303);
          if (result.status === 'signed_out') return reply.redirect('/', 303);
          const message = 'message' in result ? result.message : 'Enter your code';
          return reply.code(422).type('text/html').send(`<p>${message}</p>`);
        },
      },
    });
    const browser = new Browser(url);

    const wrong = await browser.postForm('/login', { ...credentials, password: 'wrong' });
    expect(wrong.status).toBe(422);
    expect(wrong.headers.get('content-type')).toBe('text/html');
    expect(await wrong.text()).toBe('<p>Wrong email or password</p>');

    const signedIn = await browser.postForm('/login', credentials);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/api/token');
    // The renewed session's cookie came with the redirect: the next request is signed in.
    expect((await browser.fetch('/api/token')).status).toBe(200);

    const out = await browser.fetch('/logout', { method: 'POST' });
    expect(out.status).toBe(303);
    expect((await browser.fetch('/api/token')).status).toBe(401);

    expect(calls).toEqual([
      { status: 'invalid_credentials', url: '/login', hasSession: true },
      { status: 'signed_in', url: '/login', hasSession: true },
      { status: 'signed_out', url: '/logout', hasSession: true },
    ]);
  });

  it('may return a value for Fastify to send', async () => {
    const { url } = await startApp({
      login: { respond: (result) => ({ outcome: result.status }) },
    });
    const response = await new Browser(url).postJson('/login', credentials);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'signed_in' });
  });
});

describe('forwardUserIp sends request.ip as auth0-forwarded-for', () => {
  const proxied = { 'x-forwarded-for': '203.0.113.9' };

  it("honours Fastify's trustProxy: without it, X-Forwarded-For is ignored", async () => {
    const { url } = await startApp({ trusted: true, login: { forwardUserIp: true } });
    const response = await new Browser(url, proxied).postJson('/login', credentials);
    expect(response.status).toBe(200);
    expect((await grants()).map((entry) => entry.forwardedFor)).toEqual(['127.0.0.1']);
  });

  it('with trustProxy, the client IP on sign-in, MFA and every refresh', async () => {
    let offsetMs = 0;
    const downstream = await downstreamApi([
      { status: 200 },
      // The API refuses the token once: apiFetch refreshes and repeats the call.
      { status: 401, challenge: 'Bearer error="invalid_token"' },
    ]);
    const { url } = await startApp({
      fastify: { trustProxy: 'loopback' },
      trusted: true,
      login: { forwardUserIp: true },
      clock: () => Date.now() + offsetMs,
      downstreamUrl: downstream.url,
    });
    const browser = new Browser(url, proxied);
    const mfa = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(mfa.status).toBe(401);
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    expect((await browser.postJson('/login/otp', { otp })).status).toBe(200);

    expect((await browser.fetch('/api/orders')).status).toBe(200);
    expect((await browser.fetch('/api/orders')).status).toBe(200);
    // request.accessToken() refreshes once the token is due (80% of its 24 hours).
    offsetMs = 0.9 * 86_400_000;
    expect((await browser.fetch('/api/token')).status).toBe(200);

    const sent = (await grants()).map((entry) => [entry.grantType, entry.forwardedFor]);
    expect(sent).toEqual([
      ['password', '203.0.113.9'],
      ['http://auth0.com/oauth/grant-type/mfa-otp', '203.0.113.9'],
      ['refresh_token', '203.0.113.9'],
      ['refresh_token', '203.0.113.9'],
    ]);
    expect(downstream.seen).toHaveLength(3);
  });
});
