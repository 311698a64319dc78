/**
 * The shape of access tokens a verifier expects.
 * - `auth0`: Auth0's default access tokens: header `typ` `JWT`; claims `iss sub aud iat exp`,
 *   plus `azp`, `gty`, `scope` and `permissions` where Auth0 adds them.
 * - `rfc9068`: the JWT profile for OAuth 2.0 access tokens: header `typ` `at+jwt`
 *   (RFC 9068 section 4 requires checking it); claims `iss exp aud sub client_id iat jti` are
 *   required (RFC 9068 section 2.2).
 */
export type TokenProfile = 'auth0' | 'rfc9068';

interface ProfileRules {
  /** The `typ` header value, compared after normalisation. */
  readonly typ: string;
  readonly requiredClaims: readonly string[];
  /** Claims that must be strings when present. */
  readonly stringClaims: readonly string[];
}

export const TOKEN_PROFILES: Readonly<Record<TokenProfile, ProfileRules>> = {
  auth0: {
    typ: 'jwt',
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp'],
    stringClaims: ['sub', 'azp', 'gty', 'scope'],
  },
  rfc9068: {
    typ: 'at+jwt',
    requiredClaims: ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'],
    stringClaims: ['sub', 'client_id', 'jti', 'scope'],
  },
};

/**
 * RFC 7515 section 4.1.9: `typ` is a media type compared case-insensitively, and the
 * `application/` prefix SHOULD be omitted; both spellings are accepted.
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}
