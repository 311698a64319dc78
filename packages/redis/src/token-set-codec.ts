import type { ManagedTokenSet } from '@ropkit/core';
import { TokenDecryptionError } from './redis-store-errors.js';

/** The token set as JSON, before encryption. */
export function encodeTokenSet(tokens: ManagedTokenSet): string {
  return JSON.stringify(tokens);
}

/**
 * The token set from decrypted JSON, checked field by field: a value that decrypted is
 * authentic, but may come from an older version of this package.
 */
export function decodeTokenSet(json: string): ManagedTokenSet {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new TokenDecryptionError('The stored token set is not valid JSON', { cause: error });
  }
  if (!isManagedTokenSet(value)) {
    throw new TokenDecryptionError('The stored token set does not have the expected fields');
  }
  return Object.freeze({
    ...value,
    ...(value.scope === undefined ? {} : { scope: Object.freeze([...value.scope]) }),
    ...(value.idTokenClaims === undefined
      ? {}
      : { idTokenClaims: deepFreeze(value.idTokenClaims) }),
  });
}

/** Freezes parsed JSON all the way down: verified claims are read-only, as core hands them out. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function isManagedTokenSet(value: unknown): value is ManagedTokenSet {
  if (typeof value !== 'object' || value === null) return false;
  const field = (name: string): unknown => Reflect.get(value, name);
  const optional = (name: string, type: 'string' | 'number') =>
    field(name) === undefined || typeof field(name) === type;
  const scope = field('scope');
  const claims = field('idTokenClaims');
  return (
    typeof field('accessToken') === 'string' &&
    // 'DPoP' when the token is bound to the client's proof key (RFC 9449 section 5).
    (field('tokenType') === 'Bearer' || field('tokenType') === 'DPoP') &&
    ['expiresIn', 'expiresAt', 'receivedAt', 'refreshAt'].every(
      (name) => typeof field(name) === 'number',
    ) &&
    optional('refreshToken', 'string') &&
    optional('idToken', 'string') &&
    // The verified ID token's claims (core validated them before the set was stored).
    (claims === undefined ||
      (typeof claims === 'object' &&
        claims !== null &&
        typeof Reflect.get(claims, 'sub') === 'string')) &&
    optional('clockOffsetMs', 'number') &&
    (scope === undefined ||
      (Array.isArray(scope) && scope.every((entry) => typeof entry === 'string')))
  );
}
