import {
  BearerError,
  authenticateRequest,
  createAccessTokenVerifier,
  markAnonymous,
  type AccessTokenVerifierOptions,
} from '@ropkit/core';
import { isUnparsedFormBody, toBearerRequest } from './bearer-request.js';
import { sendBearerError } from './errors.js';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Options of {@link auth}: every option of core's verifier, plus `optional`. */
export interface AuthOptions extends AccessTokenVerifierOptions {
  /**
   * Let requests without any credentials through with `request.auth` `undefined`. A request that
   * does carry a token still fails when the token is bad: a forged token is not "anonymous".
   * Default `false`.
   */
  optional?: boolean;
}

/**
 * A Fastify hook (`onRequest`, `preValidation` or `preHandler`) that answers the request itself
 * when it fails, and otherwise resolves to `undefined` so the next hook runs.
 */
export type AuthHook = (request: AnyFastifyRequest, reply: AnyFastifyReply) => Promise<unknown>;

/**
 * A hook that authenticates the request with a bearer access token (RFC 6750) and sets
 * `request.auth` to the verified token (`{ token, header, payload, scopes, realm }`).
 *
 * One verifier (its key set, its cache) is created per call, when the route is declared: call
 * `auth()` once per API and reuse the hook. Every option is checked now; a bad one throws a
 * `TypeError`. Use it as an `onRequest` hook, so a request without a valid token is refused
 * before its body is read:
 *
 * - per route: `app.get('/api/private', { onRequest: protect }, handler)`;
 * - per encapsulated scope: `scope.addHook('onRequest', protect)` inside `app.register(...)`.
 *
 * A failure is answered right here with core's `renderBearerError` (401 with
 * `WWW-Authenticate: Bearer realm="api"...`, 400, 403 or 503); other errors go to Fastify's
 * error handler. With `tokenLocations` including `'body'`, place the hook at `preValidation` or
 * `preHandler`, where the form body is parsed.
 *
 * @example
 * ```ts
 * const protect = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'https://api.example.com' });
 * app.get('/api/private', { onRequest: protect }, async (request) => ({ sub: request.auth?.payload.sub }));
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export function auth(options: AuthOptions): AuthHook {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('auth() options must be an object');
  }
  const { optional = false, ...verifierOptions } = options;
  if (typeof optional !== 'boolean') throw new TypeError('"optional" must be a boolean');
  const verifier = createAccessTokenVerifier(verifierOptions);
  const readsBody = verifier.options.tokenLocations.has('body');

  return async function authenticate(request, reply) {
    if (readsBody && isUnparsedFormBody(request)) {
      // A token in the body would be missed and the request refused as anonymous: say why.
      throw new Error(
        'auth() with tokenLocations "body" must run as a preValidation or preHandler hook',
      );
    }
    try {
      request.auth = await authenticateRequest(verifier, toBearerRequest(request), optional);
      // A later requirement answers an anonymous request in this verifier's realm.
      if (request.auth === undefined) markAnonymous(request, verifier.options.realm);
    } catch (error) {
      if (error instanceof BearerError) return sendBearerError(reply, error);
      throw error;
    }
    return undefined;
  };
}
