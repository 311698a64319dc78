import type { Dispatcher } from 'undici';
import { dpopHandleFor } from './authorized-fetch.js';
import { DpopNonceRetryHandler } from './dpop-nonce-retry-handler.js';
import type { GetAccessTokenOptions, TokenManager } from './token-manager.js';

/** Options of {@link bearerTokenInterceptor}. */
export interface BearerTokenInterceptorOptions extends GetAccessTokenOptions {
  manager: TokenManager;
  /** The key whose tokens to send. */
  key: string;
}

type DispatchHeaders = Dispatcher.DispatchOptions['headers'];

/**
 * Replaces any Authorization header with `value` (`Bearer <token>`, RFC 6750 section 2.1, or
 * `DPoP <token>`, RFC 9449 section 7.1), and any `DPoP` header with `proof` when given, whatever
 * form undici was given the headers in (object, flat array, or iterable of pairs).
 */
function withAuthorization(
  headers: DispatchHeaders,
  value: string,
  proof?: string,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  const add = (name: unknown, headerValue: unknown) => {
    if (typeof name !== 'string') return;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || (proof !== undefined && lower === 'dpop')) return;
    if (typeof headerValue === 'string' || Array.isArray(headerValue)) result[name] = headerValue;
  };
  if (Array.isArray(headers)) {
    // A flat list: name, value, name, value, ...
    for (let i = 0; i + 1 < headers.length; i += 2) add(headers[i], headers[i + 1]);
  } else if (headers !== null && headers !== undefined) {
    const entries: Iterable<readonly [unknown, unknown]> =
      Symbol.iterator in headers ? headers : Object.entries(headers);
    for (const [name, headerValue] of entries) add(name, headerValue);
  }
  result['authorization'] = value;
  if (proof !== undefined) result['dpop'] = proof;
  return result;
}

/** A request body undici can send twice: none, text or bytes (a stream or form is read once). */
function isReplayable(body: Dispatcher.DispatchOptions['body']): boolean {
  return (
    body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
  );
}

/**
 * An undici interceptor that sends the key's access token on every request, refreshing first
 * when due: `new Agent().compose(bearerTokenInterceptor({ manager, key }))`. It does not repeat
 * requests; {@link createAuthorizedFetch} adds the refresh-and-retry on `invalid_token`.
 *
 * A DPoP-bound token (the token client's `dpop` option) goes as `Authorization: DPoP <token>`
 * with a new proof of the request's method and URL (RFC 9449 section 7.1); the API's `DPoP-Nonce`
 * is kept for the next proof, and the one repeat it does is for a 401 `use_dpop_nonce` that
 * brought a nonce (section 9), when the body is none, text or bytes.
 *
 * @example
 * ```ts
 * import { Agent, request } from 'undici';
 * const dispatcher = new Agent().compose(bearerTokenInterceptor({ manager, key: 'service' }));
 * await request('https://api.example.com/api/private', { dispatcher });
 * ```
 */
export function bearerTokenInterceptor(
  options: BearerTokenInterceptorOptions,
): Dispatcher.DispatcherComposeInterceptor {
  const { manager, key, ...tokenOptions } = options;
  if (typeof key !== 'string' || key === '')
    throw new TypeError('"key" must be a non-empty string');
  return (dispatch) => (dispatchOptions, handler) => {
    const fail = (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      // No controller exists before the request starts; undici's dns interceptor passes null
      // in the same place.
      // @ts-expect-error: DispatchController is not nullable in undici's types.
      handler.onResponseError?.(null, failure);
    };
    manager.getTokenSet(key, tokenOptions).then((tokens) => {
      const token = tokens.accessToken;
      let request: Dispatcher.DispatchOptions;
      let retryHandler: DpopNonceRetryHandler | undefined;
      try {
        const dpop = dpopHandleFor(manager, tokens);
        if (dpop === undefined) {
          request = {
            ...dispatchOptions,
            headers: withAuthorization(dispatchOptions.headers, `Bearer ${token}`),
          };
        } else {
          const url = new URL(dispatchOptions.path, dispatchOptions.origin);
          const proven = () => ({
            ...dispatchOptions,
            headers: withAuthorization(
              dispatchOptions.headers,
              `DPoP ${token}`,
              dpop.proof(dispatchOptions.method, url, token),
            ),
          });
          request = proven();
          const retry = isReplayable(dispatchOptions.body)
            ? (again: Dispatcher.DispatchHandler) => {
                dispatch(proven(), again);
              }
            : undefined;
          retryHandler = new DpopNonceRetryHandler({ handler, dpop, url, retry });
        }
      } catch (error) {
        fail(error);
        return;
      }
      dispatch(request, retryHandler ?? handler);
    }, fail);
    return true;
  };
}
