/**
 * The URI a DPoP proof's `htu` must name (RFC 9449 section 4.3 step 9): the request's scheme,
 * authority and path, without query and fragment, after syntax- and scheme-based normalization
 * (RFC 3986 sections 6.2.2 and 6.2.3: lower-case scheme and host, default port dropped, dot
 * segments removed, percent-encodings of unreserved characters decoded and the rest in upper case).
 */

/** RFC 3986 section 2.3: unreserved characters. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** A Host header: a name or IPv4 address, or a bracketed IPv6 address, and an optional port. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function normalizePercentEncodings(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const character = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return UNRESERVED.test(character) ? character : escape.toUpperCase();
  });
}

/**
 * A proof's `htu` in the compared form, or `undefined` when it is not an absolute http(s) URI.
 * Query and fragment are ignored (section 4.3 step 9).
 */
export function normalizeHtu(htu: string): string | undefined {
  let url: URL;
  try {
    url = new URL(htu);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.origin + normalizePercentEncodings(url.pathname);
}

/** What the request gives: its target as received, Host header, and whether it came over TLS. */
export interface RequestUriParts {
  /** The request target (`/path?query`), as the client sent it. */
  readonly target: string | undefined;
  readonly host: string | undefined;
  readonly secure: boolean;
}

/**
 * The request's URI in {@link normalizeHtu}'s form: `publicOrigin` when configured, else the
 * scheme of the connection and the `Host` header (`X-Forwarded-Host` is never read), then the
 * path of the request target. `undefined` when the request names no usable origin or path.
 */
export function requestHtu(
  parts: RequestUriParts,
  publicOrigin: string | undefined,
): string | undefined {
  const { target, host } = parts;
  // Origin-form only (RFC 9112 section 3.2.1): "/path?query".
  if (target === undefined || !target.startsWith('/')) return undefined;
  let origin = publicOrigin;
  if (origin === undefined) {
    if (host === undefined || !HOST.test(host)) return undefined;
    origin = `${parts.secure ? 'https' : 'http'}://${host}`;
  }
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  return normalizeHtu(origin + path);
}
