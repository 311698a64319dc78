import { renderError } from '@ropkit/core/adapter';
import type { ErrorRequestHandler } from 'express';

/**
 * Error-handling middleware that answers the errors ropkit raises exactly as every ropkit adapter
 * does (core's `renderError`): a `BearerError` with its status, `WWW-Authenticate` (RFC 6750
 * section 3) and `{"error":"...","error_description":"..."}`; a `ReauthenticationRequiredError`
 * from `req.accessToken()`, `req.apiFetch()`, `req.identity()` or `req.userinfo()` (not signed
 * in) with 401 `login_required`. Any other error goes on to the next error handler. Mount it
 * after your routes.
 *
 * Without it, Express's final handler still answers with the error's status (and the challenge),
 * with an HTML body.
 *
 * @example
 * ```ts
 * app.get('/api/private', auth({ issuer, audience }), handler);
 * app.use(authErrorHandler());
 * ```
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    const answer = renderError(error);
    // Once headers are out, only Express's final handler can end the exchange (it closes the socket).
    if (answer === undefined || res.headersSent) {
      next(error);
      return;
    }
    // Node's own methods, not res.send(): no ETag and no Content-Type rewriting, so the bytes
    // are the same as the Koa and Fastify adapters write.
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
}
