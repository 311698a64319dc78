import { createAuthenticate, type AuthOptions } from '@ropkit/core/adapter';
import type { BearerRequest } from '@ropkit/core';
import { ropkitAuthErrorHandler } from './errors.js';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * A Fastify hook (`onRequest`, `preValidation` or `preHandler`) that answers the request itself
 * when it fails. Called by Fastify (with `done`), it calls `done()` at once for a token verified
 * before, and otherwise returns a promise that resolves to `undefined` so the next hook runs;
 * called without `done` (composed in your own hook), it always returns that promise.
 */
export type AuthHook = (
  request: AnyFastifyRequest,
  reply: AnyFastifyReply,
  done?: (error?: Error) => void,
) => Promise<unknown> | undefined;

/**
 * A hook that verifies the request's bearer access token (RFC 6750 section 2.1) and sets
 * `request.auth` to the verified token. It creates one verifier (its key set, its cache) per call,
 * now: call it once per API and reuse the hook. Every option is checked here; a bad one throws a
 * `TypeError`. Use it as an `onRequest` hook, so a request without a valid token is refused before
 * its body is read (per route, or with `scope.addHook('onRequest', protect)` in a scope). A
 * failure is answered right here with core's rendering (the same bytes as Express and Koa). With
 * `tokenLocations` including `'body'`, use it at `preValidation`, where a form body is parsed.
 *
 * @example
 * ```ts
 * const protect = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'YOUR_API_IDENTIFIER' });
 * app.get('/api/private', { onRequest: protect }, async (request) => ({ sub: request.auth?.payload.sub }));
 * ```
 * @throws {TypeError} naming the option, for an invalid one.
 */
export function auth(options: AuthOptions): AuthHook {
  const authenticate = createAuthenticate(options);
  const { verifier } = authenticate;
  return function ropkitAuth(request, reply, done) {
    const bearer = bearerRequestOf(request);
    // A token verified before goes on synchronously: no promise, no microtask (Fastify's
    // callback-style hook). Everything else is decided by core, asynchronously.
    const cached = verifier.authenticateCached(bearer);
    if (cached === undefined) {
      return authenticate(bearer, request).then(
        (verified) => void (request.auth = verified),
        (error: unknown) => ropkitAuthErrorHandler(error, request, reply),
      );
    }
    request.auth = cached;
    done?.();
    return done === undefined ? Promise.resolve(undefined) : undefined;
  };
}

function bearerRequestOf(request: AnyFastifyRequest): BearerRequest {
  return {
    headers: request.headers,
    // Node folds a repeated Authorization header away in `headers`; core needs the raw list to
    // refuse it (RFC 6750 section 2: one method, one credential).
    rawHeaders: request.raw.rawHeaders,
    method: request.method,
    query: isRecord(request.query) ? request.query : undefined,
    // Whatever is parsed so far: nothing yet in onRequest (RFC 6750 section 2.2).
    body: request.body,
    // A DPoP proof's htu names these (RFC 9449 section 4.3).
    originalUrl: request.originalUrl,
    secure: request.protocol === 'https',
    // A TLS socket gives the client certificate a certificate-bound token needs (RFC 8705).
    socket: request.raw.socket,
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}
