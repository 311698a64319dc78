import { isIP } from 'node:net';

/**
 * The end user's IP as Auth0's `auth0-forwarded-for` header wants it, or `undefined` when `ip`
 * is not an IP address (Koa answers `''` when the socket is gone). Node reports IPv4 clients of
 * a dual-stack socket as `::ffff:a.b.c.d`; Auth0 expects the plain IPv4 form.
 */
export function forwardableIp(ip: string): string | undefined {
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIP(plain) === 0 ? undefined : plain;
}
