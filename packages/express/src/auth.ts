import {
  authenticateRequest,
  createAccessTokenVerifier,
  markAnonymous,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
} from '@ropkit/core';
import type { RequestHandler } from 'express';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Options of {@link auth}: the verifier's options plus `optional`. */
export type AuthOptions = AccessTokenVerifierOptions & {
  /**
   * Let requests without any credentials through with `req.auth` undefined. A token that is
   * present but invalid is still refused: an optional route must not treat a forged token as
   * anonymous. Default `false`.
   */
  optional?: boolean;
};

/**
 * Middleware that authenticates the request's bearer access token (RFC 6750 section 2.1: the
 * `Authorization: Bearer` header; the body and query only when `tokenLocations` enables them) and
 * sets `req.auth` to the verified token.
 *
 * One verifier (key set, cache) is created per call, when the route is declared: call `auth()`
 * once per API and reuse the middleware. Every option is checked here; a bad one throws a
 * `TypeError` at once, not on the first request.
 *
 * Failures are passed to `next(err)` as a {@link BearerError} carrying `status` and `headers`
 * (`WWW-Authenticate`), so Express's final handler answers with the right status and challenge;
 * add {@link authErrorHandler} for the JSON body every ropkit adapter writes.
 *
 * @example
 * ```ts
 * const requireAuth = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'YOUR_API_IDENTIFIER' });
 * app.get('/api/private', requireAuth, (req, res) => {
 *   res.json({ sub: req.auth?.payload.sub });
 * });
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export function auth(options: AuthOptions): RequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('auth() options must be an object');
  }
  const { optional = false, ...verifierOptions } = options;
  if (typeof optional !== 'boolean') throw new TypeError('"optional" must be a boolean');
  const verifier = createAccessTokenVerifier(verifierOptions);
  const { realm } = verifier.options;

  return async (req, _res, next) => {
    let verified: VerifiedAccessToken | undefined;
    try {
      // Node's IncomingMessage, as Express extends it, is a BearerRequest: headers, rawHeaders
      // (to see a repeated Authorization header), method, parsed query and body.
      verified = await authenticateRequest(verifier, req, optional);
    } catch (error) {
      next(error);
      return;
    }
    req.auth = verified;
    if (verified === undefined) markAnonymous(req, realm);
    next();
  };
}
