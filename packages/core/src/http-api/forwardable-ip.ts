import { isIP } from 'node:net';

/**
 * The end user's IP as Auth0's `auth0-forwarded-for` header takes it, or `undefined` when there is
 * none to send (no address, or not an IP: Koa answers `''` once the socket is gone). Node reports
 * IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`; Auth0 expects the plain IPv4 form.
 * Pass the framework's own client IP (`req.ip`, `ctx.ip`, `request.ip`), which honours its
 * trust-proxy setting, so `X-Forwarded-For` is only believed from trusted proxies.
 */
export function forwardableIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIP(address) === 0 ? undefined : address;
}
