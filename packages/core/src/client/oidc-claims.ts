/**
 * The Standard Claims of OpenID Connect Core 1.0 section 5.1: what an ID token or a `/userinfo`
 * answer may say about the end user, beside its `sub`. Each is there only when the scopes granted
 * cover it (section 5.4: `profile`, `email`, `address`, `phone`) and the user has it.
 */
export interface StandardClaims {
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  email?: string;
  email_verified?: boolean;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
  /** Section 5.1.1: a JSON object. */
  address?: Readonly<Record<string, unknown>>;
  /**
   * Section 5.1 says seconds since the epoch; Auth0 sends an ISO 8601 date string
   * (`2024-01-01T00:00:00.000Z`). Both are passed on as sent.
   */
  updated_at?: number | string;
}

/**
 * The claims of a verified ID token (OpenID Connect Core 1.0 section 2), frozen. `iss`, `sub`,
 * `aud`, `exp` and `iat` are always there and were checked (section 3.1.3.7); every other member
 * is as the issuer signed it, its type checked for the claims named here. Namespaced custom claims
 * that Auth0 rules or actions add (`https://example.com/roles`) are under their names.
 */
export interface IdTokenClaims extends StandardClaims {
  /** The issuer, exactly the configured one. */
  iss: string;
  /** The end user's identifier at the issuer, e.g. `auth0|64b7...`: a non-empty string. */
  sub: string;
  /** The audience: the client id, or several values that include it. */
  aud: string | readonly string[];
  /** Expiry, seconds since the epoch; was in the future when the token was received. */
  exp: number;
  /** Issue time, seconds since the epoch. */
  iat: number;
  /** When the user authenticated, seconds since the epoch. */
  auth_time?: number;
  nonce?: string;
  /** The authorized party: the client id, when present (section 2). */
  azp?: string;
  acr?: string;
  amr?: readonly string[];
  sid?: string;
  /** Custom (namespaced) claims, e.g. `https://example.com/roles`. */
  [claim: string]: unknown;
}

/**
 * A `/userinfo` answer (OpenID Connect Core 1.0 section 5.3.2), frozen: `sub` and the claims the
 * access token's scopes allow; custom claims under their names.
 */
export interface UserinfoClaims extends StandardClaims {
  /** The end user's identifier: the same as the ID token's `sub` (checked when there is one). */
  sub: string;
  [claim: string]: unknown;
}

type ClaimType = 'string' | 'boolean' | 'number' | 'object' | 'string[]' | 'number|string';

/** The JSON type each claim named in {@link IdTokenClaims} must have when present. */
const CLAIM_TYPES: Readonly<Record<string, ClaimType>> = {
  name: 'string',
  given_name: 'string',
  family_name: 'string',
  middle_name: 'string',
  nickname: 'string',
  preferred_username: 'string',
  profile: 'string',
  picture: 'string',
  website: 'string',
  email: 'string',
  email_verified: 'boolean',
  gender: 'string',
  birthdate: 'string',
  zoneinfo: 'string',
  locale: 'string',
  phone_number: 'string',
  phone_number_verified: 'boolean',
  address: 'object',
  updated_at: 'number|string',
  auth_time: 'number',
  nonce: 'string',
  azp: 'string',
  acr: 'string',
  amr: 'string[]',
  sid: 'string',
};

function hasType(value: unknown, type: ClaimType): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'number|string':
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
    default:
      return typeof value === type;
  }
}

/**
 * The name of the first typed claim (see {@link IdTokenClaims}) whose value has another JSON type,
 * or `undefined` when they all fit: the interface must not promise a type the issuer did not
 * send. A name, never a value.
 */
export function mistypedClaim(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const [name, type] of Object.entries(CLAIM_TYPES)) {
    const value = claims[name];
    if (value !== undefined && !hasType(value, type)) return name;
  }
  return undefined;
}
