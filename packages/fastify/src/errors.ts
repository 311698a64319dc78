import { renderError, type HttpAnswer } from '@ropkit/core/adapter';
import type { FastifyError } from 'fastify';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';

/** Writes one of core's answers; a JSON string body is sent as it is. */
export function sendAnswer(reply: AnyFastifyReply, answer: HttpAnswer): AnyFastifyReply {
  const body = answer.body === '' ? undefined : answer.body;
  return reply.code(answer.status).headers(answer.headers).send(body);
}

/**
 * An error handler (`app.setErrorHandler(authErrorHandler())`) that answers the errors ropkit
 * raises in your routes exactly as every ropkit adapter does (core's `renderError`): a
 * `BearerError` with its status, `WWW-Authenticate` and `{"error":"...","error_description":"..."}`;
 * a `ReauthenticationRequiredError` from `request.accessToken()`, `request.apiFetch()`,
 * `request.identity()` or `request.userinfo()` (not signed in) with 401 `login_required`. Other
 * errors go on to Fastify's default error handler. The hooks of this package answer their own
 * failures the same way; this is for errors your handlers throw.
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
  return ropkitAuthErrorHandler;
}

/** The error handler, which the hooks of this package answer their own failures with too. */
export function ropkitAuthErrorHandler(error: unknown, _request: unknown, reply: AnyFastifyReply) {
  const answer = renderError(error);
  // Thrown again, it reaches the parent (or default) error handler (Fastify 5), or a hook's caller.
  if (answer === undefined) throw error;
  return sendAnswer(reply, answer);
}
