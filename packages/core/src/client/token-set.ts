import type { IdTokenClaims } from './oidc-claims.js';

/**
 * Tokens from one successful token response, checked and normalised. Times are local
 * milliseconds since the epoch.
 */
export interface TokenSet {
  /** The access token (a b64token, RFC 6750 section 2.1). */
  readonly accessToken: string;
  /**
   * `Bearer` (RFC 6750), or `DPoP` when the server bound the access token to the client's DPoP key
   * (RFC 9449 section 5; only with the token client's `dpop` option): such a token is sent as
   * `Authorization: DPoP <token>` with a proof (section 7.1). Other types are refused. A store
   * that serialises token sets must keep it.
   */
  readonly tokenType: 'Bearer' | 'DPoP';
  /** The lifetime used, in seconds, after the checks on `expires_in`. */
  readonly expiresIn: number;
  /** When the access token expires, by the local clock. */
  readonly expiresAt: number;
  /** When the answer arrived, by the local clock. */
  readonly receivedAt: number;
  /** A refresh token, when one was issued (or kept from before a refresh that sent none). */
  readonly refreshToken?: string | undefined;
  /**
   * The ID token, when `openid` was granted: validated (OpenID Connect Core 1.0 section 3.1.3.7)
   * before this set was returned; a token client with `idToken: false` drops it instead.
   */
  readonly idToken?: string | undefined;
  /**
   * The verified claims of {@link TokenSet.idToken}, frozen; present exactly when it is. Plain
   * JSON, so a store that serialises the set keeps them. After a refresh that answered no ID
   * token, the previous ones.
   */
  readonly idTokenClaims?: Readonly<IdTokenClaims> | undefined;
  /**
   * The granted scopes (RFC 6749 section 5.1): the server's `scope` when it listed one (it must
   * when they differ from the request, so a down-scope is visible here), otherwise the scope
   * requested ("omitted means as requested"); after a refresh that asked for no scope and got
   * none listed, the previous set's. `undefined` when neither is known (an MFA grant, whose
   * request carries no scope, answered without one).
   */
  readonly scope?: readonly string[] | undefined;
  /** Server clock minus local clock from the `Date` header, in milliseconds, when sent. */
  readonly clockOffsetMs?: number | undefined;
}
