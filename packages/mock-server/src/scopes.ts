import type { ResolvedApi, ResolvedUser } from './resolved-config.js';

/** OIDC scopes that select ID token and userinfo claims (OIDC Core section 5.4). */
const CLAIM_SCOPES = ['profile', 'email', 'address', 'phone'] as const;

/** Splits a space-delimited scope parameter (RFC 6749 section 3.3). */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((token) => token !== ''))];
}

/** Whether two scope lists hold the same scopes, in any order. */
export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const setA = new Set(a);
  const setB = new Set(b);
  return setA.size === setB.size && [...setA].every((scope) => setB.has(scope));
}

/**
 * The scopes a password exchange grants (MOCK-SERVER.md "Scopes", from the seed and Auth0's docs):
 *
 * - It "gives access to all scopes": no API scope requested means all of the API's scopes.
 * - With RBAC on for the API, granted = requested ∩ the user's permissions.
 * - `openid` alone becomes `openid profile email address phone`.
 * - `offline_access` only when the API allows offline access (no API: the userinfo audience, which
 *   allows it).
 *
 * Order: OIDC scopes, the API's scopes in the API's order, then `offline_access`, which is how
 * Auth0 lists them.
 */
export function grantPasswordScopes(
  requested: readonly string[],
  api: ResolvedApi | undefined,
  user: ResolvedUser,
): string[] {
  const wanted = new Set(requested);
  const granted: string[] = [];
  if (wanted.has('openid')) {
    granted.push('openid');
    const claimScopes = CLAIM_SCOPES.filter((scope) => wanted.has(scope));
    granted.push(...(claimScopes.length === 0 ? CLAIM_SCOPES : claimScopes));
  }
  if (api !== undefined) {
    const requestedApiScopes = api.scopes.filter((scope) => wanted.has(scope));
    let apiScopes = requestedApiScopes.length === 0 ? api.scopes : requestedApiScopes;
    if (api.rbac) {
      const permissions = new Set(user.permissions[api.identifier] ?? []);
      apiScopes = apiScopes.filter((scope) => permissions.has(scope));
    }
    granted.push(...apiScopes);
  }
  if (wanted.has('offline_access') && (api === undefined || api.allowOfflineAccess)) {
    granted.push('offline_access');
  }
  return granted;
}

/** What {@link profileClaims} needs besides the user: the server's `updated_at` settings. */
export interface ProfileSettings {
  /** `updated_at` for a user without `updatedAt`: when the server started, epoch seconds. */
  readonly defaultUpdatedAt: number;
  readonly updatedAtFormat: 'iso8601' | 'epoch-seconds';
}

/**
 * Which ID token / userinfo claims a scope list allows (OIDC Core section 5.4: `profile` covers
 * `name`, `nickname`, `picture` and `updated_at`; `email` covers `email` and `email_verified`).
 */
export function profileClaims(
  user: ResolvedUser,
  scopes: readonly string[],
  settings: ProfileSettings,
): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes('profile')) {
    claims['name'] = user.name;
    claims['nickname'] = user.nickname;
    if (user.picture !== undefined) claims['picture'] = user.picture;
    const updatedAt = user.updatedAt ?? settings.defaultUpdatedAt;
    // Auth0 sends a date string; OIDC Core section 5.1 specifies a number of seconds.
    claims['updated_at'] =
      settings.updatedAtFormat === 'iso8601' ? new Date(updatedAt * 1000).toISOString() : updatedAt;
  }
  if (scopes.includes('email')) {
    claims['email'] = user.email;
    claims['email_verified'] = user.emailVerified;
  }
  return claims;
}
