import {
  anonymousRealmOf,
  claimEquals as claimEqualsRequirement,
  claimIncludes as claimIncludesRequirement,
  claimRequirement,
  scopeRequirement,
  type AccessTokenPayload,
  type AuthRequirement,
} from '@ropkit/core';
import type { RequestHandler } from 'express';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * Middleware applying any core {@link AuthRequirement} to `req.auth`; place it after
 * {@link auth}. A failed requirement goes to `next(err)` as a {@link BearerError}. A request with
 * no `req.auth` (an optional route called without a token, or no `auth()` before) gets 401.
 *
 * @example
 * ```ts
 * import { claimRequirement } from '@ropkit/core';
 * const acmeOnly = claimRequirement((claims) => claims['https://example.com/org'] === 'acme');
 * app.get('/admin', requireAuth, requirement(acmeOnly), handler);
 * ```
 */
export function requirement(rule: AuthRequirement): RequestHandler {
  if (typeof rule !== 'function') throw new TypeError('the requirement must be a function');
  return (req, _res, next) => {
    try {
      // An anonymous request (optional auth) is answered 401 in the realm of the route's own
      // verifier (RFC 6750 section 3.1).
      rule(req.auth, anonymousRealmOf(req));
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
}

/**
 * Middleware requiring every listed scope (RFC 6750 section 3.1: otherwise 403
 * `insufficient_scope` with `scope="..."` naming them). Scopes come from the verifier's
 * `scopeSources` (default: the `scope` claim).
 *
 * @example
 * ```ts
 * app.get('/api/private-scoped', requireAuth, requireScopes('read:sample'), handler);
 * ```
 * @throws {TypeError} at declaration, for no scopes or an invalid scope (RFC 6749 section 3.3).
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return requirement(scopeRequirement(scopes, 'all'));
}

/**
 * Middleware requiring at least one of the listed scopes (otherwise 403 `insufficient_scope`,
 * the challenge naming all of them).
 *
 * @throws {TypeError} at declaration, for no scopes or an invalid scope.
 */
export function requireAnyScope(...scopes: string[]): RequestHandler {
  return requirement(scopeRequirement(scopes, 'any'));
}

/**
 * Middleware running a custom check of the token's claims: `check` returns `true` to let the
 * request through; otherwise 401 `invalid_token` with `description`. Default description:
 * `'Token claims do not meet the requirements of this resource'`. The description is sent in
 * the challenge: make it a fixed sentence, never a claim value.
 *
 * @example
 * ```ts
 * app.get('/api/mine', requireAuth, claimCheck((claims) => claims.gty === 'password'), handler);
 * ```
 * @throws {TypeError} at declaration, when `check` is not a function or `description` is empty.
 */
export function claimCheck(
  check: (payload: Readonly<AccessTokenPayload>) => boolean,
  description?: string,
): RequestHandler {
  return requirement(claimRequirement(check, description));
}

/**
 * Middleware requiring the claim to equal `value` (strict equality: `'1'` is not `1`);
 * otherwise 401 `invalid_token`.
 */
export function claimEquals(claim: string, value: string | number | boolean): RequestHandler {
  return requirement(claimEqualsRequirement(claim, value));
}

/**
 * Middleware requiring the claim (an array of strings, or a space-delimited string) to contain
 * every listed value; otherwise 401 `invalid_token`.
 *
 * @throws {TypeError} at declaration, for no values or an empty claim name.
 */
export function claimIncludes(claim: string, ...values: string[]): RequestHandler {
  return requirement(claimIncludesRequirement(claim, ...values));
}
