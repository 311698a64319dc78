/**
 * Asymmetric JWS algorithms (RFC 7518 section 3.1, RFC 8037) an access-token verifier may accept.
 * `none` and the HMAC algorithms are absent on purpose: a key fetched from a remote key set is
 * public, so a symmetric algorithm would let anyone forge tokens (RFC 8725 section 3.1).
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** An algorithm accepted by {@link ASYMMETRIC_ALGORITHMS}. */
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const ALLOWED = new Set<string>(ASYMMETRIC_ALGORITHMS);

/** True when `alg` is one of {@link ASYMMETRIC_ALGORITHMS}. */
export function isAsymmetricAlgorithm(alg: unknown): alg is AsymmetricAlgorithm {
  return typeof alg === 'string' && ALLOWED.has(alg);
}

/** The JWK `kty` (and `crv`, for EC and OKP keys) an algorithm needs (RFC 7518 section 6). */
export function keyMatchesAlgorithm(
  jwk: { kty?: unknown; crv?: unknown },
  alg: AsymmetricAlgorithm,
): boolean {
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return jwk.kty === 'RSA';
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'ES384':
      return jwk.kty === 'EC' && jwk.crv === 'P-384';
    case 'ES512':
      return jwk.kty === 'EC' && jwk.crv === 'P-521';
    case 'EdDSA':
    case 'Ed25519':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
    default:
      return false;
  }
}

/**
 * HMAC JWS algorithms (RFC 7518 section 3.2), accepted only by a verifier given the API's signing
 * `secret` and nothing else: never beside asymmetric algorithms and never with a key set, so a
 * public key can never be used as an HMAC secret (RFC 8725 sections 3.1 and 3.5).
 */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/** An algorithm of {@link HMAC_ALGORITHMS}. */
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/** Any algorithm a verifier may be configured with: asymmetric ones, or (with a secret) HMAC. */
export type VerifierAlgorithm = AsymmetricAlgorithm | HmacAlgorithm;

const HMAC = new Set<string>(HMAC_ALGORITHMS);

/** True when `alg` is one of {@link HMAC_ALGORITHMS}. */
export function isHmacAlgorithm(alg: unknown): alg is HmacAlgorithm {
  return typeof alg === 'string' && HMAC.has(alg);
}
