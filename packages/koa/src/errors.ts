import { BearerError, renderBearerError } from '@ropkit/core';
import type { Middleware } from 'koa';

/**
 * Koa middleware, placed first (`app.use(authErrors())`), that answers every `BearerError` thrown
 * downstream with core's `renderBearerError`: the status, `WWW-Authenticate` challenge
 * (RFC 6750 section 3), `Cache-Control: no-store` and JSON body
 * `{"error":"...","error_description":"..."}` that the Express and Fastify adapters write too,
 * byte for byte. Other errors go on to Koa (or your own error middleware) untouched.
 *
 * Without it, Koa's default `ctx.onerror` still answers with the right status and challenge
 * (the error carries `status`, `expose` and `headers`), with a plain-text body.
 *
 * A 503 (`KeySetUnavailableError`: the key set could not be fetched) is also emitted as an
 * `'error'` event on the app, since it is the server's problem, not the client's: Koa's default
 * listener ignores it (`expose` is true), your `app.on('error', ...)` logger sees it.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(authErrors());
 * app.use(router.routes());
 * ```
 */
export function authErrors(): Middleware {
  return async function ropkitAuthErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      // Once headers are out nothing can be rewritten: leave it to Koa, which only reports it.
      if (!(error instanceof BearerError) || ctx.headerSent) throw error;
      if (error.status >= 500) ctx.app.emit('error', error, ctx);
      const response = renderBearerError(error);
      ctx.status = response.status;
      ctx.set(response.headers);
      // A string body keeps the Content-Type set above and is written byte for byte.
      ctx.body = response.body;
    }
  };
}
