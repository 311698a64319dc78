import {
  fetch,
  type Dispatcher,
  type RequestInit as UndiciRequestInit,
  type Response as UndiciResponse,
} from 'undici';
import type { TokenManager } from './token-manager.js';

/** Options of {@link createAuthorizedFetch}. */
export interface AuthorizedFetchOptions {
  /** The manager holding the tokens. */
  manager: TokenManager;
  /** The key whose tokens to use (a session id, a service account name). */
  key: string;
  /** The end user's IP, passed on to refreshes as `auth0-forwarded-for`. */
  forwardedFor?: string;
  /** undici dispatcher for the API calls. Default: undici's global one. */
  dispatcher?: Dispatcher;
}

/**
 * The `fetch` that {@link createAuthorizedFetch} returns, typed with the global fetch types (what
 * application code has in scope); undici is the implementation.
 */
export type AuthorizedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** RFC 9110 section 15.3.5 and 15.4.5: statuses whose answer has no content. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * The request for undici's own `fetch`. It takes the same bodies as the global one, but knows
 * only its own `FormData`: a global `FormData` or `Blob` is encoded by a global `Response` first
 * (its multipart boundary goes into `Content-Type`).
 */
function toUndiciInit(init: RequestInit, headers: Headers): UndiciRequestInit {
  let { body } = init;
  if (body instanceof FormData || body instanceof Blob) {
    const encoded = new Response(body);
    const type = encoded.headers.get('content-type');
    if (type !== null && !headers.has('content-type')) headers.set('content-type', type);
    body = encoded.body;
  }
  // A stream body is sent as it comes (WHATWG fetch: `duplex: 'half'` is required for it).
  const duplex = body instanceof ReadableStream ? { duplex: 'half' } : {};
  const prepared = { ...init, body, headers: Object.fromEntries(headers), ...duplex };
  // The global and undici's RequestInit describe the same runtime shapes (Node's fetch is
  // undici); their declarations differ only by the undici version behind them.
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion
  return prepared as UndiciRequestInit;
}

/** undici's answer as a global `Response`, the type callers have (the body streams through). */
function toGlobalResponse(answer: UndiciResponse): Response {
  return new Response(NULL_BODY.has(answer.status) ? null : answer.body, {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
  });
}

/** RFC 9110 section 9.2.2: methods whose repetition has the same effect as one request. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/**
 * The error code of a Bearer challenge (RFC 6750 section 3), e.g. `invalid_token`, or
 * `undefined` when the header has none.
 */
export function bearerChallengeError(wwwAuthenticate: string | null): string | undefined {
  if (wwwAuthenticate === null) return undefined;
  const match = /(?:^|[\s,])error="([^"]*)"/i.exec(wwwAuthenticate);
  return match?.[1];
}

/**
 * A `fetch` bound to one key's tokens: it sends `Authorization: Bearer <access token>` (RFC 6750
 * section 2.1), refreshing first when due. When the API answers 401 with `error="invalid_token"`
 * (RFC 6750 section 3.1: the token was revoked or rotated out early), an idempotent request with
 * a replayable body is repeated once, with a fresh token: the manager refreshes only if the
 * refused token is still the stored one ({@link TokenManager.refreshIfCurrent}); if another call
 * has replaced it meanwhile, the repeat uses the current token and nothing is refreshed. So ten
 * calls refused one after the other cause one refresh, not ten. `insufficient_scope` (403) is
 * returned as it is: more refreshing cannot grant a scope.
 *
 * @example
 * ```ts
 * const api = createAuthorizedFetch({ manager, key: sessionId });
 * const response = await api('https://api.example.com/api/private');
 * ```
 */
export function createAuthorizedFetch(options: AuthorizedFetchOptions): AuthorizedFetch {
  const { manager, key, forwardedFor, dispatcher } = options;
  if (typeof key !== 'string' || key === '')
    throw new TypeError('"key" must be a non-empty string');
  const tokenOptions = forwardedFor === undefined ? {} : { forwardedFor };

  const send = async (input: string | URL, init: RequestInit, token: string): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    const answer = await fetch(input, {
      ...toUndiciInit(init, headers),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    return toGlobalResponse(answer);
  };

  return async (input, init = {}) => {
    const token = await manager.getAccessToken(key, tokenOptions);
    const response = await send(input, init, token);
    const method = (init.method ?? 'GET').toUpperCase();
    const replayable =
      init.body === undefined || init.body === null || typeof init.body === 'string';
    if (
      response.status !== 401 ||
      bearerChallengeError(response.headers.get('www-authenticate')) !== 'invalid_token' ||
      !IDEMPOTENT.has(method) ||
      !replayable
    ) {
      return response;
    }
    await response.body?.cancel();
    // Only the token this request sent is known to be refused: refresh only if it is still the
    // stored one, else repeat with the one that replaced it. One repeat at most, whatever it gets.
    const next = await manager.refreshIfCurrent(key, token, tokenOptions);
    return send(input, init, next.accessToken);
  };
}
