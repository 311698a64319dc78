import { request, type Dispatcher } from 'undici';

/** Limits of one JSON GET. */
export interface FetchJsonOptions {
  /** The undici dispatcher to send with (a proxy agent, a mock, ...); the global one if unset. */
  dispatcher?: Dispatcher | undefined;
  /** Overall time allowed, headers and body together, in milliseconds. */
  timeoutMs: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

/** Why a JSON document could not be fetched. The message names the URL, never a secret. */
export class FetchJsonError extends Error {
  override readonly name = 'FetchJsonError';
}

/**
 * GETs a JSON document with a timeout and a size cap, and without following redirects (undici's
 * `request` follows none unless a redirect interceptor is composed in).
 *
 * @throws {FetchJsonError} on a network error, timeout, non-200 status, oversized or invalid body.
 */
export async function fetchJson(url: URL, options: FetchJsonOptions): Promise<unknown> {
  let response: Dispatcher.ResponseData;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      dispatcher: options.dispatcher,
      signal,
    });
  } catch (cause) {
    throw new FetchJsonError(`GET ${url.href} failed: ${describeNetworkError(cause)}`, { cause });
  }
  const { statusCode, body } = response;
  try {
    if (statusCode !== 200) {
      throw new FetchJsonError(`GET ${url.href} answered HTTP ${statusCode}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      throw new FetchJsonError(`GET ${url.href} body exceeds ${options.maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.maxBytes) {
        throw new FetchJsonError(`GET ${url.href} body exceeds ${options.maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
    } catch (cause) {
      throw new FetchJsonError(`GET ${url.href} body is not valid JSON`, { cause });
    }
  } catch (error) {
    // Destroying an unread undici body emits an abort error; nobody is reading it any more.
    body.on('error', () => undefined);
    body.destroy();
    if (error instanceof FetchJsonError) throw error;
    throw new FetchJsonError(`GET ${url.href} failed: ${describeNetworkError(error)}`, {
      cause: error,
    });
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const code: unknown = 'code' in error ? error.code : undefined;
    return typeof code === 'string' ? code : error.message;
  }
  return 'unknown error';
}
