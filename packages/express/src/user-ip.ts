import { isIP } from 'node:net';

/**
 * The end user's IP as `auth0-forwarded-for` takes it, or `undefined` when there is none to send.
 * `req.ip` is what Express derives with the app's `trust proxy` setting, so `X-Forwarded-For` is
 * only believed from proxies the app trusts.
 */
export function forwardableIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  // Node reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d.
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return isIP(plain) === 0 ? undefined : plain;
}
