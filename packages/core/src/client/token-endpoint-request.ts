import { request, type Dispatcher } from 'undici';
import {
  formatMediaType,
  isJsonMediaType,
  parseMediaType,
  type MediaType,
} from '../http/media-type.js';
import { parseRetryAfter } from '../http/retry-after.js';
import {
  InvalidTokenResponseError,
  TokenRequestError,
  sanitizeServerText,
} from './token-errors.js';

/** One request to a token-style endpoint or Auth0's MFA API. */
export interface EndpointRequest {
  /** Default `POST`. */
  method?: 'POST' | 'GET' | 'DELETE';
  url: URL;
  /** Form parameters (RFC 6749 appendix B encoding); the body of a `POST` without `json`. */
  form?: Record<string, string>;
  /** A JSON body instead of a form (Auth0's `/mfa/associate` takes arrays). */
  json?: Record<string, unknown>;
  headers: Record<string, string>;
  dispatcher: Dispatcher | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** The parts of an answer the response processors read. */
export interface EndpointResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; `undefined` for an empty body. */
  body: unknown;
  /** The media type of a non-empty body (always JSON: anything else is refused). */
  mediaType: MediaType | undefined;
  /** Seconds from the `Retry-After` header (RFC 9110 section 10.2.3), if it had a usable one. */
  retryAfter: number | undefined;
  /** Local time the answer arrived, in milliseconds. */
  receivedAt: number;
  /**
   * Takes out of server-supplied text every spelling of a secret the request carried, should a
   * hostile or buggy server echo one back (in `error_description`, a problem `detail`, ...).
   */
  redact: (text: string) => string;
}

/**
 * Body fields whose values are secrets: the password, the client secret, refresh and MFA
 * tokens, one-time, binding and recovery codes, and the token being revoked (RFC 7009 section
 * 2.1).
 */
const SECRET_FIELDS = [
  'password',
  'client_secret',
  'client_assertion',
  'refresh_token',
  'mfa_token',
  'otp',
  'recovery_code',
  'oob_code',
  'binding_code',
  'token',
] as const;

/** Shorter values are not taken out of server text: they would mangle it and hide nothing. */
const MIN_REDACTED_LENGTH = 3;

/** What replaces an echoed secret. */
const REDACTED = '[redacted]';

/**
 * The secrets of a request, in every spelling a server could echo: plain, percent-encoded,
 * form-encoded and base64, plus the credentials of a Basic `Authorization` header.
 */
function secretSpellings(req: EndpointRequest): string[] {
  const secrets: string[] = [];
  for (const field of SECRET_FIELDS) {
    const value = req.form?.[field] ?? req.json?.[field];
    if (typeof value === 'string') secrets.push(value);
  }
  const authorization = Object.entries(req.headers).find(
    ([name]) => name.toLowerCase() === 'authorization',
  )?.[1];
  // The MFA API's credential: an mfa_token or an access token (RFC 6750 section 2.1), or a
  // DPoP-bound access token (RFC 9449 section 7.1).
  const bearer =
    authorization === undefined ? undefined : /^(?:Bearer|DPoP) (\S+)$/i.exec(authorization);
  if (bearer?.[1] !== undefined) secrets.push(bearer[1]);
  const basic = authorization === undefined ? undefined : /^Basic ([^\s]+)$/i.exec(authorization);
  const extra: string[] = [];
  if (basic?.[1] !== undefined) {
    extra.push(basic[1]);
    // RFC 6749 section 2.3.1: base64 of the form-encoded "id:secret".
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      const id = formDecode(decoded.slice(0, colon));
      const secret = formDecode(decoded.slice(colon + 1));
      secrets.push(secret);
      // The same credentials as a client that skips the form-encoding would send them.
      extra.push(Buffer.from(`${id}:${secret}`).toString('base64'));
    }
  }
  const spellings = new Set<string>(extra);
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue;
    spellings.add(secret);
    spellings.add(encodeURIComponent(secret));
    spellings.add(new URLSearchParams({ s: secret }).toString().slice(2));
    spellings.add(Buffer.from(secret).toString('base64'));
    spellings.add(Buffer.from(secret).toString('base64url'));
  }
  // Longest first, so that a spelling containing another is taken out whole.
  return [...spellings].toSorted((a, b) => b.length - a.length);
}

/** RFC 6749 appendix B: decodes one `application/x-www-form-urlencoded` value. */
function formDecode(text: string): string {
  return new URLSearchParams(`s=${text}`).get('s') ?? '';
}

function redactor(req: EndpointRequest): (text: string) => string {
  const spellings = secretSpellings(req);
  return (text) => spellings.reduce((out, spelling) => out.split(spelling).join(REDACTED), text);
}

/**
 * Sends a request (a form POST, unless it says otherwise) to the authorization server and reads
 * a JSON answer.
 *
 * - Redirects are never followed: a 307 or 308 would re-send the password to another place.
 * - The whole exchange has one deadline; the body is capped while it streams.
 * - Only JSON is accepted (RFC 6749 section 5.1): `application/json` or `application/*+json`;
 *   anything else is an {@link InvalidTokenResponseError}, with the status, never the body.
 * - `Retry-After` is read from the headers whatever the body, and carried on the errors.
 *
 * The body is not kept anywhere: errors name the endpoint and what went wrong, nothing else.
 */
export async function sendRequest(
  req: EndpointRequest,
  now: () => number,
): Promise<EndpointResponse> {
  const method = req.method ?? 'POST';
  const where = `${method} ${req.url.href}`;
  const signal = AbortSignal.timeout(req.timeoutMs);
  const headers: Record<string, string> = { ...req.headers, accept: 'application/json' };
  let body: string | undefined;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  }
  let response: Dispatcher.ResponseData;
  try {
    response = await request(req.url, {
      method,
      headers,
      body,
      dispatcher: req.dispatcher,
      signal,
    });
  } catch (cause) {
    throw networkError(where, cause, signal);
  }
  const { statusCode, headers: answerHeaders, body: answerBody } = response;
  const receivedAt = now();
  // Read whatever the body is: a 429 or 503 with an empty, HTML or text body still says how long
  // to wait, and that must reach the retry policy.
  const retryAfter = parseRetryAfter(answerHeaders['retry-after'], receivedAt);
  const redact = redactor(req);
  try {
    if (statusCode >= 300 && statusCode < 400) {
      throw new TokenRequestError(
        `${where} answered a redirect (HTTP ${statusCode}); redirects are not followed`,
        'redirect',
        { status: statusCode },
      );
    }
    const text = await readCapped(answerBody, req.maxResponseBytes, where, statusCode, retryAfter);
    const answer = { status: statusCode, headers: answerHeaders, retryAfter, receivedAt, redact };
    if (text === '') return { ...answer, body: undefined, mediaType: undefined };
    // RFC 6749 section 5.1 and 5.2: application/json. Also its +json relatives (RFC 6839), such
    // as application/problem+json (RFC 9457); never "anything that mentions json".
    const mediaType = parseMediaType(answerHeaders['content-type']);
    if (!isJsonMediaType(mediaType)) {
      const what =
        mediaType === undefined
          ? 'no usable content type'
          : `"${sanitizeServerText(redact(formatMediaType(mediaType))).slice(0, 100)}"`;
      throw new InvalidTokenResponseError(
        `${where} answered HTTP ${statusCode} with ${what}, not JSON`,
        statusCode,
        { retryAfter },
      );
    }
    try {
      return { ...answer, body: JSON.parse(text) as unknown, mediaType };
    } catch {
      throw new InvalidTokenResponseError(
        `${where} answered HTTP ${statusCode} with a body that is not valid JSON`,
        statusCode,
        { retryAfter },
      );
    }
  } catch (error) {
    answerBody.on('error', () => undefined);
    answerBody.destroy();
    if (error instanceof InvalidTokenResponseError || error instanceof TokenRequestError)
      throw error;
    throw networkError(where, error, signal);
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  where: string,
  status: number,
  retryAfter: number | undefined,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new InvalidTokenResponseError(
        `${where} answered HTTP ${status} with a body over ${maxBytes} bytes`,
        status,
        { retryAfter },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function networkError(where: string, cause: unknown, signal: AbortSignal): TokenRequestError {
  if (signal.aborted) {
    return new TokenRequestError(`${where} timed out`, 'timeout');
  }
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : 'error';
  // The cause is not attached: undici errors can hold the request, and with it the form.
  return new TokenRequestError(`${where} failed (${code})`, 'network');
}
