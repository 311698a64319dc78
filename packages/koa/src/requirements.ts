import {
  anonymousRealmOf,
  claimEquals as claimEqualsRequirement,
  claimIncludes as claimIncludesRequirement,
  claimRequirement,
  scopeRequirement,
  type AccessTokenPayload,
  type AuthRequirement,
} from '@ropkit/core';
import type { Middleware } from 'koa';

/**
 * Middleware applying any core {@link AuthRequirement} to `ctx.state.auth`; place it after
 * {@link auth}. A failed requirement is thrown as a `BearerError`. A request with no
 * `ctx.state.auth` (an optional route called without a token, or no `auth()` before) gets 401.
 *
 * @example
 * ```ts
 * import { claimRequirement } from '@ropkit/core';
 * const acmeOnly = claimRequirement((claims) => claims['https://example.com/org'] === 'acme');
 * router.get('/admin', auth(options), requirement(acmeOnly), handler);
 * ```
 * @throws {TypeError} at declaration, when `rule` is not a function.
 */
export function requirement(rule: AuthRequirement): Middleware {
  if (typeof rule !== 'function') throw new TypeError('the requirement must be a function');
  return async function ropkitRequirement(ctx, next) {
    rule(ctx.state.auth, anonymousRealmOf(ctx));
    await next();
  };
}

/**
 * Every listed scope must be granted, or the answer is 403 `insufficient_scope` with
 * `scope="..."` naming them (RFC 6750 section 3.1).
 *
 * @example
 * ```ts
 * router.get('/api/private-scoped', auth(options), requireScopes('read:sample'), handler);
 * ```
 *
 * @throws {TypeError} at declaration, for no scope or an invalid scope (RFC 6749 section 3.3).
 */
export function requireScopes(...scopes: string[]): Middleware {
  return requirement(scopeRequirement(scopes, 'all'));
}

/**
 * At least one listed scope must be granted, or the answer is 403 `insufficient_scope`
 * (RFC 6750 section 3.1).
 *
 * @example
 * ```ts
 * router.get('/api/items', auth(options), requireAnyScope('read:sample', 'write:sample'), handler);
 * ```
 *
 * @throws {TypeError} at declaration, for no scope or an invalid scope.
 */
export function requireAnyScope(...scopes: string[]): Middleware {
  return requirement(scopeRequirement(scopes, 'any'));
}

/**
 * A custom claim rule: `check` returns `true` to let the request through; otherwise the answer
 * is 401 `invalid_token` with `description` (a fixed sentence: never put claim values in it).
 * Default description: `'Token claims do not meet the requirements of this resource'`.
 *
 * @example
 * ```ts
 * router.get('/admin', auth(options), claimCheck((claims) => claims.org_id === 'acme'), handler);
 * ```
 *
 * @throws {TypeError} at declaration, when `check` is not a function or `description` is empty.
 */
export function claimCheck(
  check: (payload: Readonly<AccessTokenPayload>) => boolean,
  description?: string,
): Middleware {
  return requirement(claimRequirement(check, description));
}

/**
 * The claim must equal `value` (strict equality: `'1'` is not `1`), or the answer is 401
 * `invalid_token`.
 *
 * @example
 * ```ts
 * router.get('/api/password-only', auth(options), claimEquals('gty', 'password'), handler);
 * ```
 *
 * @throws {TypeError} at declaration, for an empty claim name.
 */
export function claimEquals(claim: string, value: string | number | boolean): Middleware {
  return requirement(claimEqualsRequirement(claim, value));
}

/**
 * The claim (an array of strings, or a space-delimited string) must contain every listed value,
 * or the answer is 401 `invalid_token`.
 *
 * @example
 * ```ts
 * router.get('/api/admin', auth(options), claimIncludes('permissions', 'admin'), handler);
 * ```
 *
 * @throws {TypeError} at declaration, for an empty claim name or no value.
 */
export function claimIncludes(claim: string, ...values: string[]): Middleware {
  return requirement(claimIncludesRequirement(claim, ...values));
}
