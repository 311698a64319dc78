import { request, type Dispatcher } from 'undici';
import { InvalidTokenResponseError, TokenRequestError } from './token-errors.js';

/** One POST to a token-style endpoint. */
export interface EndpointRequest {
  url: URL;
  /** Form parameters (RFC 6749 appendix B encoding). */
  form: Record<string, string>;
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
  /** Local time the answer arrived, in milliseconds. */
  receivedAt: number;
}

/**
 * POSTs a form to the authorization server and reads a JSON answer.
 *
 * - Redirects are never followed: a 307 or 308 would re-send the password to another place.
 * - The whole exchange has one deadline; the body is capped while it streams.
 * - Only JSON is accepted (RFC 6749 section 5.1); anything else is an
 *   {@link InvalidTokenResponseError}, with the status, never the body.
 *
 * The form is not kept anywhere: errors name the endpoint and what went wrong, nothing else.
 */
export async function postForm(req: EndpointRequest, now: () => number): Promise<EndpointResponse> {
  const signal = AbortSignal.timeout(req.timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(req.url, {
      method: 'POST',
      headers: {
        ...req.headers,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(req.form).toString(),
      dispatcher: req.dispatcher,
      signal,
    });
  } catch (cause) {
    throw networkError(req.url, cause, signal);
  }
  const { statusCode, headers, body } = response;
  const receivedAt = now();
  try {
    if (statusCode >= 300 && statusCode < 400) {
      throw new TokenRequestError(
        `POST ${req.url.href} answered a redirect (HTTP ${statusCode}); redirects are not followed`,
        'redirect',
        { status: statusCode },
      );
    }
    const text = await readCapped(body, req.maxResponseBytes, req.url, statusCode);
    if (text === '') return { status: statusCode, headers, body: undefined, receivedAt };
    const contentType = String(headers['content-type'] ?? '').toLowerCase();
    if (!contentType.includes('json')) {
      throw new InvalidTokenResponseError(
        `POST ${req.url.href} answered HTTP ${statusCode} with ${contentType === '' ? 'no content type' : `"${contentType.split(';')[0] ?? ''}"`}, not JSON`,
        statusCode,
      );
    }
    try {
      return { status: statusCode, headers, body: JSON.parse(text) as unknown, receivedAt };
    } catch {
      throw new InvalidTokenResponseError(
        `POST ${req.url.href} answered HTTP ${statusCode} with a body that is not valid JSON`,
        statusCode,
      );
    }
  } catch (error) {
    body.on('error', () => undefined);
    body.destroy();
    if (error instanceof InvalidTokenResponseError || error instanceof TokenRequestError)
      throw error;
    throw networkError(req.url, error, signal);
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  url: URL,
  status: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new InvalidTokenResponseError(
        `POST ${url.href} answered HTTP ${status} with a body over ${maxBytes} bytes`,
        status,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function networkError(url: URL, cause: unknown, signal: AbortSignal): TokenRequestError {
  if (signal.aborted) {
    return new TokenRequestError(`POST ${url.href} timed out`, 'timeout');
  }
  const code =
    cause instanceof Error && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : 'error';
  // The cause is not attached: undici errors can hold the request, and with it the form.
  return new TokenRequestError(`POST ${url.href} failed (${code})`, 'network');
}
