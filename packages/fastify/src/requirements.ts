import {
  BearerError,
  anonymousRealmOf,
  claimEquals as claimEqualsRequirement,
  claimIncludes as claimIncludesRequirement,
  claimRequirement,
  scopeRequirement,
  type AccessTokenPayload,
  type AuthRequirement,
} from '@ropkit/core';
import type { AuthHook } from './auth.js';
import { sendBearerError } from './errors.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * A route-level hook applying any core {@link AuthRequirement} to `request.auth`, placed after
 * {@link auth}'s hook in the same array: `{ onRequest: [protect, requirement(rule)] }`. This and
 * the hooks below are built when the route is declared, so a bad declaration throws a
 * `TypeError` at start-up, not on the first request. On a route whose authentication is
 * optional, a request without a token gets 401.
 *
 * @example
 * ```ts
 * import { claimRequirement } from '@ropkit/core';
 * const acmeOnly = claimRequirement((claims) => claims['https://example.com/org'] === 'acme');
 * app.get('/admin', { onRequest: [protect, requirement(acmeOnly)] }, handler);
 * ```
 * @throws {TypeError} when `rule` is not a function.
 */
export function requirement(rule: AuthRequirement): AuthHook {
  if (typeof rule !== 'function') throw new TypeError('the requirement must be a function');
  return async function checkRequirement(request, reply) {
    try {
      rule(request.auth, anonymousRealmOf(request));
    } catch (error) {
      if (error instanceof BearerError) return sendBearerError(reply, error);
      throw error;
    }
    return undefined;
  };
}

/**
 * Every listed scope must be granted, else 403 `insufficient_scope` with `scope="..."` naming
 * them all (RFC 6750 section 3.1).
 *
 * @example
 * ```ts
 * app.get('/api/private-scoped', { onRequest: [protect, requireScopes('read:sample')] }, handler);
 * ```
 * @throws {TypeError} for no scope or a scope that is not a valid scope-token (RFC 6749 section 3.3).
 */
export function requireScopes(...scopes: string[]): AuthHook {
  return requirement(scopeRequirement(scopes, 'all'));
}

/**
 * At least one listed scope must be granted, else 403 `insufficient_scope` naming them.
 *
 * @example
 * ```ts
 * app.get('/api/any', { onRequest: [protect, requireAnyScope('read:sample', 'write:sample')] }, handler);
 * ```
 * @throws {TypeError} for no scope or an invalid one.
 */
export function requireAnyScope(...scopes: string[]): AuthHook {
  return requirement(scopeRequirement(scopes, 'any'));
}

/**
 * A custom claim rule: `check` returns `true` to let the request through, else 401
 * `invalid_token` with `description`.
 *
 * @param description A fixed sentence for the error (never put claim values in it). Default
 *   `'Token claims do not meet the requirements of this resource'`.
 * @example
 * ```ts
 * const employeesOnly = claimCheck((payload) => payload['https://example.com/org'] === 'acme');
 * ```
 * @throws {TypeError} when `check` is not a function or `description` is empty.
 */
export function claimCheck(
  check: (payload: Readonly<AccessTokenPayload>) => boolean,
  description?: string,
): AuthHook {
  return requirement(claimRequirement(check, description));
}

/**
 * The claim must equal `value` (strict equality: `'1'` is not `1`), else 401 `invalid_token`.
 *
 * @example
 * ```ts
 * app.get('/api/password-only', { onRequest: [protect, claimEquals('gty', 'password')] }, handler);
 * ```
 * @throws {TypeError} for an empty claim name.
 */
export function claimEquals(claim: string, value: string | number | boolean): AuthHook {
  return requirement(claimEqualsRequirement(claim, value));
}

/**
 * The claim (an array of strings, or a space-delimited string) must contain every listed value,
 * else 401 `invalid_token`.
 *
 * @example
 * ```ts
 * app.get('/api/admin', { onRequest: [protect, claimIncludes('permissions', 'admin')] }, handler);
 * ```
 * @throws {TypeError} for an empty claim name or no value.
 */
export function claimIncludes(claim: string, ...values: string[]): AuthHook {
  return requirement(claimIncludesRequirement(claim, ...values));
}
