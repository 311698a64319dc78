import { createHash } from 'node:crypto';

/**
 * The members RFC 7638 section 3.2 hashes for each key type, in lexicographic order (the order
 * the canonical JSON needs): RFC 7638 section 3.2 for RSA and EC, RFC 8037 section 2 for OKP.
 */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 JWK thumbprint of a public key, SHA-256, base64url: what RFC 9449 section 6.1 puts
 * in an access token's `cnf.jkt`. Only the required members count (section 3.2), so a key with
 * extra members (`kid`, `use`, `alg`) has the thumbprint of its bare form.
 *
 * Synchronous (jose's `calculateJwkThumbprint` is async), so a DPoP proof check adds no promise.
 *
 * @returns `undefined` for a key type without a thumbprint rule or a required member that is not
 *   a string.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const kty = jwk['kty'];
  if (typeof kty !== 'string') return undefined;
  const members = REQUIRED_MEMBERS[kty];
  if (members === undefined) return undefined;
  // Section 3.3: no whitespace, members in order; the values are base64url or names, so
  // JSON.stringify escapes nothing in them.
  let canonical = '{';
  for (const [index, name] of members.entries()) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    canonical += `${index === 0 ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(value)}`;
  }
  canonical += '}';
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * RFC 9449 section 4.2 `ath`: the base64url SHA-256 of the access token's ASCII bytes, binding a
 * proof to the token it is sent with.
 */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'latin1').digest('base64url');
}
