/**
 * Requests that an optional `auth()` let through without credentials, with that verifier's
 * realm, so a requirement further down answers 401 in the same realm (RFC 6750 section 3). Keyed
 * by the framework's request (or context) object; nothing is added to it.
 */
const anonymous = new WeakMap<object, string>();

/** Records that `request` passed an optional `auth()` of `realm` without credentials. */
export function markAnonymous(request: object, realm: string): void {
  anonymous.set(request, realm);
}

/** The realm of the optional `auth()` that let `request` through anonymously, if one did. */
export function anonymousRealmOf(request: object): string | undefined {
  return anonymous.get(request);
}
