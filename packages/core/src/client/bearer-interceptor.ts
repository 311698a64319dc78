import type { Dispatcher } from 'undici';
import type { GetAccessTokenOptions, TokenManager } from './token-manager.js';

/** Options of {@link bearerTokenInterceptor}. */
export interface BearerTokenInterceptorOptions extends GetAccessTokenOptions {
  manager: TokenManager;
  /** The key whose tokens to send. */
  key: string;
}

type DispatchHeaders = Dispatcher.DispatchOptions['headers'];

/**
 * Replaces any Authorization header with `Bearer <token>` (RFC 6750 section 2.1), whatever
 * form undici was given the headers in (object, flat array, or iterable of pairs).
 */
function withAuthorization(
  headers: DispatchHeaders,
  value: string,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  const add = (name: unknown, headerValue: unknown) => {
    if (typeof name !== 'string' || name.toLowerCase() === 'authorization') return;
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
  return result;
}

/**
 * An undici interceptor that sends the key's access token on every request, refreshing first
 * when due: `new Agent().compose(bearerTokenInterceptor({ manager, key }))`. It does not repeat
 * requests; {@link createAuthorizedFetch} adds the refresh-and-retry on `invalid_token`.
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
    manager.getAccessToken(key, tokenOptions).then(
      (token) => {
        dispatch(
          {
            ...dispatchOptions,
            headers: withAuthorization(dispatchOptions.headers, `Bearer ${token}`),
          },
          handler,
        );
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        // No controller exists before the request starts; undici's dns interceptor passes null
        // in the same place.
        // @ts-expect-error: DispatchController is not nullable in undici's types.
        handler.onResponseError?.(null, failure);
      },
    );
    return true;
  };
}
