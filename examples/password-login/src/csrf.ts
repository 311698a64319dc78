import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The hidden field every form carries its CSRF token in. */
export const CSRF_FIELD = '_csrf';

/**
 * The session's CSRF token (OWASP's "synchronizer token pattern"): 32 random bytes, made the
 * first time a page with a form is rendered for the session and kept in it. The session id is
 * renewed when a sign-in starts or completes and at sign-out (express-session's `regenerate()`,
 * which drops the session's data), so the token is renewed with it.
 */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/**
 * Whether a POST carries the session's token in its form body. A cross-site page can make the
 * browser post a form with the user's cookie (SameSite=Lax stops that in most browsers, not in
 * all, and not from a sibling subdomain), but it cannot read the token from this site's pages.
 * A session without a token (it expired, or the server restarted) accepts nothing.
 */
export function hasValidCsrfToken(req: Request): boolean {
  const expected = req.session.csrfToken;
  const body: unknown = req.body;
  const sent: unknown =
    typeof body === 'object' && body !== null ? Reflect.get(body, CSRF_FIELD) : undefined;
  if (expected === undefined || typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  // Compared in constant time, so response timing tells nothing about how much of it matched.
  return a.length === b.length && timingSafeEqual(a, b);
}
