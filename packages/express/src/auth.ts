import { createAuthenticate, type AuthOptions } from '@ropkit/core/adapter';
import type { RequestHandler } from 'express';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * Middleware that reads the bearer token (RFC 6750 section 2.1), verifies it and sets
 * `req.auth` to the verified token. It creates one verifier (its key set, its cache) per call,
 * now: call it once per API and reuse the middleware. Every option is checked here; a bad one
 * throws a `TypeError`. A failure goes to `next(err)` as a core `BearerError` carrying its status
 * and `WWW-Authenticate` header; {@link authErrorHandler} writes it as JSON.
 *
 * @example
 * ```ts
 * const requireAuth = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'YOUR_API_IDENTIFIER' });
 * app.get('/api/private', requireAuth, (req, res) => { res.json({ sub: req.auth?.payload.sub }); });
 * ```
 * @throws {TypeError} naming the option, for an invalid one.
 */
export function auth(options: AuthOptions): RequestHandler {
  const authenticate = createAuthenticate(options);
  const { verifier } = authenticate;
  return (req, _res, next) => {
    // Node's IncomingMessage, as Express extends it, is core's BearerRequest: headers, rawHeaders
    // (to see a repeated Authorization header), method, parsed query and body.
    // A token verified before is answered synchronously: no promise on a cache hit.
    const cached = verifier.authenticateCached(req);
    if (cached !== undefined) {
      req.auth = cached;
      next();
      return;
    }
    authenticate(req, req).then((verified) => {
      req.auth = verified;
      next();
    }, next);
  };
}
