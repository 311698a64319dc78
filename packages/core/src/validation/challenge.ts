/**
 * Characters RFC 6750 section 3 allows in `error_description` and `scope` values:
 * `%x20-21 / %x23-5B / %x5D-7E` (printable ASCII without `"` and `\`).
 */
const NOT_ALLOWED_IN_DESCRIPTION = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/** Replaces every character RFC 6750 section 3 forbids in a quoted auth-param value. */
export function sanitizeDescription(description: string): string {
  return description.replace(NOT_ALLOWED_IN_DESCRIPTION, '?');
}

/** The quoted-string characters allowed in a realm: printable ASCII without `"` and `\`. */
export function isValidRealm(realm: string): boolean {
  return realm.length > 0 && !/[^\x20\x21\x23-\x5B\x5D-\x7E]/.test(realm);
}

/**
 * Builds a `WWW-Authenticate` value for the Bearer scheme (RFC 6750 section 3):
 * `Bearer realm="api", error="invalid_token", error_description="..."`.
 * Values are already restricted to the allowed characters, so no escaping is needed.
 */
export function bearerChallenge(realm: string, params: Record<string, string> = {}): string {
  let value = `Bearer realm="${realm}"`;
  for (const [name, paramValue] of Object.entries(params)) {
    value += `, ${name}="${sanitizeDescription(paramValue)}"`;
  }
  return value;
}
