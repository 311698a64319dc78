import { renderError, type HttpAnswer } from '@ropkit/core/adapter';
import type { FastifyError } from 'fastify';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';

/** Writes one of core's answers; a JSON string body is sent as it is. */
export function sendAnswer<Reply extends AnyFastifyReply>(reply: Reply, answer: HttpAnswer): Reply {
  reply
    .code(answer.status)
    .headers(answer.headers)
    .send(answer.body === '' ? undefined : answer.body);
  return reply;
}

/**
 * An error handler (`app.setErrorHandler(authErrorHandler())`) that answers the errors ropkit
 * raises in your routes exactly as every ropkit adapter does (core's `renderError`): a
 * `BearerError` with its status, `WWW-Authenticate` and `{"error":"...","error_description":"..."}`;
 * a `ReauthenticationRequiredError` from `request.accessToken()` or `request.apiFetch()` (not
 * signed in) with 401 `login_required`. Other errors go on to Fastify's default error handler.
 * The hooks of this package answer their own failures; this is for errors your handlers throw.
 *
 * @example
 * ```ts
 * app.setErrorHandler(authErrorHandler());
 * ```
 */
export function authErrorHandler(): (
  error: FastifyError,
  request: AnyFastifyRequest,
  reply: AnyFastifyReply,
) => AnyFastifyReply {
  return function ropkitAuthErrorHandler(error, _request, reply) {
    const answer = renderError(error);
    // Thrown again, it reaches the parent (or default) error handler (Fastify 5).
    if (answer === undefined) throw error;
    return sendAnswer(reply, answer);
  };
}
