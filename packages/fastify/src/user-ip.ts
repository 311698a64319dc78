import { isIP } from 'node:net';

/**
 * The end user's IP as `auth0-forwarded-for` wants it, or `undefined` when it is not an IP.
 * Node reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`. (Mirrors what core's
 * `PasswordLogin` does for sign-in; refreshes through the token manager need it too.)
 */
export function forwardableIp(ip: string): string | undefined {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIP(address) === 0 ? undefined : address;
}
