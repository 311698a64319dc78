/**
 * RFC 7515 section 7.1 with RFC 7515 section 2's base64url (no padding, no whitespace, no other
 * characters): `header.payload.signature`, each part non-empty. jose decodes leniently (padding
 * and whitespace pass), so a token is checked against this before jose sees it: one token must
 * have exactly one spelling.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** True when `token` is a JWS in strict compact serialization. */
export function isCompactJws(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  // A base64url string of length 4n+1 decodes to nothing valid (RFC 4648 section 5).
  for (const part of token.split('.')) {
    if (part.length % 4 === 1) return false;
  }
  return true;
}
