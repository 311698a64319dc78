// Where the hooks sit in Fastify's lifecycle and encapsulation: what the conformance kit, which
// sees one app from outside, cannot tell. Fastify's own plumbing, so app.inject() is enough.
import fastifyFormbody from '@fastify/formbody';
import { bearer, issueToken, TUTORIAL, useMockServer } from '@ropkit/test-support';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auth,
  claimCheck,
  claimEquals,
  claimIncludes,
  fastifyRopkit,
  InvalidTokenError,
  requireAnyScope,
  requirement,
  requireScopes,
  type AnyFastifyRequest,
  type AuthOptions,
} from '../src/index.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function verifier(extra: Partial<AuthOptions> = {}): AuthOptions {
  return { issuer: mock.server.issuer, audience: TUTORIAL.audience, ...extra };
}

async function newApp(): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(fastifyRopkit);
  return app;
}

const subject = (request: AnyFastifyRequest) => ({ sub: request.auth?.payload.sub ?? null });

/** Whether `request.auth` is declared on the request, and its subject. */
const seen = (request: AnyFastifyRequest) => ({
  declared: 'auth' in request,
  sub: request.auth?.payload.sub ?? null,
});

describe('fastifyRopkit declares request.auth', () => {
  it('is a fastify-plugin for Fastify 5 named @ropkit/fastify, declaring only request.auth', async () => {
    expect(Reflect.get(fastifyRopkit, Symbol.for('plugin-meta'))).toMatchObject({
      name: '@ropkit/fastify',
      fastify: '5.x',
    });
    const app = await newApp();
    expect(app.hasPlugin('@ropkit/fastify')).toBe(true);
    expect(app.hasRequestDecorator('auth')).toBe(true);
    // The sign-in's decorators come from passwordLogin().tokens now.
    expect(app.hasRequestDecorator('accessToken')).toBe(false);
    expect(app.hasRequestDecorator('apiFetch')).toBe(false);
  });

  it('reaches every encapsulated scope when registered once on the root', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    await app.register(async (api) => {
      api.get('/open', seen);
      await api.register(async (nested) => {
        nested.get('/protected', { onRequest: protect }, seen);
      });
    });
    const open = await app.inject({ url: '/open', headers: { authorization: 'Bearer abc' } });
    expect(open.json()).toEqual({ declared: true, sub: null });
    const token = await issueToken(mock.server);
    const nested = await app.inject({ url: '/protected', headers: bearer(token) });
    expect(nested.statusCode).toBe(200);
    expect(nested.json()).toMatchObject({ declared: true, sub: expect.stringMatching(/^auth0\|/) });
  });
});

describe('auth() as an onRequest hook', () => {
  it('refuses an anonymous request before its body is read or parsed', async () => {
    const app = await newApp();
    let parsed = 0;
    app.addContentTypeParser('application/x-counted', { parseAs: 'string' }, (_req, body, done) => {
      parsed++;
      done(null, { body });
    });
    app.post('/upload', { onRequest: auth(verifier()) }, () => ({ ok: true }));
    const upload = { method: 'POST', url: '/upload', payload: 'x'.repeat(10_000) } as const;

    const refused = await app.inject({
      ...upload,
      headers: { 'content-type': 'application/x-counted' },
    });
    expect(refused.statusCode).toBe(401);
    expect(parsed).toBe(0);

    const token = await issueToken(mock.server);
    const accepted = await app.inject({
      ...upload,
      headers: { 'content-type': 'application/x-counted', ...bearer(token) },
    });
    expect(accepted.statusCode).toBe(200);
    expect(parsed).toBe(1);
  });

  it('protects every route of an encapsulated scope with addHook, and nothing outside it', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    await app.register(
      async (admin) => {
        admin.addHook('onRequest', protect);
        admin.get('/users', subject);
        admin.get('/health', () => ({ ok: true }));
      },
      { prefix: '/admin' },
    );
    app.get('/public', subject);
    expect((await app.inject({ url: '/admin/users' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/health' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/public' })).json()).toEqual({ sub: null });
    const token = await issueToken(mock.server);
    const users = await app.inject({ url: '/admin/users', headers: bearer(token) });
    expect(users.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
  });

  it('adds a requirement to a scope after its auth() hook', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    await app.register(async (writers) => {
      writers.addHook('onRequest', protect);
      writers.addHook('onRequest', requireScopes('write:sample'));
      writers.post('/orders', () => ({ created: true }));
    });
    const reader = await issueToken(mock.server, { scope: 'read:sample' });
    const refused = await app.inject({ method: 'POST', url: '/orders', headers: bearer(reader) });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('scope="write:sample"');
    const writer = await issueToken(mock.server, { scope: 'write:sample' });
    const created = await app.inject({ method: 'POST', url: '/orders', headers: bearer(writer) });
    expect(created.statusCode).toBe(200);
  });

  it('also works at preValidation and preHandler', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    app.get('/late', { preValidation: protect }, subject);
    app.get('/later', { preHandler: [protect, requireScopes('read:sample')] }, subject);
    const token = await issueToken(mock.server);
    for (const url of ['/late', '/later']) {
      expect((await app.inject({ url })).statusCode).toBe(401);
      const signed = await app.inject({ url, headers: bearer(token) });
      expect(signed.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
    }
  });
});

describe('a token verified before', () => {
  it('goes on synchronously through done(), at each hook, and the next hooks still run', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    const order: string[] = [];
    app.get(
      '/twice',
      {
        onRequest: [protect, async () => void order.push('after onRequest')],
        preHandler: [protect, requireScopes('read:sample')],
      },
      subject,
    );
    const token = await issueToken(mock.server);
    // The cache admits a token on its second sight; from the third request on, it is a hit.
    for (let i = 0; i < 4; i++) {
      const response = await app.inject({ url: '/twice', headers: bearer(token) });
      expect(response.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
    }
    expect(order).toHaveLength(4);
  });

  it('still gives a promise to a hook that composes auth() without done', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    app.get(
      '/composed',
      {
        onRequest: async (request, reply) => {
          await protect(request, reply);
        },
      },
      subject,
    );
    const token = await issueToken(mock.server);
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({ url: '/composed', headers: bearer(token) });
      expect(response.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
    }
    expect((await app.inject({ url: '/composed' })).statusCode).toBe(401);
  });
});

async function formApp(): Promise<FastifyInstance> {
  const app = await newApp();
  await app.register(fastifyFormbody);
  const bodyAuth = auth(verifier({ tokenLocations: ['header', 'body'] }));
  app.post('/at-prevalidation', { preValidation: bodyAuth }, subject);
  app.post('/at-onrequest', { onRequest: bodyAuth }, subject);
  return app;
}

const form = (url: string, fields: Record<string, string>) =>
  ({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  }) as const;

describe('a token in a form body (RFC 6750 section 2.2)', () => {
  it('is read by auth() at preValidation, where the body is parsed', async () => {
    const app = await formApp();
    const token = await issueToken(mock.server);
    const response = await app.inject(form('/at-prevalidation', { access_token: token }));
    expect(response.statusCode).toBe(200);
    expect(response.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
  });

  it('makes auth() at onRequest fail with an error saying where it belongs, not a silent 401', async () => {
    const app = await formApp();
    const token = await issueToken(mock.server);
    const response = await app.inject(form('/at-onrequest', { access_token: token }));
    expect(response.statusCode).toBe(500);
    expect(response.json<{ message: string }>().message).toBe(
      'auth() with tokenLocations "body" needs the form body parsed before it runs (Fastify: use it as a preValidation hook; Express: express.urlencoded() first; Koa: @koa/bodyparser first)',
    );
  });

  it('fails at onRequest on every form request, header token or not, so the mistake shows at once', async () => {
    // Let through, a request with a token in both places would escape the one-method rule
    // (RFC 6750 section 2): the hook cannot see the body yet.
    const app = await formApp();
    app.get(
      '/read',
      { onRequest: auth(verifier({ tokenLocations: ['header', 'body'] })) },
      subject,
    );
    const token = await issueToken(mock.server);
    const withHeader = await app.inject({
      ...form('/at-onrequest', { note: 'no token here' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(token) },
    });
    expect(withHeader.statusCode).toBe(500);
    expect(withHeader.json<{ message: string }>().message).toContain('preValidation');
    // A GET has no form body to miss, whatever its Content-Type says.
    const read = await app.inject({
      url: '/read',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(token) },
    });
    expect(read.statusCode).toBe(200);
    expect((await app.inject({ url: '/read' })).statusCode).toBe(401);
    const json = await app.inject({
      method: 'POST',
      url: '/at-onrequest',
      headers: bearer(token),
      payload: { note: 'json' },
    });
    expect(json.statusCode).toBe(200);
  });
});

describe('requirement hooks', () => {
  it('answer 401 in the realm of the optional auth() a request passed without credentials', async () => {
    // core knows the request passed anonymously only if the adapter hands both hooks the same
    // request object.
    const app = await newApp();
    const optional = auth(verifier({ optional: true, realm: 'shop' }));
    app.get('/basket', { onRequest: [optional, requireScopes('read:sample')] }, subject);
    app.get('/maybe', { onRequest: optional }, subject);
    const response = await app.inject({ url: '/basket' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="shop"');
    expect((await app.inject({ url: '/maybe' })).json()).toEqual({ sub: null });
  });

  it('each builder turns core rule into a hook that answers its own failure', async () => {
    const app = await newApp();
    const protect = auth(verifier());
    const routes = {
      '/any-scope': requireAnyScope('write:sample', 'read:sample'),
      '/azp': claimEquals('azp', TUTORIAL.clientId),
      '/other-azp': claimEquals('azp', 'another-client'),
      '/scope-claim': claimIncludes('scope', 'read:sample'),
      '/admin': claimIncludes('scope', 'admin'),
      '/check': claimCheck((payload) => payload.sub !== undefined),
      '/refused': claimCheck(() => false, 'Employees only'),
      '/rule': requirement(() => {
        throw new InvalidTokenError('Not on Sundays', { realm: 'api' });
      }),
    };
    for (const [url, rule] of Object.entries(routes)) {
      app.get(url, { onRequest: [protect, rule] }, subject);
    }
    const headers = bearer(await issueToken(mock.server, { scope: 'read:sample' }));
    const status = async (url: string) => (await app.inject({ url, headers })).statusCode;
    expect(await status('/any-scope')).toBe(200);
    expect(await status('/azp')).toBe(200);
    expect(await status('/scope-claim')).toBe(200);
    expect(await status('/check')).toBe(200);
    const refusals = ['/other-azp', '/admin', '/refused', '/rule'];
    const statuses = await Promise.all(refusals.map(async (url) => [url, await status(url)]));
    expect(statuses).toEqual(refusals.map((url) => [url, 401]));
    const refused = await app.inject({ url: '/refused', headers });
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Employees only"',
    );
    expect(refused.json()).toEqual({
      error: 'invalid_token',
      error_description: 'Employees only',
    });
  });

  it('pass an error that is not ropkit to Fastify error handling', async () => {
    const app = await newApp();
    const bug = claimCheck(() => {
      throw new RangeError('bug in a claim check');
    });
    app.get('/broken', { onRequest: [auth(verifier()), bug] }, subject);
    const token = await issueToken(mock.server);
    const response = await app.inject({ url: '/broken', headers: bearer(token) });
    expect(response.statusCode).toBe(500);
    expect(response.json<{ message: string }>().message).toBe('bug in a claim check');
  });
});
