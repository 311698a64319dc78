import {
  BearerError,
  InsufficientUserAuthenticationError,
  InvalidTokenError,
  MissingCredentialsError,
  challengeWith,
} from '../errors.js';
import { schemesOf } from '../validation/token-challenge.js';
import { assertRequiredScopes, checkScopes, type ScopeMatch } from '../validation/scopes.js';
import type {
  AccessTokenPayload,
  VerifiedAccessToken,
} from '../validation/verified-access-token.js';
import { anonymousRealmOf } from './anonymous-realm.js';

/**
 * A rule a route applies to an authenticated request: it returns normally or throws the
 * `BearerError` to answer with. Built once, when the route is declared; each adapter turns
 * it into its framework's middleware with `requirement(rule)`.
 */
export type AuthRequirement = (
  auth: VerifiedAccessToken | undefined,
  anonymousRealm?: string,
) => void;

const DEFAULT_REALM = 'api';

/**
 * Applies `rule` to a request: `carrier` is the framework's request (or context) object that
 * `auth()` saw, so that a request an `optional` auth let through without credentials is answered
 * 401 in that auth's realm (RFC 6750 section 3.1).
 *
 * @throws {BearerError}
 */
export function applyRequirement(
  rule: AuthRequirement,
  auth: VerifiedAccessToken | undefined,
  carrier: object,
): void {
  rule(auth, anonymousRealmOf(carrier));
}

/** Checks at declaration that a requirement is a function. */
export function assertRequirement(rule: unknown): asserts rule is AuthRequirement {
  if (typeof rule !== 'function') throw new TypeError('the requirement must be a function');
}

function requireAuth(
  auth: VerifiedAccessToken | undefined,
  realm: string | undefined,
): VerifiedAccessToken {
  if (auth === undefined) throw new MissingCredentialsError({ realm: realm ?? DEFAULT_REALM });
  return auth;
}

function scopes(list: readonly string[], match: ScopeMatch): AuthRequirement {
  const required = assertRequiredScopes(
    list,
    match === 'all' ? 'requireScopes' : 'requireAnyScope',
  );
  return (auth, anonymousRealm) => {
    const verified = requireAuth(auth, anonymousRealm);
    try {
      checkScopes(verified.scopes, required, match, verified.realm);
    } catch (error) {
      throw withSchemesOf(error, verified);
    }
  };
}

/**
 * Every listed scope must be granted, or the answer is 403 `insufficient_scope` with
 * `scope="..."` naming them (RFC 6750 section 3.1). Place it after `auth()`.
 *
 * @example
 * ```ts
 * app.get('/api/private-scoped', requireAuth, requireScopes('read:sample'), handler);
 * ```
 * @throws {TypeError} at declaration, for no scope or an invalid one (spaces, quotes).
 */
export function requireScopes(...required: string[]): AuthRequirement {
  return scopes(required, 'all');
}

/**
 * At least one of the listed scopes must be granted, or the answer is 403 `insufficient_scope`
 * naming every acceptable scope (RFC 6750 section 3.1). Place it after `auth()`.
 *
 * @throws {TypeError} at declaration, for no scope or an invalid one.
 */
export function requireAnyScope(...acceptable: string[]): AuthRequirement {
  return scopes(acceptable, 'any');
}

/**
 * A custom rule on the token's claims: `check` returns `true` to let the request through;
 * otherwise the answer is 401 `invalid_token` with `description`. The description is sent in the
 * `WWW-Authenticate` challenge: write a fixed sentence, never a claim value. Default description:
 * `Token claims do not meet the requirements of this resource`.
 *
 * @throws {TypeError} at declaration, when `check` is not a function or `description` is empty.
 */
export function claimCheck(
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
      throw withSchemesOf(new InvalidTokenError(description, { realm: verified.realm }), verified);
    }
  };
}

/**
 * The claim must equal `value` (strict equality: `'1'` is not `1`), or the answer is 401
 * `invalid_token`.
 *
 * @throws {TypeError} at declaration, for an empty claim name.
 */
export function claimEquals(claim: string, value: string | number | boolean): AuthRequirement {
  return claimCheck(
    (payload) => payload[claim] === value,
    `Token claim '${claimName(claim)}' is not accepted`,
  );
}

/**
 * The claim (an array of strings, or a space-delimited string such as `scope`) must contain every
 * listed value, or the answer is 401 `invalid_token`.
 *
 * @throws {TypeError} at declaration, for an empty claim name or no value.
 */
export function claimIncludes(claim: string, ...values: string[]): AuthRequirement {
  if (values.length === 0) throw new TypeError('claimIncludes needs at least one value');
  return claimCheck(
    (payload) => {
      const actual = payload[claim];
      const list = Array.isArray(actual)
        ? actual
        : typeof actual === 'string'
          ? actual.split(' ')
          : [];
      return values.every((value) => list.includes(value));
    },
    `Token claim '${claimName(claim)}' is not accepted`,
  );
}

/** What {@link requireStepUp} asks of the user's authentication (RFC 9470 section 3). */
export interface StepUpRequirement {
  /** The token's `acr` must be one of these (in order of preference). Default: any `acr`. */
  acrValues?: readonly string[];
  /** The token's `auth_time` must be at most this many seconds old. Default: any age. */
  maxAge?: number;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Step-up authentication (RFC 9470): the user behind the token must have authenticated with one
 * of `acrValues` (the token's `acr`) and at most `maxAge` seconds ago (its `auth_time`), or the
 * answer is 401 `insufficient_user_authentication` whose challenge carries `acr_values` and
 * `max_age`, for the client to sign the user in again with them and retry. Auth0 puts `acr` and
 * `auth_time` in access tokens through an Action; after MFA, `amr` lists `mfa`.
 *
 * @example
 * ```ts
 * app.post('/api/transfer', requireAuth, requireStepUp({ acrValues: ['http://schemas.openid.net/pape/policies/2007/06/multi-factor'], maxAge: 300 }), handler);
 * ```
 * @throws {TypeError} at declaration, for neither requirement or a malformed one.
 */
export function requireStepUp(requirement: StepUpRequirement): AuthRequirement {
  if (typeof requirement !== 'object' || requirement === null) {
    throw new TypeError('requireStepUp needs { acrValues?, maxAge? }');
  }
  const { acrValues, maxAge, clock = Date.now } = requirement;
  if (
    acrValues !== undefined &&
    (!Array.isArray(acrValues) ||
      acrValues.length === 0 ||
      !acrValues.every(
        (value) => typeof value === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value),
      ))
  ) {
    throw new TypeError(
      '"acrValues" must be a non-empty array of strings without spaces or quotes',
    );
  }
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0)
  ) {
    throw new TypeError('"maxAge" must be a whole number of seconds, 0 or more');
  }
  if (acrValues === undefined && maxAge === undefined) {
    throw new TypeError('requireStepUp needs "acrValues", "maxAge" or both');
  }
  if (typeof clock !== 'function') throw new TypeError('"clock" must be a function');
  const wanted = acrValues === undefined ? undefined : Object.freeze([...acrValues]);
  return (auth, anonymousRealm) => {
    const verified = requireAuth(auth, anonymousRealm);
    const { acr, auth_time: authTime } = verified.payload;
    let problem: string | undefined;
    if (wanted !== undefined && (typeof acr !== 'string' || !wanted.includes(acr))) {
      problem = 'A different authentication level is required';
    } else if (
      maxAge !== undefined &&
      (typeof authTime !== 'number' || clock() / 1000 - authTime > maxAge)
    ) {
      problem = 'More recent authentication is required';
    }
    if (problem === undefined) return;
    const error = new InsufficientUserAuthenticationError({ acrValues: wanted, maxAge }, problem, {
      realm: verified.realm,
    });
    throw withSchemesOf(error, verified);
  };
}

/**
 * A requirement's refusal challenges as its token's verifier does: with DPoP on, `Bearer` and
 * `DPoP`, the error on the scheme the token came with (RFC 9449 section 7.1).
 */
function withSchemesOf(error: unknown, verified: VerifiedAccessToken): unknown {
  const schemes = schemesOf(verified);
  return schemes !== undefined && error instanceof BearerError
    ? challengeWith(error, schemes)
    : error;
}

/** Claim names are the developer's; still keep them header-safe. */
function claimName(claim: string): string {
  if (typeof claim !== 'string' || claim === '') {
    throw new TypeError('the claim name must be a non-empty string');
  }
  return claim;
}
