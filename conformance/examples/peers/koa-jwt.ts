/**
 * The conformance kit's test app for koa-jwt with jwks-rsa, written as their READMEs show:
 * `jwt()` with `koaJwtSecret()` (cached), the audience and the issuer; the README's custom 401
 * handling as the first middleware; and `passthrough: true` for an optional route, which "lets
 * downstream middleware make decisions based on whether ctx.state.user is set".
 *
 * Every option the kit passes that the libraries have a setting for is honoured: the key set URL,
 * the algorithms and the clock tolerance (jsonwebtoken's, which koa-jwt passes on), and the key
 * set cooldown as jwks-rsa's requests per minute; instead of a key set, an HS256 secret or a
 * public key's PEM as koa-jwt's `secret` (its README's `jwt({ secret: 'shared-secret' })` and
 * `jwt({ secret: publicKey })`). koa-jwt has no scope checks, no certificate binding and no
 * step-up of its own.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/koa-jwt.ts`.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  keySourceOf,
  type Capability,
  type KitKeySource,
  type StartTestApp,
  type TestApp,
} from '@ropkit/conformance';
import { koaJwtSecret } from 'jwks-rsa';
import Koa from 'koa';
import jwt from 'koa-jwt';

export const name = 'koa-jwt + jwks-rsa';

/**
 * Bearer JWTs from a key set, or with an HS256 secret or a public key instead, and optional
 * routes; no scope checks, no login.
 */
export const capabilities: Capability[] = ['bearer', 'optional', 'key-set', 'hs256', 'static-key'];

/** koa-jwt's `secret`: the HS256 secret, the public key's PEM, or jwks-rsa's key set. */
function secretOf(source: KitKeySource, cooldownMs: number) {
  if (source.secret !== undefined) return source.secret;
  if (source.publicKey !== undefined) return source.publicKey;
  return koaJwtSecret({
    jwksUri: source.jwksUri,
    cache: true,
    cacheMaxEntries: 5,
    cacheMaxAge: 10 * 60 * 60 * 1000,
    rateLimit: true,
    jwksRequestsPerMinute: Math.max(1, Math.floor(60_000 / cooldownMs)),
  });
}

export const startTestApp: StartTestApp = async ({ verifier }) => {
  // One issuer (it does not declare the issuers capability), and its key set, secret or key.
  const source = keySourceOf(verifier);
  const { issuer } = source;
  const options = {
    secret: secretOf(source, verifier.keySet.cooldownMs),
    audience: verifier.audience,
    issuer,
    algorithms: [...verifier.algorithms],
    clockTolerance: verifier.clockTolerance,
  };
  const required = jwt(options);
  const optional = jwt({ ...options, passthrough: true });
  const app = new Koa();
  // Custom 401 handling if you don't want to expose koa-jwt errors to users
  app.use((ctx, next) =>
    next().catch((err: { status?: number }) => {
      if (err.status === 401) {
        ctx.status = 401;
        ctx.body = 'Protected resource, use Authorization header to get access\n';
      } else {
        throw err;
      }
    }),
  );
  app.use(async (ctx, next) => {
    const subject = () => {
      const user: unknown = ctx.state['user'];
      const sub: unknown =
        typeof user === 'object' && user !== null ? Reflect.get(user, 'sub') : null;
      ctx.body = { sub: sub ?? null };
    };
    if (ctx.path === '/api/public') ctx.body = { message: 'Public: no token needed' };
    else if (ctx.path === '/api/private') await required(ctx, async () => subject());
    else if (ctx.path === '/api/optional') await optional(ctx, async () => subject());
    else await next();
  });
  return opened(app.listen(0, '127.0.0.1'));
};

/** The test app of a server listening on 127.0.0.1: its URL, and how to close it. */
async function opened(server: Server): Promise<TestApp> {
  if (!server.listening) await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}
