import { X509Certificate, createHash } from 'node:crypto';

/**
 * Two client certificates for the certificate-bound token scenarios (RFC 8705): self-signed,
 * P-256, `CN=client-a` and `CN=client-b`, valid from 2026-12-04 for 100 years. Test-only, and
 * shipped without their private keys: the kit never opens a TLS connection with them, it plays
 * the TLS-terminating proxy that forwards the certificate of its client in a header (RFC 9440),
 * so the certificate alone is what it sends. Made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj "/CN=NAME"`.
 */
export const CLIENT_CERTIFICATES = Object.freeze({
  a: `-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUX0u5+lNRvlBVjhKCuKlL0iUOleowCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIY2xpZW50LWEwIBcNMjYxMjA0MjIzMDQ5WhgPMjEyNjExMTAy
MjMwNDlaMBMxETAPBgNVBAMMCGNsaWVudC1hMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEeYeJeIEaHDPy0sOQO8qmHchw8JFFL1XyrN9XBMxFJbzfyCSlQ0fr6wDX
0VqZ1hemzwjdP1SUaU9Ju1A5qoJvB6NTMFEwHQYDVR0OBBYEFOs3wwtdxxYRK79p
2ajkIPg/N7ywMB8GA1UdIwQYMBaAFOs3wwtdxxYRK79p2ajkIPg/N7ywMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgCWaG/53jPSKN06jOE+amWqkZ
dnwGv6jRxNSE+I4EMskCIQDmrMDfRMFFCsUTohtS047LxFxP6txvOlPkV8xJBEXe
dA==
-----END CERTIFICATE-----
`,
  b: `-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUMy3GuL5Q4tMYlApBESS62PddtxUwCgYIKoZIzj0EAwIw
EzERMA8GA1UEAwwIY2xpZW50LWIwIBcNMjYxMjA0MjIzMDQ5WhgPMjEyNjExMTAy
MjMwNDlaMBMxETAPBgNVBAMMCGNsaWVudC1iMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEms86uqE+7E20cTHmijHyjZsqOCwCMvNqancoCPVI6t4/QEN+a19n70kY
XEYzWV1ImpWLpR544/j3Lxl2nruVFKNTMFEwHQYDVR0OBBYEFM8+Ue0qmy6wzivk
GNT0NVxWo20WMB8GA1UdIwQYMBaAFM8+Ue0qmy6wzivkGNT0NVxWo20WMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgNjdzkrsuVT3uJZl95mZzCme7
TkluX6dSHdkKN6/hwOQCIQCBoKiMnrqYLWBZzcqachTB/HmeYsMs2fijSrYzHWqI
Lg==
-----END CERTIFICATE-----
`,
});

/**
 * The `x5t#S256` of a certificate (RFC 8705 section 3.1): the base64url SHA-256 of its DER, what
 * a certificate-bound token's `cnf` names.
 */
export function certificateThumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

/**
 * A certificate as a proxy forwards it: RFC 9440 section 2's `Client-Cert` value, a Structured
 * Field byte sequence (`:<base64 DER>:`), or `url-encoded-pem` as nginx's
 * `$ssl_client_escaped_cert` is.
 */
export function forwardedCertificate(
  pem: string,
  form: 'rfc9440' | 'url-encoded-pem' = 'rfc9440',
): string {
  return form === 'rfc9440'
    ? `:${new X509Certificate(pem).raw.toString('base64')}:`
    : encodeURIComponent(pem);
}
