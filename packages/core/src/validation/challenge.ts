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
export function bearerChallenge(realm: string, params: ChallengeParams = {}): string {
  return `Bearer realm="${realm}"${formatParams(params)}`;
}

/** The auth-params of an error's challenge; values restricted as RFC 6750 section 3 says. */
export type ChallengeParams = Readonly<Record<string, string>>;

/**
 * Builds a challenge for the DPoP scheme (RFC 9449 section 7.1):
 * `DPoP realm="api", algs="ES256 PS256", error="invalid_dpop_proof", error_description="..."`.
 */
export function dpopChallenge(
  realm: string,
  algs: readonly string[],
  params: ChallengeParams = {},
): string {
  return `DPoP realm="${realm}", algs="${algs.join(' ')}"${formatParams(params)}`;
}

function formatParams(params: ChallengeParams): string {
  let value = '';
  for (const [name, paramValue] of Object.entries(params)) {
    value += `, ${name}="${sanitizeDescription(paramValue)}"`;
  }
  return value;
}
