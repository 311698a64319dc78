import { StepUpFailedError, StepUpRequiredError } from '../client/step-up-challenge.js';
import {
  IdTokenError,
  ReauthenticationRequiredError,
  TokenError,
  UserinfoError,
} from '../client/token-errors.js';
import { BearerError } from '../errors.js';

/** A complete HTTP answer: what every adapter writes, byte for byte. */
export interface HttpAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The exact body bytes (JSON), `''` for none. */
  body: string;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // An answer about credentials must not be cached (RFC 9111 section 5.2.2.5).
  'cache-control': 'no-store',
} as const;

/**
 * The one rendering of a {@link BearerError} shared by all adapters, so that for the same input
 * Express, Koa and Fastify answer the same status, `WWW-Authenticate` and body:
 * `{"error":"invalid_token","error_description":"..."}` as `application/json; charset=utf-8`,
 * with `Cache-Control: no-store`, and the error's own headers (a `DPoP-Nonce`, RFC 9449 section 9).
 */
export function renderBearerError(error: BearerError): HttpAnswer {
  const headers: Record<string, string> = { ...JSON_HEADERS };
  for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value;
  return { status: error.status, headers, body: JSON.stringify(error.body) };
}

/**
 * The answer to any error ropkit knows how to answer, or `undefined` for the others (they go to
 * the framework's own error handling):
 * - a {@link BearerError}: see {@link renderBearerError};
 * - a {@link ReauthenticationRequiredError} from `accessToken()`, `apiFetch()`, `identity()` or
 *   `userinfo()` (no one is signed in on the session, or its refresh token stopped working), or
 *   an {@link IdTokenError} `subject_changed` (a refresh answered another user, and the session's
 *   tokens were forgotten): 401 `{"error":"login_required","error_description":"Sign in to
 *   continue"}`, never a 500. There is no `WWW-Authenticate`: a session cookie has no registered
 *   HTTP authentication scheme to challenge with (RFC 9110 section 11.6.1);
 * - a {@link StepUpRequiredError} from `apiFetch()` (the API asked for a stronger or more recent
 *   sign-in, RFC 9470): 401 `login_required` as well, with its own description and the API's
 *   requirement as `acr_values` (space-separated) and `max_age` (seconds) when it named them: a
 *   page that sends the user to sign in again on `login_required` does the right thing;
 * - a {@link StepUpFailedError} (the API still refused right after a step-up sign-in): 403
 *   `{"error":"insufficient_user_authentication",...}`; the user stays signed in;
 * - another {@link IdTokenError} (a refresh answered an ID token that failed validation; the
 *   session keeps its tokens): 502 `{"error":"invalid_id_token",...}` (RFC 9110 section 15.6.3),
 *   or, when the issuer's key set could not be fetched, 503 as below;
 * - a {@link UserinfoError} other than unavailability (`/userinfo` refused the access token, or
 *   answered something unusable): 502 `{"error":"userinfo_failed",...}`;
 * - another {@link TokenError} (the authorization server failed or did not answer while a refresh
 *   was due, `/userinfo` was unavailable or rate-limited): 503 `temporarily_unavailable`, with
 *   `Retry-After` when the server said how long to wait; the session stays signed in.
 *
 * Descriptions are fixed sentences: never a token, a claim value or the server's text.
 */
export function renderError(error: unknown): HttpAnswer | undefined {
  if (error instanceof BearerError) return renderBearerError(error);
  if (error instanceof StepUpRequiredError) {
    return {
      status: 401,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({
        error: 'login_required',
        error_description:
          'Sign in again to continue: this needs a stronger or more recent sign-in',
        ...(error.acrValues.length === 0 ? {} : { acr_values: error.acrValues.join(' ') }),
        ...(error.maxAge === undefined ? {} : { max_age: error.maxAge }),
      }),
    };
  }
  if (error instanceof StepUpFailedError) {
    return {
      status: 403,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({
        error: 'insufficient_user_authentication',
        error_description: 'Signing in again did not give this action the authentication it needs',
      }),
    };
  }
  if (
    error instanceof ReauthenticationRequiredError ||
    (error instanceof IdTokenError && error.reason === 'subject_changed')
  ) {
    return {
      status: 401,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ error: 'login_required', error_description: 'Sign in to continue' }),
    };
  }
  if (error instanceof IdTokenError && error.reason !== 'key_set_unavailable') {
    return badGateway(
      'invalid_id_token',
      'The sign-in service answered an identity that could not be verified',
    );
  }
  if (
    error instanceof UserinfoError &&
    error.reason !== 'unavailable' &&
    error.reason !== 'rate_limited'
  ) {
    return badGateway('userinfo_failed', 'The sign-in service did not answer the user profile');
  }
  if (error instanceof TokenError) {
    const retryAfter: unknown = Reflect.get(error, 'retryAfter');
    return {
      status: 503,
      headers: {
        ...JSON_HEADERS,
        ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
      },
      body: JSON.stringify({
        error: 'temporarily_unavailable',
        error_description: 'The sign-in service is unavailable: try again later',
      }),
    };
  }
  return undefined;
}

/** 502 (RFC 9110 section 15.6.3): the authorization server's answer could not be used. */
function badGateway(error: string, description: string): HttpAnswer {
  return {
    status: 502,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify({ error, error_description: description }),
  };
}
