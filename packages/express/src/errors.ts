import { BearerError, renderBearerError } from '@ropkit/core';
import type { ErrorRequestHandler } from 'express';

/**
 * Error-handling middleware that answers a {@link BearerError} exactly as every ropkit adapter
 * does (`renderBearerError`): its status, `WWW-Authenticate` (RFC 6750 section 3),
 * `Content-Type: application/json; charset=utf-8`, `Cache-Control: no-store` and the body
 * `{"error":"...","error_description":"..."}`. Any other error goes on to the next error handler.
 *
 * Mount it after your routes. Without it, Express's final handler still answers with the error's
 * status and `WWW-Authenticate`, but with an HTML body.
 *
 * @example
 * ```ts
 * app.get('/api/private', auth({ issuer, audience }), handler);
 * app.use(authErrorHandler());
 * ```
 */
export function authErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    // Once headers are out, only Express's final handler can end the exchange (it closes the socket).
    if (!(error instanceof BearerError) || res.headersSent) {
      next(error);
      return;
    }
    const { status, headers, body } = renderBearerError(error);
    // Written with Node's own methods, not res.send(): no ETag and no Content-Type rewriting, so
    // the bytes are the same as the Koa and Fastify adapters write.
    res.writeHead(status, headers).end(body);
  };
}
