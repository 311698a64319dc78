import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import type { SigningKey } from './signing-keys.js';

/**
 * The DPoP-bound access token `accessToken`, re-signed by the tenant's current key with a
 * `cnf.jkt` that no client holds: 43 base64url characters, the form of a SHA-256 JWK thumbprint
 * (RFC 7638, RFC 9449 section 6.1), of no key at all. Everything else (header, claims, signature
 * algorithm, `kid`) is as issued, so the binding is the only defect: a resource server that
 * compares `cnf.jkt` with the proof's key (section 7.1) refuses it, one that does not accepts it.
 */
export async function wrongDpopBinding(accessToken: string, key: SigningKey): Promise<string> {
  const header = decodeProtectedHeader(accessToken);
  const claims = decodeJwt(accessToken);
  return new SignJWT({ ...claims, cnf: { jkt: randomBytes(32).toString('base64url') } })
    .setProtectedHeader({ alg: key.alg, typ: header.typ ?? 'JWT', kid: key.kid })
    .sign(key.privateKey);
}
