import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { signWith, type AccessTokenSigner } from './access-token-keys.js';

/**
 * The DPoP-bound access token `accessToken`, re-signed by `signer` (what signed it: the tenant's
 * current key, or an HS256 API's secret) with a `cnf.jkt` that no client holds: 43 base64url
 * characters, the form of a SHA-256 JWK thumbprint (RFC 7638, RFC 9449 section 6.1), of no key at
 * all. Everything else (header, claims, signature algorithm, `kid`) is as issued, so the binding is
 * the only defect: a resource server that compares `cnf.jkt` with the proof's key (section 7.1)
 * refuses it, one that does not accepts it.
 */
export async function wrongDpopBinding(
  accessToken: string,
  signer: AccessTokenSigner,
): Promise<string> {
  const header = decodeProtectedHeader(accessToken);
  const claims = decodeJwt(accessToken);
  return signWith(
    signer,
    { ...claims, cnf: { jkt: randomBytes(32).toString('base64url') } },
    header.typ ?? 'JWT',
  );
}
