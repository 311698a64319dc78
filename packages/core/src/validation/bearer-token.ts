import { InvalidRequestError, MissingCredentialsError } from '../errors.js';

/**
 * Where a bearer token may be carried (RFC 6750 section 2). The Authorization header is the only
 * one enabled by default; the form body (section 2.2) and the query (section 2.3) must be
 * enabled explicitly, since they leak tokens into logs and caches.
 */
export type TokenLocation = 'header' | 'body' | 'query';

/** The framework-neutral request an adapter builds from its framework's request. */
export interface BearerRequest {
  /** Header map with lower-case names, as `node:http` gives it. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The raw header list (`req.rawHeaders`), used to see a repeated Authorization header:
   * Node keeps only the first one in `headers`.
   */
  rawHeaders?: readonly string[] | undefined;
  /** Request method, upper case. */
  method?: string | undefined;
  /** Parsed query string. */
  query?: URLSearchParams | Readonly<Record<string, unknown>> | undefined;
  /** Parsed body; read only for `application/x-www-form-urlencoded` requests. */
  body?: unknown;
  /**
   * The request target as received (`/api/x?y=1`), before any router rewrote it: Express's and
   * Koa's `originalUrl`, Fastify's `url`. Read for DPoP (RFC 9449 section 4.3: `htu`).
   */
  originalUrl?: string | undefined;
  /** Whether the request came over TLS (`req.secure`). Read for DPoP's `htu`. */
  secure?: boolean | undefined;
  /**
   * The request's socket (`req.socket`): a TLS socket gives the client certificate a
   * certificate-bound token needs (RFC 8705 section 3).
   */
  socket?: object | undefined;
}

/** The authorization scheme a token came with (RFC 6750 section 2.1, RFC 9449 section 7.1). */
export type TokenScheme = 'Bearer' | 'DPoP';

/** A token as {@link extractAccessToken} found it. */
export interface ExtractedToken {
  readonly token: string;
  /** `Bearer` for the query and body too (RFC 6750 sections 2.2 and 2.3). */
  readonly scheme: TokenScheme;
}

/** Options of {@link extractBearerToken}. */
export interface ExtractOptions {
  /** The realm of challenges. */
  realm: string;
  /** Enabled token locations. */
  locations: ReadonlySet<TokenLocation>;
  /** Accept the `DPoP` scheme in the Authorization header too (RFC 9449 section 7.1). */
  dpop?: boolean;
}

/**
 * RFC 6750 section 2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6750 section 2.1: `credentials = "Bearer" 1*SP b64token`; the scheme is case-insensitive. */
const CREDENTIALS = /^(?:bearer|dpop) +([^ ]+)$/i;
const BEARER_SCHEME = /^bearer(?:\s|$)/i;
/** RFC 9449 section 7.1: `DPoP` credentials have the same syntax; the scheme is case-insensitive. */
const DPOP_SCHEME = /^dpop(?:\s|$)/i;

/** True when `value` is a syntactically valid RFC 6750 b64token. */
export function isB64Token(value: string): boolean {
  return B64TOKEN.test(value);
}

/**
 * Extracts the bearer token from a request, following RFC 6750 section 2.
 *
 * @throws {MissingCredentialsError} no bearer credentials at all (or another auth scheme).
 * @throws {InvalidRequestError} malformed credentials, a repeated Authorization header, or more
 *   than one method used (RFC 6750 section 2: clients MUST NOT use more than one).
 */
export function extractBearerToken(request: BearerRequest, options: ExtractOptions): string {
  return extractAccessToken(request, options).token;
}

/**
 * {@link extractBearerToken}, also telling the scheme: with `dpop`, `Authorization: DPoP <token>`
 * is read as well (RFC 9449 section 7.1), and is the only header credential a request may have.
 */
export function extractAccessToken(
  request: BearerRequest,
  options: ExtractOptions,
): ExtractedToken {
  const { realm, locations } = options;
  const found: string[] = [];

  const fromHeader = readAuthorizationHeader(request, realm, options.dpop === true);
  if (fromHeader !== undefined) found.push(fromHeader.token);

  if (locations.has('query')) {
    const fromQuery = readParameter(request.query, realm);
    if (fromQuery !== undefined) found.push(fromQuery);
  }
  if (locations.has('body') && isFormBodyRequest(request)) {
    const fromBody = readParameter(request.body, realm);
    if (fromBody !== undefined) found.push(fromBody);
  }

  if (found.length > 1) {
    throw new InvalidRequestError('More than one method used to include the access token', {
      realm,
    });
  }
  const token = found[0];
  if (token === undefined) throw new MissingCredentialsError({ realm });
  return fromHeader ?? { token, scheme: 'Bearer' };
}

/** The request's `DPoP` header (RFC 9449 section 4.1). */
export interface DpopProofHeader {
  /** The one header's value; `undefined` when there is none, or more than one. */
  readonly proof: string | undefined;
  /** More than one `DPoP` header came: section 4.3 step 1 refuses the request. */
  readonly repeated: boolean;
}

/** The request's `DPoP` header: its value, or that it is missing or repeated. */
export function dpopProofHeader(request: BearerRequest): DpopProofHeader {
  const value = request.headers['dpop'];
  if (value === undefined) return { proof: undefined, repeated: false };
  if (typeof value !== 'string' || countHeaders(request, 'dpop') > 1) {
    return { proof: undefined, repeated: true };
  }
  return { proof: value, repeated: false };
}

/**
 * The value of the request's `Authorization` header when there is exactly one, else `undefined`.
 * With {@link bearerTokenStart}, the allocation-free way to a token for a verified-token cache
 * lookup: a token is only used this way when the cache already holds it (a strict compact JWS,
 * hence a valid b64token); on a miss the request goes through {@link extractBearerToken}, which
 * gives every error.
 */
export function soleAuthorizationHeader(request: BearerRequest): string | undefined {
  const value = request.headers['authorization'];
  return typeof value === 'string' && countAuthorizationHeaders(request) === 1 ? value : undefined;
}

/**
 * RFC 6750 section 2.1: "Bearer", case-insensitively, one or more spaces, then a token without
 * spaces: where the token starts in `value`, or `undefined`. No regex, no allocation.
 */
export function bearerTokenStart(value: string): number | undefined {
  if (
    value.length < 8 ||
    (value.charCodeAt(0) | 0x20) !== 0x62 ||
    (value.charCodeAt(1) | 0x20) !== 0x65 ||
    (value.charCodeAt(2) | 0x20) !== 0x61 ||
    (value.charCodeAt(3) | 0x20) !== 0x72 ||
    (value.charCodeAt(4) | 0x20) !== 0x65 ||
    (value.charCodeAt(5) | 0x20) !== 0x72 ||
    value.charCodeAt(6) !== 0x20
  ) {
    return undefined;
  }
  let start = 7;
  while (value.charCodeAt(start) === 0x20) start++;
  if (start === value.length || value.includes(' ', start)) return undefined;
  return start;
}

function readAuthorizationHeader(
  request: BearerRequest,
  realm: string,
  dpop: boolean,
): ExtractedToken | undefined {
  if (countAuthorizationHeaders(request) > 1) {
    throw new InvalidRequestError('Repeated Authorization header', { realm });
  }
  const header = request.headers['authorization'];
  const value = typeof header === 'string' ? header : header?.[0];
  if (value === undefined || value === '') return undefined;
  const scheme = BEARER_SCHEME.test(value)
    ? 'Bearer'
    : dpop && DPOP_SCHEME.test(value)
      ? 'DPoP'
      : undefined;
  // RFC 6750 section 3.1: a request using another scheme lacks bearer credentials; it is
  // answered like a request without any, with no error code.
  if (scheme === undefined) return undefined;
  const match = CREDENTIALS.exec(value);
  const token = match?.[1];
  if (token === undefined || !B64TOKEN.test(token)) {
    throw new InvalidRequestError(`Malformed ${scheme} credentials`, { realm });
  }
  return { token, scheme };
}

function countAuthorizationHeaders(request: BearerRequest): number {
  return countHeaders(request, 'authorization');
}

/** How many times the header `name` (lower case) came: Node keeps only one in `headers`. */
function countHeaders(request: BearerRequest, name: string): number {
  const { rawHeaders } = request;
  if (rawHeaders !== undefined) {
    let count = 0;
    // rawHeaders alternates names and values.
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const raw = rawHeaders[i];
      if (raw !== undefined && raw.length === name.length && raw.toLowerCase() === name) count++;
    }
    return count;
  }
  const header = request.headers[name];
  return typeof header === 'string' ? 1 : (header?.length ?? 0);
}

/** RFC 6750 sections 2.2 and 2.3: the `access_token` parameter, exactly once. */
function readParameter(source: unknown, realm: string): string | undefined {
  if (source === undefined || source === null || typeof source !== 'object') return undefined;
  let values: readonly unknown[];
  if (source instanceof URLSearchParams) {
    values = source.getAll('access_token');
  } else {
    if (!Object.hasOwn(source, 'access_token')) return undefined;
    const raw: unknown = Reflect.get(source, 'access_token');
    values = Array.isArray(raw) ? raw : [raw];
  }
  if (values.length === 0) return undefined;
  const [value] = values;
  if (values.length > 1 || typeof value !== 'string' || !B64TOKEN.test(value)) {
    throw new InvalidRequestError('Malformed access_token parameter', { realm });
  }
  return value;
}

/**
 * A form request whose body no parser has read yet (`body` still `undefined` or `null`): a token
 * in it (RFC 6750 section 2.2) would be missed, and the request refused as anonymous. For adapters
 * whose hooks can run before the body is parsed, to say so.
 */
export function isUnparsedFormBody(request: BearerRequest): boolean {
  return (request.body === undefined || request.body === null) && isFormBodyRequest(request);
}

/**
 * RFC 6750 section 2.2: the body carrier applies only to single-part
 * `application/x-www-form-urlencoded` bodies of methods that have body semantics (not GET).
 */
function isFormBodyRequest(request: BearerRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const contentType = request.headers['content-type'];
  const value = typeof contentType === 'string' ? contentType : contentType?.[0];
  if (value === undefined) return false;
  const mediaType = value.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}
