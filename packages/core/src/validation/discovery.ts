import type { Dispatcher } from 'undici';
import { fetchJson } from '../http/fetch-json.js';
import { insecureUrlReason } from '../http/url-policy.js';
import type { KeySetLocator } from './remote-key-set.js';

/** Options of {@link discoverJwksUri}. */
export interface DiscoveryOptions {
  dispatcher: Dispatcher | undefined;
  /**
   * The `performance.now()` time every request of the discovery must end by: both metadata URLs
   * together, so that a hanging discovery endpoint holds a request no longer than a hanging key
   * set endpoint does.
   */
  deadline: number;
  maxBytes: number;
  allowInsecureHttp: boolean;
}

/** The metadata document is unusable (wrong issuer, no or insecure `jwks_uri`, ...). */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/**
 * The metadata URLs to try for an issuer, in order: OpenID Connect Discovery 1.0 section 4
 * (`/.well-known/openid-configuration` appended to the issuer), then RFC 8414 section 3
 * (`/.well-known/oauth-authorization-server` inserted before the issuer's path).
 */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '');
  return [
    new URL(`${issuer.origin}${path}/.well-known/openid-configuration`),
    new URL(`${issuer.origin}/.well-known/oauth-authorization-server${path}`),
  ];
}

/**
 * Finds the `jwks_uri` of an issuer. The document's `issuer` must equal the configured one
 * exactly (OpenID Connect Discovery 1.0 section 4.3, RFC 8414 section 3.3), or it is refused:
 * a document that names another issuer could hand out an attacker's keys.
 *
 * @throws {DiscoveryError} or {@link FetchJsonError} when no usable document was found.
 */
export async function discoverJwksUri(issuer: string, options: DiscoveryOptions): Promise<URL> {
  let lastError: unknown;
  for (const url of metadataUrls(new URL(issuer))) {
    // AbortSignal.timeout takes whole milliseconds.
    const timeoutMs = Math.floor(options.deadline - performance.now());
    if (timeoutMs <= 0) throw new DiscoveryError(`GET ${url.href} timed out`, { cause: lastError });
    let document: unknown;
    try {
      document = await fetchJson(url, {
        dispatcher: options.dispatcher,
        timeoutMs,
        maxBytes: options.maxBytes,
      });
    } catch (error) {
      lastError = error;
      continue;
    }
    return jwksUriFrom(document, issuer, url, options.allowInsecureHttp);
  }
  throw lastError;
}

/**
 * A {@link KeySetLocator} that discovers an issuer's `jwks_uri` on first use
 * ({@link discoverJwksUri}, within the deadline the key set gives), retries after a failure (the
 * key set's backoff paces the retries), and keeps the first success for good.
 */
export function discoveredJwksUri(
  issuer: string,
  options: Omit<DiscoveryOptions, 'deadline'>,
): KeySetLocator {
  let success: Promise<URL> | undefined;
  return (deadline) => {
    if (success !== undefined) return success;
    const attempt = discoverJwksUri(issuer, { ...options, deadline });
    success = attempt;
    attempt.catch(() => {
      if (success === attempt) success = undefined;
    });
    return attempt;
  };
}

function jwksUriFrom(
  document: unknown,
  issuer: string,
  source: URL,
  allowInsecureHttp: boolean,
): URL {
  if (typeof document !== 'object' || document === null) {
    throw new DiscoveryError(`${source.href} is not a metadata document`);
  }
  const metadata = document as { issuer?: unknown; jwks_uri?: unknown };
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError(`${source.href} names another issuer than the configured one`);
  }
  if (typeof metadata.jwks_uri !== 'string') {
    throw new DiscoveryError(`${source.href} has no jwks_uri`);
  }
  let jwksUri: URL;
  try {
    jwksUri = new URL(metadata.jwks_uri);
  } catch {
    throw new DiscoveryError(`${source.href} has an invalid jwks_uri`);
  }
  const reason = insecureUrlReason(jwksUri, allowInsecureHttp);
  if (reason !== undefined) throw new DiscoveryError(`jwks_uri of ${source.href} ${reason}`);
  return jwksUri;
}
