import { InsufficientScopeError } from '../errors.js';

/** RFC 6749 section 3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** True when `value` is a valid RFC 6749 scope-token. */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/**
 * Parses a `scope` claim: one space-delimited, case-sensitive string (RFC 6749 section 3.3,
 * RFC 9068 section 2.2.3). An array of strings is also accepted, since some servers emit one.
 * Anything else grants nothing. Never throws.
 */
export function parseScopeClaim(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.split(' ').filter((token) => token !== '' && SCOPE_TOKEN.test(token));
  }
  if (Array.isArray(value)) {
    return value.filter(
      (token): token is string => typeof token === 'string' && SCOPE_TOKEN.test(token),
    );
  }
  return [];
}

/** Where granted scopes come from: the `scope` claim, Auth0's `permissions` array, or both. */
export type ScopeSource = 'scope' | 'permissions';

/** The set of scopes a token grants, from the configured sources. */
export function grantedScopes(
  payload: Readonly<Record<string, unknown>>,
  sources: readonly ScopeSource[],
): string[] {
  if (sources.length === 1) return parseScopeClaim(payload[sources[0] ?? 'scope']);
  const granted = new Set<string>();
  for (const source of sources) {
    for (const scope of parseScopeClaim(payload[source])) granted.add(scope);
  }
  return [...granted];
}

/** How required scopes combine: every one of them, or at least one. */
export type ScopeMatch = 'all' | 'any';

/**
 * Validates a list of required scopes when a check is declared, so a typo fails at start-up.
 *
 * @throws {TypeError} when the list is empty or an entry is not a scope-token.
 */
export function assertRequiredScopes(scopes: readonly unknown[], what: string): string[] {
  if (scopes.length === 0) throw new TypeError(`${what} needs at least one scope`);
  const checked: string[] = [];
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new TypeError(
        `${what}: every scope must be a non-empty string of RFC 6749 scope characters without spaces`,
      );
    }
    checked.push(scope);
  }
  return checked;
}

/**
 * Checks granted scopes against required ones.
 *
 * @throws {InsufficientScopeError} 403 with `scope="..."` naming what is needed
 *   (RFC 6750 section 3.1).
 */
export function checkScopes(
  granted: readonly string[],
  required: readonly string[],
  match: ScopeMatch,
  realm: string,
): void {
  const ok =
    match === 'all'
      ? required.every((scope) => granted.includes(scope))
      : required.some((scope) => granted.includes(scope));
  if (ok) return;
  const description =
    match === 'all' || required.length === 1
      ? 'Insufficient scope'
      : 'Insufficient scope: any one of the listed scopes is needed';
  throw new InsufficientScopeError(required, description, { realm });
}
