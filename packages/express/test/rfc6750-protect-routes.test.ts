import { request as httpRequest } from 'node:http';
import {
  InvalidRequestError,
  InvalidTokenError,
  MissingCredentialsError,
  renderBearerError,
  type BearerError,
  type ErrorResponse,
} from '@ropkit/core';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import {
  auth,
  authErrorHandler,
  requireAnyScope,
  claimEquals,
  claimIncludes,
  claimCheck,
  requireScopes,
  type AuthOptions,
} from '../src/index.js';
import {
  TUTORIAL,
  USERS,
  accessToken,
  bearer,
  serve,
  useMockServer,
  verifierOptions,
} from './support.js';

const mock = useMockServer();

/** Answers with what auth() put in req.auth. */
const echo: RequestHandler = (req, res) => {
  res.json({
    sub: req.auth?.payload.sub ?? null,
    scopes: req.auth?.scopes ?? null,
    alg: req.auth?.header.alg ?? null,
    sameToken: req.auth === undefined ? null : req.auth.token === req.get('x-sent-token'),
  });
};

/** An API with the quickstart routes, protected by this adapter. */
async function api(
  options: Partial<AuthOptions> = {},
  errorHandler: ErrorRequestHandler | null = authErrorHandler(),
) {
  const app = express();
  const requireToken = auth(verifierOptions(mock.server, options));
  const acceptToken = auth({ ...verifierOptions(mock.server, options), optional: true });
  app.get('/private', requireToken, echo);
  app.post('/private', express.urlencoded({ extended: false }), requireToken, echo);
  app.get('/scoped', requireToken, requireScopes('read:sample'), echo);
  app.get('/any-scope', requireToken, requireAnyScope('read:sample', 'write:sample'), echo);
  app.get('/both-scopes', requireToken, requireScopes('read:sample', 'write:sample'), echo);
  app.get('/optional', acceptToken, echo);
  app.get('/optional-scoped', acceptToken, requireScopes('read:sample'), echo);
  app.get('/password-grant', requireToken, claimEquals('gty', 'password'), echo);
  app.get('/other-client', requireToken, claimEquals('azp', 'some-other-client'), echo);
  app.get('/audience', requireToken, claimIncludes('aud', TUTORIAL.audience), echo);
  app.get(
    '/custom',
    requireToken,
    claimCheck((claims) => claims.sub?.startsWith('auth0|') === true, 'Only database users'),
    echo,
  );
  app.get('/no-auth-before', requireScopes('read:sample'), echo);
  app.get('/boom', () => {
    throw new Error('not a bearer error');
  });
  if (errorHandler !== null) app.use(errorHandler);
  return serve(app);
}

/** The parts of an answer that renderBearerError() fixes, read back from the wire. */
async function answerOf(response: Response): Promise<ErrorResponse> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control', 'www-authenticate']) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.text() };
}

const realm = { realm: 'api' };

function twoDaysLater(): number {
  return Date.now() + 2 * 86_400_000;
}

describe('auth(): a valid token reaches the route as req.auth', () => {
  it('sets payload, header, token and granted scopes', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private`, {
      headers: { ...bearer(token), 'x-sent-token': token },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: expect.stringMatching(/^auth0\|/),
      scopes: ['read:sample', 'write:sample'],
      alg: 'RS256',
      sameToken: true,
    });
  });

  it('accepts the scheme name in any case (RFC 6750 section 2.1, RFC 9110 section 11.1)', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private`, {
      headers: { authorization: `bEaReR ${token}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('auth(): failures answered by authErrorHandler() (RFC 6750 section 3)', () => {
  it('no credentials: 401 with a challenge and no error code (section 3.1)', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/private`);
    expect(await answerOf(response)).toEqual(renderBearerError(new MissingCredentialsError(realm)));
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('another scheme counts as no bearer credentials', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/private`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(await answerOf(response)).toEqual(renderBearerError(new MissingCredentialsError(realm)));
  });

  it('malformed credentials: 400 invalid_request', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/private`, { headers: { authorization: 'Bearer a b' } });
    expect(await answerOf(response)).toEqual(
      renderBearerError(new InvalidRequestError('Malformed Bearer credentials', realm)),
    );
  });

  it('a repeated Authorization header: 400 invalid_request (seen through req.rawHeaders)', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    const { status, body } = await rawGet(`${url}/private`, [
      'Authorization',
      `Bearer ${token}`,
      'Authorization',
      `Bearer ${token}`,
    ]);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({
      error: 'invalid_request',
      error_description: 'Repeated Authorization header',
    });
  });

  it('a token whose signature does not match: 401 invalid_token', async () => {
    const { url } = await api();
    const [header, payload, signature] = (await accessToken(mock.server)).split('.');
    const forged = `${header}.${payload}.${signature?.startsWith('A') === true ? 'B' : 'A'}${signature?.slice(1)}`;
    const response = await fetch(`${url}/private`, { headers: bearer(forged) });
    expect(await answerOf(response)).toEqual(
      renderBearerError(new InvalidTokenError('Token signature is invalid', realm)),
    );
  });

  it('an expired token: 401 invalid_token', async () => {
    const { url } = await api({ clock: twoDaysLater });
    const response = await fetch(`${url}/private`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(await answerOf(response)).toEqual(
      renderBearerError(new InvalidTokenError('Token has expired', realm)),
    );
  });

  it('a token for another API: 401 invalid_token', async () => {
    const { url } = await api({ audience: 'https://other.example.com' });
    const response = await fetch(`${url}/private`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="invalid_token"/,
    );
  });

  it('the configured realm appears in the challenge', async () => {
    const { url } = await api({ realm: 'orders' });
    const response = await fetch(`${url}/private`);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
  });

  it('passes errors that are not BearerErrors on', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/boom`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });
});

describe('auth(): errors carry status and headers for the error handlers of the app', () => {
  it("Express's final handler answers with the status and WWW-Authenticate", async () => {
    const { url } = await api({}, null);
    const response = await fetch(`${url}/scoped`, {
      headers: bearer(await accessToken(mock.server, { scope: 'write:sample' })),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="insufficient_scope", error_description="[^"]+", scope="read:sample"$/,
    );
    // Its body is Express's HTML page: authErrorHandler() is what makes it the shared JSON.
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it("the app's own error handler receives the BearerError (next(err))", async () => {
    const seen: unknown[] = [];
    const mine: ErrorRequestHandler = (error: BearerError, _req, res, _next) => {
      seen.push(error);
      res.status(error.status).set(error.headers).json({ mine: error.code });
    };
    const { url } = await api({}, mine);
    const response = await fetch(`${url}/private`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect(await response.json()).toEqual({ mine: 'missing_credentials' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(MissingCredentialsError);
  });
});

describe('auth({ optional: true })', () => {
  it('lets a request without credentials through with req.auth undefined', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/optional`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: null });
  });

  it('still sets req.auth for a valid token', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/optional`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(await response.json()).toMatchObject({ sub: expect.stringMatching(/^auth0\|/) });
  });

  it('still refuses a bad token: a forged token is not "anonymous"', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/optional`, { headers: bearer('not.a.token') });
    expect(await answerOf(response)).toEqual(
      renderBearerError(new InvalidTokenError('Token is malformed', realm)),
    );
  });

  it('a requirement after it answers 401 in the route verifier realm', async () => {
    const { url } = await api({ realm: 'orders' });
    const response = await fetch(`${url}/optional-scoped`);
    expect(await answerOf(response)).toEqual(
      renderBearerError(new MissingCredentialsError({ realm: 'orders' })),
    );
  });

  it('refuses a non-boolean "optional" at declaration', () => {
    expect(() =>
      auth({ ...verifierOptions(mock.server), optional: 'yes' as unknown as boolean }),
    ).toThrow(new TypeError('"optional" must be a boolean'));
  });
});

describe('scope requirements (RFC 6750 section 3.1 insufficient_scope)', () => {
  it('requireScopes: passes with every scope granted', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    for (const path of ['/scoped', '/both-scopes']) {
      expect((await fetch(`${url}${path}`, { headers: bearer(token) })).status).toBe(200);
    }
  });

  it('requireScopes: 403 naming the scopes needed when one is missing', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server, { scope: 'write:sample' });
    const response = await fetch(`${url}/both-scopes`, { headers: bearer(token) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(
      /error="insufficient_scope", .*scope="read:sample write:sample"$/,
    );
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('requireAnyScope: one of the scopes is enough', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server, { scope: 'write:sample' });
    expect((await fetch(`${url}/any-scope`, { headers: bearer(token) })).status).toBe(200);
  });

  it('requireAnyScope: 403 without any of them', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server, {
      username: USERS.unscoped.email,
      password: USERS.unscoped.password,
    });
    const response = await fetch(`${url}/any-scope`, { headers: bearer(token) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/scope="read:sample write:sample"$/);
  });

  it('without auth() before it, a requirement fails closed with 401', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/no-auth-before`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(response.status).toBe(401);
  });

  it('bad declarations throw a TypeError when the route is declared', () => {
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireAnyScope()).toThrow(TypeError);
    expect(() => requireScopes('read:sample write:sample')).toThrow(TypeError);
    expect(() => requireScopes('bad"scope')).toThrow(TypeError);
  });
});

describe('claim requirements', () => {
  it('claimEquals and claimIncludes pass when the claims match', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    expect((await fetch(`${url}/password-grant`, { headers: bearer(token) })).status).toBe(200);
    expect((await fetch(`${url}/audience`, { headers: bearer(token) })).status).toBe(200);
  });

  it('a claim that does not match: 401 invalid_token naming the claim, not its value', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/other-client`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(await answerOf(response)).toEqual(
      renderBearerError(new InvalidTokenError("Token claim 'azp' is not accepted", realm)),
    );
    expect(response.headers.get('www-authenticate')).not.toContain(TUTORIAL.clientId);
  });

  it('claimCheck runs a custom check with its description', async () => {
    const { url } = await api();
    const response = await fetch(`${url}/custom`, {
      headers: bearer(await accessToken(mock.server)),
    });
    expect(response.status).toBe(200);
    expect(() => claimCheck('nope' as unknown as () => boolean)).toThrow(TypeError);
    expect(() => claimIncludes('roles')).toThrow(TypeError);
  });
});

describe('token locations other than the header (RFC 6750 sections 2.2 and 2.3)', () => {
  it('reads the access_token query parameter from req.query when enabled', async () => {
    const { url } = await api({ tokenLocations: ['header', 'query'] });
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private?access_token=${token}`);
    expect(response.status).toBe(200);
  });

  it('reads a form-encoded body parsed by express.urlencoded() when enabled', async () => {
    const { url } = await api({ tokenLocations: ['header', 'body'] });
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: token }).toString(),
    });
    expect(response.status).toBe(200);
  });

  it('refuses a token sent two ways at once: 400 invalid_request', async () => {
    const { url } = await api({ tokenLocations: ['header', 'query'] });
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private?access_token=${token}`, {
      headers: bearer(token),
    });
    expect(await answerOf(response)).toEqual(
      renderBearerError(
        new InvalidRequestError('More than one method used to include the access token', realm),
      ),
    );
  });

  it('ignores the query parameter when only the header is enabled (the default)', async () => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    const response = await fetch(`${url}/private?access_token=${token}`);
    expect(await answerOf(response)).toEqual(renderBearerError(new MissingCredentialsError(realm)));
  });
});

describe('auth(): options are checked at declaration', () => {
  it.each([
    ['no options', undefined],
    ['an empty issuer', { issuer: '', audience: TUTORIAL.audience }],
    ['no audience', { issuer: 'https://tenant.example.com/' }],
    ['an unknown option', { issuer: 'https://tenant.example.com/', audience: 'a', scopes: [] }],
    ['an http issuer off loopback', { issuer: 'http://tenant.example.com/', audience: 'a' }],
  ])('throws a TypeError for %s', (_name, options) => {
    expect(() => auth(options as unknown as AuthOptions)).toThrow(TypeError);
  });
});

/** A GET with exactly these raw header lines (fetch would merge a repeated header). */
function rawGet(url: string, rawHeaders: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // With an array of headers Node adds none of its own: Host is required (RFC 9112 section 3.2).
    const headers = ['Host', new URL(url).host, ...rawHeaders];
    const request = httpRequest(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}
