import { renderBearerError, type BearerError } from '@ropkit/core';
import type { AnyFastifyReply } from './fastify-types.js';

/**
 * Writes the answer to a {@link BearerError}: core's one rendering (`renderBearerError`), so that
 * Fastify, Express and Koa answer the same status, `WWW-Authenticate` and body byte for byte.
 *
 * The hooks of this package call it themselves, which keeps Fastify's default error handler (its
 * body is `{statusCode, code, error, message}`) and your own `setErrorHandler` out of the way.
 * Call it from your error handler when your code throws a `BearerError` itself.
 *
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   if (error instanceof BearerError) return sendBearerError(reply, error);
 *   reply.send(error);
 * });
 * ```
 * @returns the reply, so an `async` hook can `return sendBearerError(reply, error)`.
 */
export function sendBearerError<Reply extends AnyFastifyReply>(
  reply: Reply,
  error: BearerError,
): Reply {
  const { status, headers, body } = renderBearerError(error);
  // The body is already JSON: with a JSON content type set, Fastify sends a string as it is.
  reply.code(status).headers(headers).send(body);
  return reply;
}
