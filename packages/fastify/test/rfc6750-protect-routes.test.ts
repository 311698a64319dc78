import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  MissingCredentialsError,
  claimRequirement,
  renderBearerError,
} from '@ropkit/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BearerError,
  auth,
  claimEquals,
  claimIncludes,
  fastifyRopkit,
  requireAnyScope,
  claimCheck,
  requirement,
  requireScopes,
  sendBearerError,
  type AuthOptions,
} from '../src/index.js';
import { ROLES_CLAIM, TUTORIAL, injectedAnswer, issueToken, useMockServer } from './support.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function verifierOptions(extra: Partial<AuthOptions> = {}): AuthOptions {
  return {
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
    jwksUri: mock.server.jwksUri,
    clock: mock.clock.now,
    ...extra,
  };
}

/** The body of the protected routes: who the token is about. */
function who(request: { auth: { payload: { sub?: string } } | undefined }) {
  return { sub: request.auth?.payload.sub ?? null };
}

/** The quickstart routes, protected per route. */
async function quickstartApp(extra: Partial<AuthOptions> = {}) {
  const app = Fastify();
  apps.push(app);
  await app.register(fastifyRopkit);
  const protect = auth(verifierOptions(extra));
  const protectOptional = auth(verifierOptions({ ...extra, optional: true }));
  app.get('/api/public', () => ({ message: 'public' }));
  app.get('/api/private', { onRequest: protect }, who);
  app.get('/api/private-scoped', { onRequest: [protect, requireScopes('read:sample')] }, who);
  app.get(
    '/api/any-scope',
    { onRequest: [protect, requireAnyScope('write:sample', 'read:sample')] },
    who,
  );
  app.get('/api/optional', { onRequest: protectOptional }, who);
  app.get(
    '/api/optional-scoped',
    { onRequest: [protectOptional, requireScopes('read:sample')] },
    who,
  );
  app.get('/api/reader', { onRequest: [protect, claimIncludes(ROLES_CLAIM, 'reader')] }, who);
  app.get('/api/admin', { onRequest: [protect, claimIncludes(ROLES_CLAIM, 'admin')] }, who);
  app.get(
    '/api/tutorial-client',
    { onRequest: [protect, claimEquals('azp', TUTORIAL.clientId)] },
    who,
  );
  app.get(
    '/api/other-client',
    { onRequest: [protect, claimCheck((payload) => payload.azp === 'other', 'Wrong client')] },
    who,
  );
  app.get(
    '/api/core-rule',
    {
      onRequest: [
        protect,
        requirement(claimRequirement((payload) => payload.gty === 'password', 'Password only')),
      ],
    },
    who,
  );
  app.get(
    '/api/core-rule-refused',
    {
      onRequest: [
        protect,
        requirement(claimRequirement((payload) => payload.gty === 'client-credentials', 'M2M')),
      ],
    },
    who,
  );
  app.get('/api/auth', { onRequest: protect }, (request) => ({
    scopes: request.auth?.scopes,
    realm: request.auth?.realm,
    alg: request.auth?.header.alg,
    tokenMatches: request.auth?.token === request.headers.authorization?.slice(7),
  }));
  return app;
}

function get(
  app: FastifyInstance,
  url: string,
  token?: string,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'GET',
    url,
    headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers },
  });
}

const realm = { realm: 'api' };

describe('RFC 6750 section 3: answers written by the hooks', () => {
  it('lets the public route through and refuses a request without credentials (no error code)', async () => {
    const app = await quickstartApp();
    expect((await get(app, '/api/public')).statusCode).toBe(200);
    const response = await get(app, '/api/private');
    expect(injectedAnswer(response)).toEqual(renderBearerError(new MissingCredentialsError(realm)));
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('answers another scheme like no credentials (section 3.1)', async () => {
    const app = await quickstartApp();
    const response = await get(app, '/api/private', undefined, {
      authorization: 'Basic dXNlcjpwd2Q=',
    });
    expect(injectedAnswer(response)).toEqual(renderBearerError(new MissingCredentialsError(realm)));
  });

  it('answers malformed credentials with 400 invalid_request', async () => {
    const app = await quickstartApp();
    const response = await get(app, '/api/private', undefined, { authorization: 'Bearer a b' });
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new InvalidRequestError('Malformed Bearer credentials', realm)),
    );
  });

  it('sees a repeated Authorization header through rawHeaders (section 2: one credential)', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    const response = await app.inject({
      method: 'GET',
      url: '/api/private',
      // light-my-request sends each array element as its own header line (typed as strings only).
      headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } as unknown as Record<
        string,
        string
      >,
    });
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new InvalidRequestError('Repeated Authorization header', realm)),
    );
  });

  it('answers a tampered token with 401 invalid_token', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    const [header, payload, signature = ''] = token.split('.');
    const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const response = await get(app, '/api/private', `${header}.${payload}.${flipped}`);
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new InvalidTokenError('Token signature is invalid', realm)),
    );
  });

  it('answers an expired token with 401 invalid_token', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    await mock.clock.advance(86_400 + 60);
    const response = await get(app, '/api/private', token);
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new InvalidTokenError('Token has expired', realm)),
    );
  });

  it('answers a token for another audience with 401 invalid_token', async () => {
    const app = await quickstartApp({ audience: 'https://other.example.com' });
    const response = await get(app, '/api/private', await issueToken(mock.server));
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new InvalidTokenError("Token claim 'aud' is not accepted", realm)),
    );
  });

  it('uses the configured realm in every challenge', async () => {
    const app = await quickstartApp({ realm: 'orders' });
    const response = await get(app, '/api/private');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="orders"');
    const scoped = await get(
      app,
      '/api/private-scoped',
      await issueToken(mock.server, { scope: 'delete:sample' }),
    );
    expect(scoped.headers['www-authenticate']).toMatch(
      /^Bearer realm="orders", error="insufficient_scope"/,
    );
  });
});

describe('request.auth and route-level requirements', () => {
  it('sets request.auth to the verified token', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    const response = await get(app, '/api/auth', token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      scopes: ['read:sample'],
      realm: 'api',
      alg: 'RS256',
      tokenMatches: true,
    });
    const sub = (await get(app, '/api/private', token)).json<{ sub: string }>().sub;
    expect(sub).toMatch(/^auth0\|/);
  });

  it('requireScopes: 403 insufficient_scope naming the scope; 200 when granted', async () => {
    const app = await quickstartApp();
    const without = await get(
      app,
      '/api/private-scoped',
      await issueToken(mock.server, { scope: 'delete:sample' }),
    );
    expect(injectedAnswer(without)).toEqual(
      renderBearerError(new InsufficientScopeError(['read:sample'], 'Insufficient scope', realm)),
    );
    expect(without.headers['www-authenticate']).toContain('scope="read:sample"');
    const granted = await get(app, '/api/private-scoped', await issueToken(mock.server));
    expect(granted.statusCode).toBe(200);
  });

  it('requireAnyScope: one of the scopes is enough; none gets 403 naming both', async () => {
    const app = await quickstartApp();
    expect((await get(app, '/api/any-scope', await issueToken(mock.server))).statusCode).toBe(200);
    const writer = await issueToken(mock.server, { scope: 'write:sample' });
    expect((await get(app, '/api/any-scope', writer)).statusCode).toBe(200);
    const none = await get(
      app,
      '/api/any-scope',
      await issueToken(mock.server, { scope: 'delete:sample' }),
    );
    expect(none.statusCode).toBe(403);
    expect(none.headers['www-authenticate']).toContain('scope="write:sample read:sample"');
  });

  it('claim checks: claimIncludes, claimEquals and claimCheck answer 401 invalid_token', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    expect((await get(app, '/api/reader', token)).statusCode).toBe(200);
    expect((await get(app, '/api/tutorial-client', token)).statusCode).toBe(200);
    expect(injectedAnswer(await get(app, '/api/admin', token))).toEqual(
      renderBearerError(
        new InvalidTokenError(`Token claim '${ROLES_CLAIM}' is not accepted`, realm),
      ),
    );
    expect(injectedAnswer(await get(app, '/api/other-client', token))).toEqual(
      renderBearerError(new InvalidTokenError('Wrong client', realm)),
    );
  });

  it('requirement(rule) applies any core AuthRequirement', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    expect((await get(app, '/api/core-rule', token)).statusCode).toBe(200);
    expect(injectedAnswer(await get(app, '/api/core-rule-refused', token))).toEqual(
      renderBearerError(new InvalidTokenError('M2M', realm)),
    );
    expect(() => requirement('nope' as never)).toThrow(TypeError);
  });

  it('optional: anonymous passes with auth undefined, a bad token still fails', async () => {
    const app = await quickstartApp();
    const anonymous = await get(app, '/api/optional');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ sub: null });
    const token = await issueToken(mock.server);
    expect((await get(app, '/api/optional', token)).json<{ sub: string }>().sub).toMatch(
      /^auth0\|/,
    );
    const forged = await get(app, '/api/optional', `${token.slice(0, -4)}AAAA`);
    expect(forged.statusCode).toBe(401);
    expect(forged.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('optional with a scope requirement: anonymous gets 401 from the requirement', async () => {
    const app = await quickstartApp();
    expect(injectedAnswer(await get(app, '/api/optional-scoped'))).toEqual(
      renderBearerError(new MissingCredentialsError(realm)),
    );
  });

  it("optional with a scope requirement: the 401 is in the optional auth()'s own realm", async () => {
    const app = await quickstartApp({ realm: 'shop' });
    const response = await get(app, '/api/optional-scoped');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="shop"');
  });

  it('leaves request.auth undefined on routes without the hook', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    app.get('/open', (request) => ({ hasAuth: 'auth' in request, auth: request.auth ?? null }));
    const response = await app.inject({ url: '/open', headers: { authorization: 'Bearer abc' } });
    expect(response.json()).toEqual({ hasAuth: true, auth: null });
  });
});

describe('Fastify placement: per route, per encapsulated scope, before the body', () => {
  it('is a fastify-plugin named @ropkit/fastify for Fastify 5, decorating the instance it is registered on', async () => {
    const meta: unknown = Reflect.get(fastifyRopkit, Symbol.for('plugin-meta'));
    expect(meta).toMatchObject({ name: '@ropkit/fastify', fastify: '5.x' });
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    expect(app.hasPlugin('@ropkit/fastify')).toBe(true);
    expect(app.hasRequestDecorator('auth')).toBe(true);
    expect(app.hasRequestDecorator('accessToken')).toBe(true);
    expect(app.hasRequestDecorator('apiFetch')).toBe(true);
  });

  it('protects every route of an encapsulated scope and nothing outside it', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    const protect = auth(verifierOptions());
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', protect);
        scope.get('/one', (request) => ({ sub: request.auth?.payload.sub }));
        scope.get('/two', () => ({ ok: true }));
      },
      { prefix: '/admin' },
    );
    app.get('/outside', (request) => ({ auth: request.auth ?? null }));
    expect((await get(app, '/admin/one')).statusCode).toBe(401);
    expect((await get(app, '/admin/two')).statusCode).toBe(401);
    expect((await get(app, '/outside')).json()).toEqual({ auth: null });
    const token = await issueToken(mock.server);
    expect((await get(app, '/admin/one', token)).json<{ sub: string }>().sub).toMatch(/^auth0\|/);
  });

  it('refuses in onRequest before the body is parsed', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    let parsed = 0;
    app.addContentTypeParser(
      'application/x-counted',
      { parseAs: 'string' },
      (_request, body, done) => {
        parsed++;
        done(null, { body });
      },
    );
    app.post('/upload', { onRequest: auth(verifierOptions()) }, () => ({ ok: true }));
    const refused = await app.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': 'application/x-counted' },
      payload: 'x'.repeat(1000),
    });
    expect(refused.statusCode).toBe(401);
    expect(parsed).toBe(0);
    const accepted = await app.inject({
      method: 'POST',
      url: '/upload',
      headers: {
        'content-type': 'application/x-counted',
        authorization: `Bearer ${await issueToken(mock.server)}`,
      },
      payload: 'x',
    });
    expect(accepted.statusCode).toBe(200);
    expect(parsed).toBe(1);
  });

  it('reads a form-body token (section 2.2) at preValidation, and says so when placed too early', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );
    const bodyAuth = auth(verifierOptions({ tokenLocations: ['header', 'body'] }));
    app.post('/late', { preValidation: bodyAuth }, (request) => ({
      sub: request.auth?.payload.sub,
    }));
    app.post('/early', { onRequest: bodyAuth }, () => ({ ok: true }));
    const token = await issueToken(mock.server);
    const form = {
      method: 'POST' as const,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ access_token: token }).toString(),
    };
    const late = await app.inject({ ...form, url: '/late' });
    expect(late.statusCode).toBe(200);
    expect(late.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
    const early = await app.inject({ ...form, url: '/early' });
    expect(early.statusCode).toBe(500);
    expect(early.json<{ message: string }>().message).toContain('preValidation');
  });

  it('passes errors that are not BearerErrors to Fastify', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(fastifyRopkit);
    app.get(
      '/broken',
      {
        onRequest: [
          auth(verifierOptions()),
          claimCheck(() => {
            throw new RangeError('bug in a claim check');
          }),
        ],
      },
      () => ({ ok: true }),
    );
    const response = await get(app, '/broken', await issueToken(mock.server));
    expect(response.statusCode).toBe(500);
    expect(response.json<{ message: string }>().message).toBe('bug in a claim check');
  });
});

describe('sendBearerError in your own error handler', () => {
  it('renders a BearerError thrown by route code like the hooks do', async () => {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof BearerError) return sendBearerError(reply, error);
      return reply.send(error);
    });
    app.get('/thrown', () => {
      throw new InsufficientScopeError(['admin'], 'Insufficient scope', realm);
    });
    app.get('/other', () => {
      throw new RangeError('not ours');
    });
    expect(injectedAnswer(await get(app, '/thrown'))).toEqual(
      renderBearerError(new InsufficientScopeError(['admin'], 'Insufficient scope', realm)),
    );
    expect((await get(app, '/other')).statusCode).toBe(500);
  });
});

describe('declaration-time checks', () => {
  it('throws a TypeError for bad options when the hook is created', () => {
    expect(() => auth({ issuer: mock.server.issuer } as AuthOptions)).toThrow(TypeError);
    expect(() => auth(verifierOptions({ optional: 'yes' as unknown as boolean }))).toThrow(
      '"optional" must be a boolean',
    );
    expect(() => auth(verifierOptions({ clockTolerance: -1 }))).toThrow(TypeError);
    expect(() => auth(null as unknown as AuthOptions)).toThrow(TypeError);
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireAnyScope('bad scope"')).toThrow(TypeError);
    expect(() => claimCheck('nope' as unknown as () => boolean)).toThrow(TypeError);
    expect(() => claimIncludes('roles')).toThrow(TypeError);
    expect(() => claimEquals('', 'x')).toThrow(TypeError);
  });
});

describe('signing keys: rotation, withdrawal and outages (RFC 7517)', () => {
  it('picks up a rotated-in key and refuses a withdrawn one', async () => {
    const app = await quickstartApp({ keySet: { cooldownMs: 0 } });
    const first = await issueToken(mock.server);
    expect((await get(app, '/api/private', first)).statusCode).toBe(200);

    const { previousKid } = await mock.server.control.rotateSigningKey();
    const second = await issueToken(mock.server, { scope: 'read:sample write:sample' });
    expect((await get(app, '/api/private', second)).statusCode).toBe(200);
    expect((await get(app, '/api/private', first)).statusCode).toBe(200);

    await mock.server.control.withdrawSigningKey(previousKid);
    // A token signed by yet another key makes the verifier fetch the key set again.
    await mock.server.control.rotateSigningKey();
    const third = await issueToken(mock.server, { scope: 'openid read:sample' });
    expect((await get(app, '/api/private', third)).statusCode).toBe(200);
    expect(injectedAnswer(await get(app, '/api/private', first))).toEqual(
      renderBearerError(new InvalidTokenError('Token signing key is unknown', realm)),
    );
  });

  it('answers 503 temporarily_unavailable, without a challenge, when the key set fails', async () => {
    const app = await quickstartApp();
    const token = await issueToken(mock.server);
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
    });
    const response = await get(app, '/api/private', token);
    expect(injectedAnswer(response)).toEqual(
      renderBearerError(new KeySetUnavailableError('The signing keys are unavailable', realm)),
    );
    expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // The fault was for one request: the next one fetches the key set again after the cooldown.
  });

  it('keeps answering from the cached key set while the endpoint fails', async () => {
    // No verified-token cache: the second token needs the key set, which is past its max age.
    const app = await quickstartApp({ keySet: { cooldownMs: 0, maxAgeMs: 1 }, cache: false });
    expect((await get(app, '/api/private', await issueToken(mock.server))).statusCode).toBe(200);
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
      times: 5,
    });
    const another = await issueToken(mock.server, { scope: 'write:sample' });
    expect((await get(app, '/api/private', another)).statusCode).toBe(200);
  });
});
