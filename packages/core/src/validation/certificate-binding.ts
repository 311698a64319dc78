import { X509Certificate, createHash } from 'node:crypto';
import { InvalidTokenError } from '../errors.js';
import type { BearerRequest } from './bearer-token.js';
import { isJsonObject } from './compact-jws.js';
import type { VerifiedAccessToken } from './verified-access-token.js';

/**
 * RFC 8705 section 3: a certificate-bound access token (its `cnf` has `x5t#S256`, the base64url
 * SHA-256 of the client certificate's DER) is accepted only from a request that presents that
 * certificate: from its TLS connection, or from the one header a TLS-terminating proxy puts it
 * in, when the application names that header. Anything else, a missing certificate included, is
 * `invalid_token` (section 3: "respond with an HTTP 401 status code and an error code of
 * invalid_token"). A token without `x5t#S256` passes unchanged.
 *
 * @throws {InvalidTokenError} the token is bound and the request lacks its certificate.
 */
export function checkCertificateBinding(
  request: BearerRequest,
  verified: VerifiedAccessToken,
  certificateHeader: string | undefined,
): VerifiedAccessToken {
  const cnf: unknown = verified.payload['cnf'];
  if (!isJsonObject(cnf) || cnf['x5t#S256'] === undefined) return verified;
  const expected = cnf['x5t#S256'];
  const { realm } = verified;
  if (typeof expected !== 'string' || expected === '') {
    throw new InvalidTokenError("Token claim 'cnf.x5t#S256' is malformed", { realm });
  }
  const der =
    certificateHeader === undefined
      ? connectionCertificate(request.socket)
      : headerCertificate(request.headers[certificateHeader]);
  if (der === undefined) {
    throw new InvalidTokenError('Token is bound to a client certificate the request lacks', {
      realm,
    });
  }
  const thumbprint = createHash('sha256').update(der).digest('base64url');
  if (thumbprint !== expected) {
    throw new InvalidTokenError('Token is bound to another client certificate', { realm });
  }
  return verified;
}

/** The DER of the TLS peer's certificate, when the socket is TLS and the client sent one. */
function connectionCertificate(socket: unknown): Uint8Array | undefined {
  if (typeof socket !== 'object' || socket === null || !('getPeerCertificate' in socket)) {
    return undefined;
  }
  const { getPeerCertificate } = socket;
  if (typeof getPeerCertificate !== 'function') return undefined;
  const certificate: unknown = getPeerCertificate.call(socket, false);
  if (!isJsonObject(certificate)) return undefined;
  const raw = certificate['raw'];
  return raw instanceof Uint8Array && raw.length > 0 ? raw : undefined;
}

/** Largest certificate header read: a certificate chain does not belong there. */
const MAX_HEADER_LENGTH = 16 * 1024;
/** RFC 9440 section 2.1: `Client-Cert` is a Structured Field byte sequence, `:<base64>:`. */
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;

/**
 * The DER of a certificate a proxy forwarded: RFC 9440's `:<base64 DER>:`, or a URL-encoded PEM
 * (nginx's `$ssl_client_escaped_cert`). `undefined` for a missing, repeated or malformed one.
 */
function headerCertificate(value: string | readonly string[] | undefined): Uint8Array | undefined {
  if (typeof value !== 'string' || value === '' || value.length > MAX_HEADER_LENGTH) {
    return undefined;
  }
  const sequence = BYTE_SEQUENCE.exec(value.trim());
  let der: Uint8Array | undefined;
  if (sequence?.[1] !== undefined) der = Buffer.from(sequence[1], 'base64');
  else {
    let pem: string;
    try {
      pem = decodeURIComponent(value);
    } catch {
      return undefined;
    }
    const body =
      /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----\s*$/.exec(
        pem.trim(),
      )?.[1];
    if (body === undefined) return undefined;
    der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  }
  // Only a parsable certificate counts: its DER is then what the thumbprint is over.
  try {
    return new X509Certificate(der).raw;
  } catch {
    return undefined;
  }
}
