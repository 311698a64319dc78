import { renderError } from '@ropkit/core/adapter';
import type { Middleware } from 'koa';

/**
 * Middleware that answers the errors ropkit raises further down exactly as every ropkit adapter
 * does (core's `renderError`): a `BearerError` with its status, `WWW-Authenticate` (RFC 6750
 * section 3) and `{"error":"...","error_description":"..."}`; a `ReauthenticationRequiredError`
 * from `ctx.state.accessToken()`, `ctx.state.apiFetch()`, `ctx.state.identity()` or
 * `ctx.state.userinfo()` (not signed in) with 401 `login_required`. Other errors propagate.
 * `app.use()` it before the routes.
 *
 * Without it, Koa's own error handling still answers with the error's status and
 * `WWW-Authenticate`, with a text body.
 *
 * @example
 * ```ts
 * app.use(authErrorHandler());
 * app.use(router.routes());
 * ```
 */
export function authErrorHandler(): Middleware {
  return async function ropkitAuthErrorHandler(ctx, next) {
    try {
      await next();
    } catch (error) {
      const answer = renderError(error);
      // Once headers are out nothing can be rewritten: leave it to Koa, which only reports it.
      if (answer === undefined || ctx.headerSent) throw error;
      ctx.status = answer.status;
      ctx.set(answer.headers);
      // A string body keeps the Content-Type set above and is written byte for byte.
      ctx.body = answer.body;
    }
  };
}
