import { jwtVerify, type JWTPayload } from 'jose';
import { Auth0Errors } from '../auth0-errors.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { parseScope, profileClaims } from '../scopes.js';
import type { ServerState } from '../server-state.js';
import { bearerToken, type EndpointRequest } from './endpoint-request.js';

/**
 * Auth0 answers a bad token with a plain `401 Unauthorized`; the challenge follows RFC 6750
 * section 3 (no error code when no token was sent, `invalid_token` otherwise).
 */
function unauthorized(tokenSent: boolean): HttpResponse {
  return {
    status: 401,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'www-authenticate': tokenSent ? 'Bearer error="invalid_token"' : 'Bearer',
    },
    body: 'Unauthorized',
  };
}

/**
 * `GET /userinfo` (also `POST`, OIDC Core section 5.3.1): for an access token whose audience
 * includes `https://TENANT/userinfo`, which Auth0 adds when `openid` was granted. Returns `sub`
 * and the claims the token's scopes allow. With `userinfoRateLimit`, answers carry
 * `X-RateLimit-*` and a user over the limit gets `429 too_many_requests` with `Retry-After`.
 */
export async function userinfoEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  const token = bearerToken(request);
  if (token === undefined) return unauthorized(false);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, state.keys.keySet(), {
      issuer: state.issuer,
      audience: state.userinfoUrl,
      algorithms: state.keys.algorithms(),
      currentDate: new Date(state.clock.nowMs()),
    }));
  } catch {
    return unauthorized(true);
  }
  const userId =
    payload.sub?.startsWith('auth0|') === true ? payload.sub.slice('auth0|'.length) : '';
  const found = state.directory.findUserById(userId);
  if (found === undefined || found.user.blocked) return unauthorized(true);
  let headers: Record<string, string> = {};
  if (state.userinfoRateLimiter !== undefined) {
    // Auth0 limits /userinfo per user ID; a request without a valid token has no user to count.
    const verdict = state.userinfoRateLimiter.consume(found.user.userId);
    headers = { ...verdict.headers };
    if (verdict.retryAfter !== undefined) {
      const error = Auth0Errors.rateLimitExceeded(verdict.retryAfter);
      return jsonResponse(error.status, error.body(), { ...headers, ...error.headers });
    }
  }
  const scopes = parseScope(typeof payload['scope'] === 'string' ? payload['scope'] : undefined);
  return jsonResponse(
    200,
    { sub: payload.sub, ...profileClaims(found.user, scopes, state.profileSettings) },
    headers,
  );
}
