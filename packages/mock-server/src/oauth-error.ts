/**
 * An error the server answers with: an HTTP status and an OAuth 2.0 error body
 * (RFC 6749 section 5.2) `{"error", "error_description", ...extra}`. Handlers throw it; the
 * request handler turns it into the response. Descriptions never contain secrets.
 */
export class OAuthError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The `error` code. */
  readonly error: string;
  /** The `error_description`. */
  readonly description: string;
  /** Extra body members (for example `mfa_token`). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** Extra response headers (for example `WWW-Authenticate`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    error: string,
    description: string,
    options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(`${status} ${error}: ${description}`);
    this.name = 'OAuthError';
    this.status = status;
    this.error = error;
    this.description = description;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON response body. */
  body(): Record<string, unknown> {
    return { error: this.error, error_description: this.description, ...this.extra };
  }
}
