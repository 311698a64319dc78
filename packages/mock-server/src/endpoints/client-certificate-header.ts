import { createHash, X509Certificate } from 'node:crypto';
import { Auth0Errors } from '../auth0-errors.js';
import type { ServerState } from '../server-state.js';
import { header, type EndpointRequest } from './endpoint-request.js';

/** A client certificate the customer's edge verified and forwarded with a request. */
export interface ClientCertificate {
  /**
   * RFC 8705 section 3.1: "the base64url-encoded SHA-256 hash (a.k.a., thumbprint, fingerprint or
   * digest) of the DER encoding of the X.509 certificate", the `x5t#S256` of a bound token.
   */
  readonly thumbprint: string;
}

/** Auth0, "Set up the Customer Edge": the header with the client certificate. */
export const CLIENT_CERTIFICATE_HEADER = 'client-certificate';
/** Auth0, "Set up the Customer Edge": the header with the edge's verdict on the certificate. */
export const CLIENT_CERTIFICATE_VERIFIED_HEADER = 'client-certificate-ca-verified';

/** Auth0, "Set up the Customer Edge": "The header value is limited to 4096 bytes." */
const MAX_CERTIFICATE_HEADER_BYTES = 4096;

const PEM_CERTIFICATE =
  /^\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/;

/** A malformed `client-certificate` header (ours: Auth0 documents no error for it). */
function malformed(why: string) {
  return Auth0Errors.invalidRequest(`The ${CLIENT_CERTIFICATE_HEADER} header ${why}`);
}

/**
 * The client certificate of a token request, as Auth0 receives it at a custom domain from the
 * customer's edge, which terminates mutual TLS ("Set up the Customer Edge": the certificate "as the
 * `client-certificate` header", "converted to a URL component encoded PEM", and "the client
 * certificate CA verification status as the `client-certificate-ca-verified` header"). Only a
 * certificate the edge verified (`SUCCESS`) counts; another status, or none, is no certificate.
 *
 * Requests to the tenant's own domain carry no such headers in Auth0 (mTLS is set up at the custom
 * domain): there they are ignored, so a client cannot bind tokens to a certificate by sending the
 * header itself. Throws `400 invalid_request` for a header that is not one URL-encoded PEM
 * certificate; the message never quotes the header.
 */
export function forwardedClientCertificate(
  state: ServerState,
  request: EndpointRequest,
): ClientCertificate | undefined {
  if (!state.isCustomDomain) return undefined;
  const encoded = header(request, CLIENT_CERTIFICATE_HEADER);
  if (encoded === undefined || encoded === '') return undefined;
  if (header(request, CLIENT_CERTIFICATE_VERIFIED_HEADER) !== 'SUCCESS') return undefined;
  if (Buffer.byteLength(encoded) > MAX_CERTIFICATE_HEADER_BYTES) {
    throw malformed(`is longer than ${MAX_CERTIFICATE_HEADER_BYTES} bytes`);
  }
  let pem: string;
  try {
    pem = decodeURIComponent(encoded);
  } catch {
    throw malformed('is not URL-encoded');
  }
  if (!PEM_CERTIFICATE.test(pem)) throw malformed('is not one PEM certificate');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw malformed('is not one PEM certificate');
  }
  return { thumbprint: createHash('sha256').update(certificate.raw).digest('base64url') };
}
