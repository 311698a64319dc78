import { once } from 'node:events';
import { connect } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BearerError,
  MissingCredentialsError,
  claimRequirement,
  createAccessTokenVerifier,
  scopeRequirement,
  type BearerRequest,
} from '@ropkit/core';
import {
  auth,
  authErrors,
  claimCheck,
  requirement,
  claimEquals,
  claimIncludes,
  requireAnyScope,
  requireScopes,
} from '../src/index.js';
import {
  TUTORIAL,
  expectRendered,
  issueToken,
  listen,
  useMockServer,
  verifierOptions,
  type Listening,
} from './support.js';

const mock = useMockServer();

/** The protected routes' answer: who the token is for, with which scopes. */
function hello(ctx: Koa.Context): void {
  ctx.body = {
    sub: ctx.state.auth?.payload.sub ?? null,
    scopes: ctx.state.auth?.scopes ?? null,
  };
}
let app: Listening;
/** Requests the app answered, by the app's 'error' event. */
let appErrors: unknown[] = [];

beforeAll(async () => {
  const options = verifierOptions(mock.server);
  const koa = new Koa();
  koa.on('error', (error: unknown) => appErrors.push(error));
  koa.use(authErrors());
  koa.use(bodyParser());
  const router = new Router();
  const required = auth(options);
  router.get('/private', required, hello);
  router.get('/scoped', required, requireScopes('read:sample', 'write:sample'), hello);
  router.get('/any-scope', required, requireAnyScope('write:sample', 'read:sample'), hello);
  router.get('/any-admin-scope', required, requireAnyScope('delete:sample', 'admin:sample'), hello);
  router.get('/optional', auth({ ...options, optional: true }), hello);
  router.get(
    '/optional-scoped',
    auth({ ...options, optional: true }),
    requireScopes('read:sample'),
    hello,
  );
  router.get(
    '/optional-scoped-shop',
    auth({ ...options, optional: true, realm: 'shop' }),
    requireScopes('read:sample'),
    hello,
  );
  router.get('/no-auth-but-scopes', requireScopes('read:sample'), hello);
  router.get('/password-grant', required, claimEquals('gty', 'password'), hello);
  router.get('/client-grant', required, claimEquals('gty', 'client-credentials'), hello);
  router.get('/includes', required, claimIncludes('scope', 'read:sample'), hello);
  router.get('/includes-missing', required, claimIncludes('scope', 'admin'), hello);
  router.get(
    '/custom',
    required,
    claimCheck((claims) => claims.azp === 'someone-else', 'This client may not call this route'),
    hello,
  );
  router.get(
    '/core-rule',
    required,
    requirement(claimRequirement((claims) => claims.gty === 'password', 'Password tokens only')),
    hello,
  );
  router.get(
    '/core-rule-refused',
    required,
    requirement(claimRequirement((claims) => claims.gty === 'client-credentials', 'M2M only')),
    hello,
  );
  router.get('/query', auth({ ...options, tokenLocations: ['header', 'query'] }), hello);
  router.post('/form', auth({ ...options, tokenLocations: ['header', 'body'] }), hello);
  router.get('/boom', () => {
    throw new Error('not a bearer error');
  });
  koa.use(router.routes());
  app = await listen(koa);
});
afterAll(async () => {
  await app.close();
});
beforeEach(() => {
  appErrors = [];
});

function get(path: string, authorization?: string): Promise<Response> {
  return fetch(`${app.url}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
}

/** What core answers for the same request: the adapter must write exactly its rendering. */
async function coreError(request: BearerRequest): Promise<BearerError> {
  const verifier = createAccessTokenVerifier(verifierOptions(mock.server));
  const error: unknown = await verifier.authenticate(request).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof BearerError)) throw new Error('core accepted the request');
  return error;
}

describe('auth(): RFC 6750 section 2.1 and ctx.state.auth', () => {
  it('lets a valid token through and puts the verified token on ctx.state.auth', async () => {
    const token = await issueToken(mock.server, 'read:sample write:sample');
    const response = await get('/private', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: expect.stringMatching(/^auth0\|/),
      scopes: ['read:sample', 'write:sample'],
    });
  });

  it.each([
    ['no credentials', undefined],
    ['another scheme', 'Basic dXNlcjpwd2Q='],
    ['malformed Bearer credentials', 'Bearer two tokens'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('answers %s exactly as core renders it', async (_case, authorization) => {
    const response = await get('/private', authorization);
    const headers = authorization === undefined ? {} : { authorization };
    await expectRendered(response, await coreError({ headers, method: 'GET' }));
    expect(response.status).toBeGreaterThanOrEqual(400);
  });

  it('answers a tampered signature with 401 invalid_token', async () => {
    const token = await issueToken(mock.server);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = `${header}.${payload}.${flipped}`;
    const response = await get('/private', `Bearer ${tampered}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="invalid_token"/,
    );
    await expectRendered(
      response,
      await coreError({ headers: { authorization: `Bearer ${tampered}` }, method: 'GET' }),
    );
  });

  it('refuses a repeated Authorization header with 400 invalid_request (Node keeps only the first in ctx.headers)', async () => {
    const token = await issueToken(mock.server);
    const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `GET /private HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
    );
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    expect(text).toMatch(/^HTTP\/1.1 400/);
    expect(text).toContain(
      'www-authenticate: Bearer realm="api", error="invalid_request", error_description="Repeated Authorization header"',
    );
  });

  it('reads a token from the query (RFC 6750 section 2.3) only where enabled', async () => {
    const token = await issueToken(mock.server);
    expect((await get(`/query?access_token=${token}`)).status).toBe(200);
    expect((await get(`/private?access_token=${token}`)).status).toBe(401);
  });

  it('reads a token from a form body (RFC 6750 section 2.2) parsed by @koa/bodyparser', async () => {
    const token = await issueToken(mock.server);
    const response = await fetch(`${app.url}/form`, {
      method: 'POST',
      body: new URLSearchParams({ access_token: token }),
    });
    expect(response.status).toBe(200);
  });

  it('refuses a token sent in two places with 400 (RFC 6750 section 2)', async () => {
    const token = await issueToken(mock.server);
    const response = await get(`/query?access_token=${token}`, `Bearer ${token}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('optional auth', () => {
  it('lets a request without credentials through as anonymous', async () => {
    const response = await get('/optional');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: null, scopes: null });
  });

  it('still refuses a bad token: a forged token is not "anonymous"', async () => {
    const response = await get('/optional', 'Bearer not-a-jwt');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('sets ctx.state.auth for a valid token', async () => {
    const token = await issueToken(mock.server);
    expect(await (await get('/optional', `Bearer ${token}`)).json()).toMatchObject({
      sub: expect.stringMatching(/^auth0\|/),
    });
  });

  it("answers an anonymous request at a scope rule in the optional auth()'s own realm", async () => {
    const response = await get('/optional-scoped-shop');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="shop"');
  });

  it('answers 401 when an anonymous request reaches a scope rule', async () => {
    const response = await get('/optional-scoped');
    expect(response.status).toBe(401);
    await expectRendered(response, new MissingCredentialsError({ realm: 'api' }));
  });
});

describe('scope and claim rules', () => {
  it('requireScopes: 403 insufficient_scope naming every required scope, as core renders it', async () => {
    const token = await issueToken(mock.server, 'read:sample');
    const response = await get('/scoped', `Bearer ${token}`);
    const verified = await createAccessTokenVerifier(verifierOptions(mock.server)).verify(token);
    let expected: unknown;
    try {
      scopeRequirement(['read:sample', 'write:sample'], 'all')(verified);
    } catch (error) {
      expected = error;
    }
    if (!(expected instanceof BearerError)) throw new Error('core let the request through');
    await expectRendered(response, expected);
    expect(expected.headers['WWW-Authenticate']).toContain('scope="read:sample write:sample"');
  });

  it('requireScopes: lets a token with every scope through', async () => {
    const token = await issueToken(mock.server, 'read:sample write:sample');
    expect((await get('/scoped', `Bearer ${token}`)).status).toBe(200);
  });

  it('requireAnyScope: one granted scope is enough, none is 403', async () => {
    expect(
      (await get('/any-scope', `Bearer ${await issueToken(mock.server, 'read:sample')}`)).status,
    ).toBe(200);
    const none = await get('/any-admin-scope', `Bearer ${await issueToken(mock.server)}`);
    expect(none.status).toBe(403);
    expect(none.headers.get('www-authenticate')).toContain('scope="delete:sample admin:sample"');
  });

  it('fails closed: a scope rule without auth() answers 401, never lets the request through', async () => {
    const token = await issueToken(mock.server);
    const response = await get('/no-auth-but-scopes', `Bearer ${token}`);
    expect(response.status).toBe(401);
    await expectRendered(response, new MissingCredentialsError({ realm: 'api' }));
  });

  it('claimEquals: passes on an equal claim, 401 invalid_token otherwise', async () => {
    const token = await issueToken(mock.server);
    expect((await get('/password-grant', `Bearer ${token}`)).status).toBe(200);
    const refused = await get('/client-grant', `Bearer ${token}`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: 'invalid_token',
      error_description: "Token claim 'gty' is not accepted",
    });
  });

  it('claimIncludes: reads a space-delimited claim', async () => {
    const token = await issueToken(mock.server);
    expect((await get('/includes', `Bearer ${token}`)).status).toBe(200);
    expect((await get('/includes-missing', `Bearer ${token}`)).status).toBe(401);
  });

  it('claimCheck: answers with the fixed description, never a claim value', async () => {
    const token = await issueToken(mock.server);
    const response = await get('/custom', `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="This client may not call this route"',
    );
    expect(await response.text()).not.toContain(TUTORIAL.clientId);
  });
});

describe('requirement(rule): any core AuthRequirement', () => {
  it('lets a request through when the rule holds, and answers what it throws otherwise', async () => {
    const token = await issueToken(mock.server);
    expect((await get('/core-rule', `Bearer ${token}`)).status).toBe(200);
    const refused = await get('/core-rule-refused', `Bearer ${token}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="M2M only"',
    );
  });

  it('refuses a rule that is not a function when the route is declared', () => {
    expect(() => requirement('gty' as never)).toThrow(TypeError);
  });
});

describe('authErrors()', () => {
  it('leaves other errors to Koa', async () => {
    const response = await get('/boom');
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Internal Server Error');
    expect(appErrors).toHaveLength(1);
  });

  it('does not report client errors on the app error event', async () => {
    expect((await get('/private')).status).toBe(401);
    expect(appErrors).toEqual([]);
  });
});

describe("without authErrors(): Koa's own ctx.onerror", () => {
  it('answers the status and WWW-Authenticate the error carries, with its message as text', async () => {
    const koa = new Koa();
    const logged: unknown[] = [];
    koa.on('error', (error: unknown) => logged.push(error));
    koa.use(auth({ ...verifierOptions(mock.server), realm: 'orders' }));
    koa.use(requireScopes('write:sample'));
    const plain = await listen(koa);
    try {
      const missing = await fetch(plain.url);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
      expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await missing.text()).toBe('Authentication required');

      const token = await issueToken(mock.server, 'read:sample');
      const scoped = await fetch(plain.url, { headers: { authorization: `Bearer ${token}` } });
      expect(scoped.status).toBe(403);
      expect(scoped.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="orders", error="insufficient_scope", .*scope="write:sample"$/,
      );
      expect(logged).toHaveLength(2);
    } finally {
      await plain.close();
    }
  });
});

describe('declaration-time checks', () => {
  it('throws a TypeError when a route is declared with a bad option, not on the first request', () => {
    const options = verifierOptions(mock.server);
    expect(() => auth({ ...options, issuer: '' })).toThrow(TypeError);
    expect(() => auth({ ...options, optional: 'yes' as unknown as boolean })).toThrow(
      '"optional" must be a boolean',
    );
    expect(() => auth({ ...options, audiences: 'x' } as never)).toThrow(TypeError);
    expect(() => auth(undefined as never)).toThrow(TypeError);
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireAnyScope('bad"scope')).toThrow(TypeError);
    expect(() => claimCheck('gty' as never)).toThrow(TypeError);
    expect(() => claimIncludes('permissions')).toThrow(TypeError);
    expect(() => claimEquals('', 'x')).toThrow(TypeError);
  });
});
