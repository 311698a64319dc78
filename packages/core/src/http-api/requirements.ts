import { InvalidTokenError, MissingCredentialsError } from '../errors.js';
import { assertRequiredScopes, checkScopes, type ScopeMatch } from '../validation/scopes.js';
import type {
  AccessTokenPayload,
  VerifiedAccessToken,
} from '../validation/verified-access-token.js';

/**
 * A rule a route applies to an authenticated request: it returns normally or throws the
 * {@link BearerError} to answer with. Built once, when the route is declared.
 */
export type AuthRequirement = (
  auth: VerifiedAccessToken | undefined,
  anonymousRealm?: string,
) => void;

const DEFAULT_REALM = 'api';

/**
 * No token at all reaches a route with requirements only when auth was optional: answer 401 in
 * that `auth()`'s realm (see anonymousRealmOf), or the default one.
 */
function requireAuth(
  auth: VerifiedAccessToken | undefined,
  realm: string | undefined,
): VerifiedAccessToken {
  if (auth === undefined) throw new MissingCredentialsError({ realm: realm ?? DEFAULT_REALM });
  return auth;
}

/**
 * Every listed scope must be granted (RFC 6750 section 3.1 `insufficient_scope`, 403, with
 * `scope="..."` naming them).
 *
 * @throws {TypeError} at declaration, for an empty list or an invalid scope.
 */
export function scopeRequirement(scopes: readonly string[], match: ScopeMatch): AuthRequirement {
  const required = assertRequiredScopes(
    scopes,
    match === 'all' ? 'requireScopes' : 'requireAnyScope',
  );
  return (auth, anonymousRealm) => {
    const verified = requireAuth(auth, anonymousRealm);
    checkScopes(verified.scopes, required, match, verified.realm);
  };
}

/**
 * A custom claim rule: `check` returns `true` to let the request through; otherwise the answer
 * is 401 `invalid_token` with `description` (a fixed sentence; never put claim values in it).
 *
 * @throws {TypeError} at declaration.
 */
export function claimRequirement(
  check: (payload: Readonly<AccessTokenPayload>) => boolean,
  description = 'Token claims do not meet the requirements of this resource',
): AuthRequirement {
  if (typeof check !== 'function') throw new TypeError('the claim check must be a function');
  if (typeof description !== 'string' || description === '') {
    throw new TypeError('the claim check description must be a non-empty string');
  }
  return (auth, anonymousRealm) => {
    const verified = requireAuth(auth, anonymousRealm);
    if (!check(verified.payload)) {
      throw new InvalidTokenError(description, { realm: verified.realm });
    }
  };
}

/** The claim must equal `value` (strict equality, so `'1'` is not `1`). */
export function claimEquals(claim: string, value: string | number | boolean): AuthRequirement {
  return claimRequirement(
    (payload) => payload[claim] === value,
    `Token claim '${safeName(claim)}' is not accepted`,
  );
}

/** The claim (a string or an array of strings) must contain every listed value. */
export function claimIncludes(claim: string, ...values: string[]): AuthRequirement {
  if (values.length === 0) throw new TypeError('claimIncludes needs at least one value');
  return claimRequirement(
    (payload) => {
      const actual = payload[claim];
      const list = Array.isArray(actual)
        ? actual
        : typeof actual === 'string'
          ? actual.split(' ')
          : [];
      return values.every((value) => list.includes(value));
    },
    `Token claim '${safeName(claim)}' is not accepted`,
  );
}

/** Claim names are the developer's; still keep them header-safe. */
function safeName(claim: string): string {
  if (typeof claim !== 'string' || claim === '')
    throw new TypeError('the claim name must be a non-empty string');
  return claim;
}
