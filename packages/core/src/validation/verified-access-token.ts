import type { JWTHeaderParameters, JWTPayload } from 'jose';

/** Claims of an access token, with the ones Auth0 and RFC 9068 define typed. */
export interface AccessTokenPayload extends JWTPayload {
  /** Granted scopes, space-delimited (RFC 9068 section 2.2.3). */
  scope?: string;
  /** Auth0: the client the token was issued to. */
  azp?: string;
  /** Auth0: the grant that produced the token (`password`, `refresh_token`, ...). */
  gty?: string;
  /** RFC 9068: the client the token was issued to. */
  client_id?: string;
  /** Auth0 RBAC: the user's permissions for the API, when enabled. */
  permissions?: string[];
}

/** A token that passed every check. Frozen: the same object may be returned for a cache hit. */
export interface VerifiedAccessToken {
  /** The token as received. */
  readonly token: string;
  /** The protected header. */
  readonly header: Readonly<JWTHeaderParameters>;
  /** The claims. */
  readonly payload: Readonly<AccessTokenPayload>;
  /** Granted scopes, from the configured scope sources. */
  readonly scopes: readonly string[];
  /** The verifier's realm, so later checks (scopes, claims) answer with the same challenge. */
  readonly realm: string;
  /** The issuer the token was verified as coming from (its `iss`): one of the configured ones. */
  readonly issuer: string;
}
