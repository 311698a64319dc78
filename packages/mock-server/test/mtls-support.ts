import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A test client certificate from `fixtures/mtls` (`client-a`, `client-b`), as PEM. */
export function certificatePem(name: 'client-a' | 'client-b'): string {
  return readFileSync(new URL(`fixtures/mtls/${name}.crt`, import.meta.url), 'utf8');
}

/**
 * RFC 8705 section 3.1's `x5t#S256` of a PEM certificate, computed without the server's code: the
 * base64 between the PEM lines is the DER (RFC 7468 section 2), hashed with SHA-256, base64url.
 */
export function thumbprintOf(pem: string): string {
  const base64 = pem
    .replace('-----BEGIN CERTIFICATE-----', '')
    .replace('-----END CERTIFICATE-----', '')
    .replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('base64url');
}

/**
 * The headers Auth0's customer edge adds to a request it forwards to the custom domain ("Set up the
 * Customer Edge"): the certificate as a URL-encoded PEM, and the edge's verdict on it.
 */
export function edgeHeaders(pem: string, verified = 'SUCCESS'): Record<string, string> {
  return {
    'client-certificate': encodeURIComponent(pem),
    'client-certificate-ca-verified': verified,
  };
}
