import {
  fetch,
  type Dispatcher,
  type RequestInit as UndiciRequestInit,
  type Response as UndiciResponse,
} from 'undici';
import type { DpopHandle } from '../dpop/dpop-handle.js';
import { optionalBoolean } from '../option-checks.js';
import { challengeError } from './auth-challenges.js';
import { readStepUpChallenge, StepUpRequiredError } from './step-up-challenge.js';
import type { TokenManager } from './token-manager.js';
import type { TokenSet } from './token-set.js';

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
  /**
   * Step-up (RFC 9470): when the API answers 401 `insufficient_user_authentication`, reject with
   * a {@link StepUpRequiredError} carrying its `acr_values` and `max_age`, for the user to sign
   * in again with them. `false`: that answer is returned as it is. Default `true`.
   */
  stepUp?: boolean;
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
 * The method as fetch sends it (WHATWG Fetch "normalize a method"): `DELETE`, `GET`, `HEAD`,
 * `OPTIONS`, `POST` and `PUT` in upper case whatever their case, any other as given. A DPoP
 * proof's `htm` must be what goes on the wire.
 */
function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  const upper = method.toUpperCase();
  return ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(upper) ? upper : method;
}

/**
 * True for a body fetch can send again as it is: none, text, form parameters, bytes, a blob or
 * form data (encoded anew each time); a stream is read once.
 */
function isReplayable(body: RequestInit['body']): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

/**
 * The DPoP handle a DPoP-bound token set is sent with: the manager's client's.
 *
 * @throws {TypeError} the set is DPoP-bound and the client has no `dpop` option.
 */
export function dpopHandleFor(manager: TokenManager, tokens: TokenSet): DpopHandle | undefined {
  if (tokens.tokenType !== 'DPoP') return undefined;
  const handle = manager.client.dpop;
  if (handle === undefined) {
    throw new TypeError(
      'The stored tokens are DPoP-bound (token_type DPoP), but the token client has no DPoP key: give it the same "dpop" option (the same privateKey) as the instance that signed in',
    );
  }
  return handle;
}

/**
 * A `fetch` bound to one key's tokens: it sends `Authorization: Bearer <access token>` (RFC 6750
 * section 2.1), refreshing first when due. A DPoP-bound token (`tokenType: 'DPoP'`, the token
 * client's `dpop` option) goes as `Authorization: DPoP <access token>` with a new `DPoP` proof of
 * the request's method and URL and the token's hash (RFC 9449 section 7.1); the API's
 * `DPoP-Nonce` is kept for the next proof, and a 401 `use_dpop_nonce` (section 9) that brought
 * one is sent again once with it, when the body can be sent again (the API did not process it). When the API answers 401 with `error="invalid_token"`
 * (RFC 6750 section 3.1: the token was revoked or rotated out early), an idempotent request with
 * a replayable body is repeated once, with a fresh token: the manager refreshes only if the
 * refused token is still the stored one ({@link TokenManager.refreshIfCurrent}); if another call
 * has replaced it meanwhile, the repeat uses the current token and nothing is refreshed. So ten
 * calls refused one after the other cause one refresh, not ten. `insufficient_scope` (403) is
 * returned as it is: more refreshing cannot grant a scope.
 *
 * A 401 whose challenge (of the scheme the token was sent with) is
 * `insufficient_user_authentication` (RFC 9470 section 3) is neither repeated nor returned: it
 * rejects with a {@link StepUpRequiredError} carrying the challenge's `acrValues` and `maxAge`
 * (read strictly, see {@link readStepUpChallenge}; a malformed challenge is returned as it is),
 * since no refresh can make the user's authentication stronger (option `stepUp`).
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
  const stepUp = optionalBoolean(options.stepUp, 'stepUp', true);
  const tokenOptions = forwardedFor === undefined ? {} : { forwardedFor };

  /** The answer, unless it is a step-up challenge (RFC 9470): then a {@link StepUpRequiredError}. */
  const unlessStepUp = async (response: Response, tokens: TokenSet): Promise<Response> => {
    if (!stepUp || response.status !== 401) return response;
    const challenge = readStepUpChallenge(
      response.headers.get('www-authenticate'),
      tokens.tokenType,
    );
    if (challenge === undefined) return response;
    await response.body?.cancel();
    throw new StepUpRequiredError(challenge);
  };

  const sendOnce = async (
    input: string | URL,
    init: RequestInit,
    tokens: TokenSet,
    dpop: DpopHandle | undefined,
  ): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (dpop === undefined) {
      headers.set('authorization', `Bearer ${tokens.accessToken}`);
    } else {
      headers.set('authorization', `DPoP ${tokens.accessToken}`);
      headers.set('dpop', dpop.proof(normalizeMethod(init.method), input, tokens.accessToken));
    }
    const answer = await fetch(input, {
      ...toUndiciInit(init, headers),
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    return toGlobalResponse(answer);
  };

  /** One request, and with a DPoP-bound token, its one repeat for the API's nonce. */
  const send = async (input: string | URL, init: RequestInit, tokens: TokenSet) => {
    const dpop = dpopHandleFor(manager, tokens);
    const response = await sendOnce(input, init, tokens, dpop);
    if (dpop === undefined) return response;
    const nonce = dpop.rememberNonce(input, response.headers);
    if (
      response.status !== 401 ||
      nonce === undefined ||
      challengeError(response.headers.get('www-authenticate'), 'DPoP') !== 'use_dpop_nonce' ||
      !isReplayable(init.body)
    ) {
      return response;
    }
    await response.body?.cancel();
    const retried = await sendOnce(input, init, tokens, dpop);
    dpop.rememberNonce(input, retried.headers);
    return retried;
  };

  return async (input, init = {}) => {
    const tokens = await manager.getTokenSet(key, tokenOptions);
    const response = await unlessStepUp(await send(input, init, tokens), tokens);
    const method = (init.method ?? 'GET').toUpperCase();
    const replayable =
      init.body === undefined || init.body === null || typeof init.body === 'string';
    const challenge = response.headers.get('www-authenticate');
    const error =
      tokens.tokenType === 'DPoP'
        ? (challengeError(challenge, 'DPoP') ?? bearerChallengeError(challenge))
        : bearerChallengeError(challenge);
    if (
      response.status !== 401 ||
      error !== 'invalid_token' ||
      !IDEMPOTENT.has(method) ||
      !replayable
    ) {
      return response;
    }
    await response.body?.cancel();
    // Only the token this request sent is known to be refused: refresh only if it is still the
    // stored one, else repeat with the one that replaced it. One repeat at most, whatever it gets.
    const next = await manager.refreshIfCurrent(key, tokens.accessToken, tokenOptions);
    return unlessStepUp(await send(input, init, next), next);
  };
}
