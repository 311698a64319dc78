import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { Browser, listen, TUTORIAL, USERS, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { passwordLogin } from '../src/index.js';

const mock = useMockServer();

const MESSAGE =
  'The login routes need a session that can renew its id: register express-session before them';

/**
 * The login routes behind `sessionLayer` (none: no session at all), with an error handler that
 * records what reaches it before Express's final handler answers.
 */
async function appWith(sessionLayer: RequestHandler | undefined) {
  const login = passwordLogin({
    client: {
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    },
  });
  const app = express();
  if (sessionLayer !== undefined) app.use(sessionLayer);
  app.use(login.tokens);
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);
  app.get('/token', (req, res, next) => {
    req.accessToken().then(() => res.status(204).end(), next);
  });
  app.get('/profile', (req, res, next) => {
    req.apiFetch(`${mock.server.url}/userinfo`).then(() => res.status(204).end(), next);
  });
  const seen: unknown[] = [];
  const record: ErrorRequestHandler = (error, _req, _res, next) => {
    seen.push(error);
    next(error);
  };
  app.use(record);
  const { url } = await listen(app);
  return { browser: new Browser(url), seen };
}

/** What a cookie-session-like middleware leaves: a plain object, no regenerate(). */
const sessionWithoutRegenerate: RequestHandler = (req, _res, next) => {
  Reflect.set(req, 'session', { ropkitKey: 'a-key-planted-in-a-cookie' });
  next();
};

const requests: Array<[string, (browser: Browser) => Promise<Response>]> = [
  [
    'POST /login',
    (browser) =>
      browser.postForm('/login', { username: USERS.mfa.email, password: USERS.mfa.password }),
  ],
  ['POST /login/otp', (browser) => browser.postJson('/login/otp', { otp: '123456' })],
  ['POST /logout', (browser) => browser.fetch('/logout', { method: 'POST' })],
  ['req.accessToken()', (browser) => browser.fetch('/token')],
  ['req.apiFetch()', (browser) => browser.fetch('/profile')],
];

describe.each([
  ['without any session middleware', undefined],
  ['with a session that cannot regenerate()', sessionWithoutRegenerate],
])('%s', (_name, sessionLayer) => {
  it.each(requests)(
    '%s fails with a TypeError naming express-session, before any request to Auth0',
    async (_request, send) => {
      const { browser, seen } = await appWith(sessionLayer);
      const response = await send(browser);
      // Express's final handler: a TypeError has no status, so 500, with the message (not in
      // production, where Express shows the status text only).
      expect(response.status).toBe(500);
      const page = await response.text();
      expect(page).toContain(MESSAGE);
      expect(page).not.toContain(USERS.mfa.password);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeInstanceOf(TypeError);
      expect((seen[0] as TypeError).message).toBe(MESSAGE);
      expect(await mock.server.control.requests()).toEqual([]);
    },
  );
});

describe('a session store that fails to regenerate the session', () => {
  /** express-session's regenerate() destroys the old session first: here that fails. */
  class FailingStore extends session.MemoryStore {
    readonly #failure: unknown;
    constructor(failure: unknown) {
      super();
      this.#failure = failure;
    }
    override destroy(_id: string, callback?: (error?: unknown) => void): void {
      callback?.(this.#failure);
    }
  }

  it.each<[string, unknown, string]>([
    ['an Error', new Error('the session store is down'), 'the session store is down'],
    ['a value that is not an Error', 'down', 'The session could not be renewed'],
  ])('passes %s on to next(err): the sign-in fails', async (_name, failure, message) => {
    const { browser, seen } = await appWith(
      session({
        secret: 'test-session-secret',
        resave: false,
        saveUninitialized: false,
        store: new FailingStore(failure),
      }),
    );
    const response = await browser.postJson('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(USERS.mfa.password);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Error);
    expect((seen[0] as Error).message).toBe(message);
    // The key never reached a session: whatever cookie the browser holds is not signed in.
    expect((await browser.fetch('/token')).status).toBe(401);
  });
});
