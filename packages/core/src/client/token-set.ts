/**
 * Tokens from one successful token response, checked and normalised. Times are local
 * milliseconds since the epoch.
 */
export interface TokenSet {
  /** The access token (a b64token, RFC 6750 section 2.1). */
  readonly accessToken: string;
  /** Always `Bearer`: other types are refused. */
  readonly tokenType: 'Bearer';
  /** The lifetime used, in seconds, after the checks on `expires_in`. */
  readonly expiresIn: number;
  /** When the access token expires, by the local clock. */
  readonly expiresAt: number;
  /** When the answer arrived, by the local clock. */
  readonly receivedAt: number;
  /** A refresh token, when one was issued (or kept from before a refresh that sent none). */
  readonly refreshToken?: string | undefined;
  /** An ID token, when `openid` was granted. */
  readonly idToken?: string | undefined;
  /**
   * Granted scopes when the server listed them (RFC 6749 section 5.1: it must when they differ
   * from the request, so a down-scope is visible here); `undefined` when it did not.
   */
  readonly scope?: readonly string[] | undefined;
  /** Server clock minus local clock from the `Date` header, in milliseconds, when sent. */
  readonly clockOffsetMs?: number | undefined;
}
