import { isRecord } from '../http/is-record.js';
import { deepFreeze } from '../validation/compact-jws.js';
import { mistypedClaim, type UserinfoClaims } from './oidc-claims.js';
import type { EndpointResponse } from './token-endpoint-request.js';
import {
  InvalidTokenResponseError,
  TokenRequestError,
  UserinfoError,
  type UserinfoErrorReason,
} from './token-errors.js';

/**
 * Reads a UserInfo answer (OpenID Connect Core 1.0 section 5.3.2): a 200 with a JSON object whose
 * `sub` is a non-empty string, the standard claims of their types. A signed or encrypted answer
 * (`application/jwt`) is not accepted: Auth0 answers JSON.
 *
 * @throws {UserinfoError} for any other answer; see {@link userinfoFailure}.
 */
export function processUserinfoResponse(response: EndpointResponse, url: URL): UserinfoClaims {
  const { status, body, retryAfter } = response;
  if (status !== 200) throw userinfoFailure(url, status, retryAfter);
  if (!isRecord(body) || !isUserinfoClaims(body)) {
    throw new UserinfoError(
      'invalid_response',
      `GET ${url.href} did not answer a JSON object with a "sub" (OpenID Connect Core 1.0 section 5.3.2)`,
      { status },
    );
  }
  const mistyped = mistypedClaim(body);
  if (mistyped !== undefined) {
    throw new UserinfoError(
      'invalid_response',
      `GET ${url.href} answered a "${mistyped}" claim that is not of the type OpenID Connect gives it`,
      { status },
    );
  }
  return deepFreeze(body);
}

/** A JSON object with a non-empty string `sub`: what {@link UserinfoClaims} promises first. */
function isUserinfoClaims(body: Record<string, unknown>): body is UserinfoClaims {
  return typeof body['sub'] === 'string' && body['sub'] !== '';
}

/**
 * The {@link UserinfoError} a failed request stands for: a status that is not 200 (Auth0 answers
 * a refused token with a plain-text 401, which the request helper reports as a non-JSON answer),
 * a network failure or timeout, a redirect. Other errors are returned as they are.
 */
export function userinfoRequestFailure(url: URL, error: unknown): unknown {
  if (error instanceof InvalidTokenResponseError) {
    return userinfoFailure(url, error.status, error.retryAfter, error);
  }
  if (error instanceof TokenRequestError) {
    const reason: UserinfoErrorReason =
      error.reason === 'redirect' ? 'invalid_response' : 'unavailable';
    return new UserinfoError(reason, `GET ${url.href} failed (${error.reason})`, {
      cause: error,
      status: error.status,
    });
  }
  return error;
}

/** The error of an answer with `status`, whatever its body. */
function userinfoFailure(
  url: URL,
  status: number,
  retryAfter: number | undefined,
  cause?: unknown,
): UserinfoError {
  const init = { status, retryAfter, ...(cause === undefined ? {} : { cause }) };
  if (status === 401) {
    return new UserinfoError(
      'unauthorized',
      `GET ${url.href} refused the access token (HTTP 401): the token needs the audience ` +
        `${url.href}, which Auth0 adds when the grant's scope includes "openid" (beside your ` +
        'API audience); an expired or revoked token is refused too',
      init,
    );
  }
  const reason: UserinfoErrorReason =
    status === 403
      ? 'forbidden'
      : status === 429
        ? 'rate_limited'
        : status >= 500
          ? 'unavailable'
          : 'invalid_response';
  return new UserinfoError(reason, `GET ${url.href} answered HTTP ${status}`, init);
}
