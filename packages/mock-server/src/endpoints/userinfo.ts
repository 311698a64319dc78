import { errors, jwtVerify, type JWTPayload } from 'jose';
import { Auth0Errors } from '../auth0-errors.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { parseScope, profileClaims } from '../scopes.js';
import type { ServerState } from '../server-state.js';
import { bearerToken, type EndpointRequest } from './endpoint-request.js';

/**
 * Auth0 answers a bad token with a plain `401 Unauthorized` and an RFC 6750 section 3 challenge in
 * realm "Users", as observed for an expired token: `Bearer realm="Users", error="invalid_token",
 * error_description="The token has expired"` (auth0/react-native-auth0#241). No error code when no
 * token was sent (section 3.1); for other bad tokens Auth0's description is not known, so none.
 */
function unauthorized(problem: 'missing' | 'expired' | 'invalid'): HttpResponse {
  const challenge =
    problem === 'missing'
      ? 'Bearer realm="Users"'
      : problem === 'expired'
        ? 'Bearer realm="Users", error="invalid_token", error_description="The token has expired"'
        : 'Bearer realm="Users", error="invalid_token"';
  return {
    status: 401,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': challenge },
    body: 'Unauthorized',
  };
}

/**
 * `GET /userinfo` (also `POST`, OIDC Core section 5.3.1): for an access token whose audience
 * includes `https://TENANT/userinfo`, which Auth0 adds to an API's token when `openid` was granted
 * (a token without an API has it anyway). Returns `sub` and the claims the token's scopes allow
 * (OIDC Core section 5.4), or `{}` without `openid`. With `userinfoRateLimit`, answers carry
 * `X-RateLimit-*` and a user over the limit gets `429 too_many_requests` with `Retry-After`.
 */
export async function userinfoEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  const token = bearerToken(request);
  if (token === undefined) return unauthorized('missing');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, state.keys.keySet(), {
      issuer: state.issuer,
      audience: state.userinfoUrl,
      algorithms: state.keys.algorithms(),
      currentDate: new Date(state.clock.nowMs()),
    }));
  } catch (error) {
    return unauthorized(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
  const userId =
    payload.sub?.startsWith('auth0|') === true ? payload.sub.slice('auth0|'.length) : '';
  const found = state.directory.findUserById(userId);
  if (found === undefined || found.user.blocked) return unauthorized('invalid');
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
  // A token for /userinfo alone (no audience) granted without `openid`: Auth0 answers 200 with an
  // empty object ("Troubleshooting Issues with the /userinfo Endpoint"), not even `sub`. OIDC Core
  // section 5.3.2 wants `sub` in every UserInfo response, so OIDC clients refuse that answer.
  if (!scopes.includes('openid')) return jsonResponse(200, {}, headers);
  return jsonResponse(
    200,
    { sub: payload.sub, ...profileClaims(found.user, scopes, state.profileSettings) },
    headers,
  );
}
