import { MissingCredentialsError, TokenRequestError } from '@ropkit/core';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import { bearer, Browser, issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import {
  auth,
  authErrorHandler,
  BearerError,
  passwordLogin,
  ReauthenticationRequiredError,
  requireScopes,
} from '../src/index.js';

const mock = useMockServer();

const echo: RequestHandler = (req, res) => {
  res.json({ sub: req.auth?.payload.sub ?? null });
};

/**
 * An API protected by the adapter, with `errorHandlers` after its routes; a recorder after them
 * keeps every error that reaches Express's final handler.
 */
async function api(errorHandlers: ErrorRequestHandler[]) {
  const app = express();
  const requireToken = auth({ issuer: mock.server.issuer, audience: TUTORIAL.audience });
  app.get('/private', requireToken, echo);
  app.get('/scoped', requireToken, requireScopes('read:sample'), echo);
  app.post('/small-json', express.json({ limit: 10 }), (_req, res) => {
    res.status(204).end();
  });
  app.get('/boom', () => {
    throw new Error('not a ropkit error');
  });
  app.get('/token-endpoint-down', (_req, _res, next) => {
    next(new TokenRequestError('The token endpoint did not answer', 'network'));
  });
  app.get('/half-sent', (_req, res, next) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    next(new MissingCredentialsError({ realm: 'api' }));
  });
  const reachedFinalHandler: unknown[] = [];
  const record: ErrorRequestHandler = (error, _req, _res, next) => {
    reachedFinalHandler.push(error);
    next(error);
  };
  app.use(...errorHandlers, record);
  const { url } = await listen(app);
  return { url, reachedFinalHandler };
}

/** An app's own error handler, answering a BearerError from its properties. */
const answerMyWay: ErrorRequestHandler = (error, _req, res, next) => {
  if (!(error instanceof BearerError)) {
    next(error);
    return;
  }
  res.status(error.status).set(error.headers).json({ mine: error.body.error });
};

describe('without authErrorHandler(): a BearerError goes to next(err) with its status and headers', () => {
  it.each<[string, string, () => Promise<Record<string, string>>, number, RegExp]>([
    ['no credentials', '/private', async () => ({}), 401, /^Bearer realm="api"$/],
    [
      'a token that is not a JWT',
      '/private',
      async () => bearer('not-a-jwt'),
      401,
      /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/,
    ],
    [
      'a missing scope',
      '/scoped',
      async () => bearer(await issueToken(mock.server, { scope: 'write:sample' })),
      403,
      /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="read:sample"$/,
    ],
  ])(
    "%s: Express's final handler answers the status and WWW-Authenticate",
    async (_name, path, headers, status, challenge) => {
      const { url, reachedFinalHandler } = await api([]);
      const response = await fetch(`${url}${path}`, { headers: await headers() });
      expect(response.status).toBe(status);
      expect(response.headers.get('www-authenticate')).toMatch(challenge);
      // The body is Express's HTML page; authErrorHandler() is what makes it the shared JSON.
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(reachedFinalHandler).toHaveLength(1);
      expect(reachedFinalHandler[0]).toBeInstanceOf(BearerError);
    },
  );

  it("the app's own error handler can answer from err.status, err.headers and err.body", async () => {
    const { url, reachedFinalHandler } = await api([answerMyWay]);
    const response = await fetch(`${url}/private`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await response.json()).toEqual({ mine: 'unauthorized' });
    expect(reachedFinalHandler).toEqual([]);
  });
});

describe('authErrorHandler()', () => {
  it('answers a BearerError as JSON itself: nothing reaches the next handler', async () => {
    const { url, reachedFinalHandler } = await api([authErrorHandler()]);
    const response = await fetch(`${url}/private`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    expect(reachedFinalHandler).toEqual([]);
  });

  it('answers any other TokenError 503 temporarily_unavailable', async () => {
    const { url, reachedFinalHandler } = await api([authErrorHandler()]);
    const response = await fetch(`${url}/token-endpoint-down`);
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The sign-in service is unavailable: try again later',
    });
    expect(reachedFinalHandler).toEqual([]);
  });

  it.each<[string, string, RequestInit, number]>([
    ['an error a route throws', '/boom', {}, 500],
    [
      "a body parser's 413",
      '/small-json',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":"long"}' },
      413,
    ],
  ])('passes %s on, untouched', async (_name, path, init, status) => {
    const { url, reachedFinalHandler } = await api([authErrorHandler()]);
    const response = await fetch(`${url}${path}`, init);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(reachedFinalHandler).toHaveLength(1);
    expect(reachedFinalHandler[0]).not.toBeInstanceOf(BearerError);
  });

  it('passes a ropkit error on when the headers are already sent (Express then ends the socket)', async () => {
    const { url, reachedFinalHandler } = await api([authErrorHandler()]);
    const response = await fetch(`${url}/half-sent`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow('terminated');
    // The error itself, not an ERR_HTTP_HEADERS_SENT from writing a second head.
    expect(reachedFinalHandler).toHaveLength(1);
    expect(reachedFinalHandler[0]).toBeInstanceOf(MissingCredentialsError);
  });
});

/** Login routes over express-session, with two routes that use the session's tokens. */
async function browserApp(errorHandlers: ErrorRequestHandler[]) {
  const login = passwordLogin({
    client: {
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    },
  });
  const app = express();
  app.use(
    session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }),
    login.tokens,
  );
  app.get('/token', (req, res, next) => {
    req.accessToken().then(() => res.status(204).end(), next);
  });
  app.get('/profile', (req, res, next) => {
    req.apiFetch(`${mock.server.url}/userinfo`).then(() => res.status(204).end(), next);
  });
  const reachedFinalHandler: unknown[] = [];
  const record: ErrorRequestHandler = (error, _req, _res, next) => {
    reachedFinalHandler.push(error);
    next(error);
  };
  app.use(...errorHandlers, record);
  const { url } = await listen(app);
  return { browser: new Browser(url), reachedFinalHandler };
}

describe('req.accessToken() and req.apiFetch() before any sign-in: 401, never 500', () => {
  it.each(['/token', '/profile'])(
    'with authErrorHandler(), %s answers 401 login_required as JSON',
    async (path) => {
      const { browser, reachedFinalHandler } = await browserApp([authErrorHandler()]);
      const response = await browser.fetch(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      // A session cookie has no HTTP authentication scheme to challenge with.
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect(await response.text()).toBe(
        '{"error":"login_required","error_description":"Sign in to continue"}',
      );
      expect(reachedFinalHandler).toEqual([]);
      expect(await mock.server.control.requests()).toEqual([]);
    },
  );

  it.each(['/token', '/profile'])(
    "without it, %s gets 401 from Express's final handler",
    async (path) => {
      const { browser, reachedFinalHandler } = await browserApp([]);
      const response = await browser.fetch(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(reachedFinalHandler).toHaveLength(1);
      expect(reachedFinalHandler[0]).toBeInstanceOf(ReauthenticationRequiredError);
    },
  );
});
