import { createAuthenticate, type AuthOptions } from '@ropkit/core/adapter';
import type { BearerRequest } from '@ropkit/core';
import type { Context, Middleware } from 'koa';

/**
 * Middleware that reads the bearer token (RFC 6750 section 2.1), verifies it and sets
 * `ctx.state.auth` to the verified token. It creates one verifier (its key set, its cache) per
 * call, now: call it once per API and reuse the middleware. Every option is checked here; a bad
 * one throws a `TypeError`. A failure is thrown as a core `BearerError`, which carries `status`,
 * `expose` and `headers` (`WWW-Authenticate`), so Koa's own error handling answers it correctly;
 * {@link authErrorHandler} writes it as JSON.
 *
 * @example
 * ```ts
 * const requireAuth = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'YOUR_API_IDENTIFIER' });
 * router.get('/api/private', requireAuth, (ctx) => { ctx.body = { sub: ctx.state.auth?.payload.sub }; });
 * ```
 * @throws {TypeError} naming the option, for an invalid one.
 */
export function auth(options: AuthOptions): Middleware {
  const authenticate = createAuthenticate(options);
  const { verifier } = authenticate;
  return function ropkitAuth(ctx, next) {
    const request = bearerRequestOf(ctx);
    // A token verified before goes on without a promise of this middleware's own: Koa's next()
    // is the only one. Everything else is decided by core; its rejection is Koa's error.
    const cached = verifier.authenticateCached(request);
    if (cached === undefined) {
      return authenticate(request, ctx).then((verified) => {
        ctx.state.auth = verified;
        return next();
      });
    }
    ctx.state.auth = cached;
    return next();
  };
}

function bearerRequestOf(ctx: Context): BearerRequest {
  return {
    headers: ctx.headers,
    // Node keeps only the first Authorization header in `headers`; core needs the raw list to
    // refuse a repeated one (RFC 6750 section 2: one method, one token).
    rawHeaders: ctx.req.rawHeaders,
    method: ctx.method,
    query: ctx.query,
    // Set by a body parser (@koa/bodyparser) on ctx.request; read for RFC 6750 section 2.2 only.
    body: Reflect.get(ctx.request, 'body'),
    // A DPoP proof's htu names these (RFC 9449 section 4.3); `secure` trusts a proxy only with
    // `app.proxy`.
    originalUrl: ctx.originalUrl,
    secure: ctx.secure,
    // A TLS socket gives the client certificate a certificate-bound token needs (RFC 8705).
    socket: ctx.req.socket,
  };
}
