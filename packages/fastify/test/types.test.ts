import type {
  AuthorizedFetch,
  IdTokenClaims,
  LoginResult,
  TokenManager,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';
import { LOGIN_ROUTES } from '@ropkit/core';
import Fastify, { type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import fastifyRopkitDefault, {
  auth,
  authErrorHandler,
  fastifyRopkit,
  passwordLogin,
  requireScopes,
  type AnyFastifyReply,
  type AnyFastifyRequest,
  type AuthHook,
  type LoginResponder,
  type LoginRouteHandler,
  type PasswordLoginHandlers,
  type PasswordLoginOptions,
} from '../src/index.js';

// These assertions are checked by `tsc` (the package's typecheck includes test/); at run time the
// apps below are built, so a hook or handler Fastify would refuse shows up here too.
const verifier = { issuer: 'https://tenant.example.com/', audience: 'https://api.example.com' };
const client = { tokenEndpoint: 'https://tenant.example.com/oauth/token', clientId: 'app' };

describe('types', () => {
  it('types request.auth, accessToken(), apiFetch(), identity() and userinfo()', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<FastifyRequest['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<FastifyRequest['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();
    expectTypeOf<FastifyRequest['identity']>().toEqualTypeOf<
      () => Promise<Readonly<IdTokenClaims> | undefined>
    >();
    expectTypeOf<FastifyRequest['userinfo']>().toEqualTypeOf<() => Promise<UserinfoClaims>>();
    expect(fastifyRopkitDefault).toBe(fastifyRopkit);
  });

  it('types the plugins, the hooks and passwordLogin()', () => {
    expectTypeOf(fastifyRopkit).toEqualTypeOf<FastifyPluginAsync>();
    expectTypeOf(auth).parameter(0).toHaveProperty('optional').toEqualTypeOf<boolean | undefined>();
    expectTypeOf(auth).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(requireScopes).returns.toEqualTypeOf<AuthHook>();
    expectTypeOf(passwordLogin).returns.toEqualTypeOf<PasswordLoginHandlers>();
    expectTypeOf<PasswordLoginHandlers['tokens']>().toEqualTypeOf<FastifyPluginAsync>();
    expectTypeOf<PasswordLoginHandlers['login']>().toEqualTypeOf<LoginRouteHandler>();
    expectTypeOf<PasswordLoginHandlers['manager']>().toEqualTypeOf<TokenManager>();
    expectTypeOf<PasswordLoginOptions['respond']>().toEqualTypeOf<LoginResponder | undefined>();
    expectTypeOf<LoginResponder>().parameters.toEqualTypeOf<
      [LoginResult, AnyFastifyRequest, AnyFastifyReply]
    >();
    // Only core's options and respond: anything else is a type error (and a TypeError at run time).
    // @ts-expect-error -- not an option of passwordLogin()
    expectTypeOf<PasswordLoginOptions>().toHaveProperty('login');
    expect(Object.keys(passwordLogin({ client })).toSorted()).toEqual(
      [...LOGIN_ROUTES, 'manager', 'tokens'].toSorted(),
    );
  });

  it('fits routes with typed query and reply, in every hook position', async () => {
    const app = Fastify();
    await app.register(fastifyRopkit);
    const protect = auth(verifier);
    app.get<{ Querystring: { q: string }; Reply: { ok: boolean } }>(
      '/typed',
      { onRequest: [protect, requireScopes('read:sample')], preHandler: protect },
      (request) => ({ ok: request.query.q === 'x' && request.auth !== undefined }),
    );
    app.addHook('preValidation', protect);
    app.setErrorHandler(authErrorHandler());
    await app.ready();
    expect(app.hasRoute({ method: 'GET', url: '/typed' })).toBe(true);
    await app.close();
  });

  it('fits HTTP/2 servers too: hooks, error handler, login handlers and tokens plugin', async () => {
    const app = Fastify({ http2: true });
    const protect = auth(verifier);
    app.get('/h2', { onRequest: [protect, requireScopes('read:sample')] }, (request) => ({
      sub: request.auth?.payload.sub,
    }));
    app.setErrorHandler(authErrorHandler());
    const login = passwordLogin({
      client,
      respond: (result, _request, reply) => reply.code(200).send(result),
    });
    await app.register(login.tokens);
    app.post('/login', login.login);
    app.post('/login/otp', login.verifyOtp);
    app.post('/logout', login.logout);
    app.get('/token', (request) => request.accessToken().then((token) => ({ token })));
    await app.ready();
    expect(app.hasRoute({ method: 'POST', url: '/login' })).toBe(true);
    await app.close();
  });
});
