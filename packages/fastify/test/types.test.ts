import type { AuthorizedFetch, VerifiedAccessToken } from '@ropkit/core';
import Fastify, { type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import fastifyRopkitDefault, {
  BearerError,
  auth,
  fastifyRopkit,
  passwordLogin,
  requireScopes,
  sendBearerError,
  type AuthHook,
  type FastifyRopkitOptions,
} from '../src/index.js';

// These assertions are checked by `tsc` (the package's typecheck includes test/); at run time they
// only confirm the exports exist.
describe('types by declaration merging in the entry file', () => {
  it('types request.auth, request.accessToken() and request.apiFetch()', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<FastifyRequest['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<FastifyRequest['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();
    expect(typeof fastifyRopkit).toBe('function');
  });

  it('types the plugin, the hooks and their options', () => {
    expectTypeOf(fastifyRopkit).toEqualTypeOf<FastifyPluginAsync<FastifyRopkitOptions>>();
    expectTypeOf(fastifyRopkitDefault).toEqualTypeOf(fastifyRopkit);
    expectTypeOf(auth).parameter(0).toHaveProperty('optional').toEqualTypeOf<boolean | undefined>();
    expectTypeOf(auth).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireScopes).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf<VerifiedAccessToken['payload']['scope']>().toEqualTypeOf<string | undefined>();
    expect(fastifyRopkitDefault).toBe(fastifyRopkit);
  });

  it('fits routes with typed query and reply, in every hook position', async () => {
    const app = Fastify();
    const protect = auth({ issuer: 'https://tenant.example.com/', audience: 'api' });
    app.get<{ Querystring: { q: string }; Reply: { ok: boolean } }>(
      '/typed',
      { onRequest: [protect, requireScopes('read:sample')], preHandler: protect },
      (request) => ({ ok: request.query.q === 'x' }),
    );
    app.addHook('preValidation', protect);
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/typed' })).toBe(true);
    await app.close();
  });

  it('fits HTTP/2 servers too', async () => {
    const app = Fastify({ http2: true });
    const protect = auth({ issuer: 'https://tenant.example.com/', audience: 'api' });
    app.get('/h2', { onRequest: [protect, requireScopes('read:sample')] }, (request) => ({
      sub: request.auth?.payload.sub,
    }));
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof BearerError) return sendBearerError(reply, error);
      return reply.send(error);
    });
    const login = passwordLogin({
      client: { tokenEndpoint: 'https://tenant.example.com/oauth/token', clientId: 'app' },
    });
    app.post('/login', login.login);
    app.post('/login/otp', login.verifyOtp);
    app.post('/logout', login.logout);
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/h2' })).toBe(true);
    await app.close();
  });
});
