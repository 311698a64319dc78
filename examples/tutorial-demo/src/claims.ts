import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';

/**
 * The claims of a JWT, decoded without verification: for display only. The example API verifies
 * access tokens (signature, issuer, audience, expiry) before it trusts them.
 */
export function decodeClaims(token: string): JWTPayload {
  return decodeJwt(token);
}

/** The `scope` claim as a list (RFC 8693 section 4.2: space-delimited). */
export function scopesOf(claims: JWTPayload): string[] {
  return typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : [];
}

/** Whether the `aud` claim (a string or an array, RFC 7519 section 4.1.3) names `audience`. */
export function hasAudience(claims: JWTPayload, audience: string): boolean {
  return Array.isArray(claims.aud) ? claims.aud.includes(audience) : claims.aud === audience;
}

/** The protected header of a JWT (a DPoP proof's `typ`, `alg`, `jwk`), decoded: for display only. */
export function decodeHeader(token: string): ProtectedHeaderParameters {
  return decodeProtectedHeader(token);
}
