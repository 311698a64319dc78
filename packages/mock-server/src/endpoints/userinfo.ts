import { errors, jwtVerify, type JWTPayload } from 'jose';
import { Auth0Errors } from '../auth0-errors.js';
import { DPOP_SIGNING_ALGORITHMS, DpopProofError } from '../dpop-proof.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { parseScope, profileClaims } from '../scopes.js';
import type { ServerState } from '../server-state.js';
import { OAuthError } from '../oauth-error.js';
import { forwardedClientCertificate } from './client-certificate-header.js';
import { requestDpopProof } from './dpop-header.js';
import { bearerToken, header, type EndpointRequest } from './endpoint-request.js';

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
 * The `DPoP` challenge of RFC 9449 section 7.1, in Auth0's realm, with the algorithms a proof may
 * use; `error` says what failed: `invalid_dpop_proof` (the proof), `invalid_token` (the token or
 * its binding). Fixed texts: nothing from the request.
 */
function dpopUnauthorized(error: 'invalid_dpop_proof' | 'invalid_token'): HttpResponse {
  return {
    status: 401,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'www-authenticate': `DPoP realm="Users", error="${error}", algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"`,
    },
    body: 'Unauthorized',
  };
}

/** The token of `Authorization: DPoP <token>` (RFC 9449 section 7.1), if any. */
function dpopToken(request: EndpointRequest): string | undefined {
  const match = /^DPoP +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

/**
 * Checks the sender constraint of a verified token (RFC 9449 section 7): a DPoP-bound token
 * (`cnf.jkt`) must come with the `DPoP` scheme and a proof of its key, whose `ath` is the token's
 * hash; a Bearer token must not come with the `DPoP` scheme. Returns the refusal, if any.
 */
async function senderConstraintProblem(
  state: ServerState,
  request: EndpointRequest,
  token: string,
  scheme: 'Bearer' | 'DPoP',
  payload: JWTPayload,
): Promise<HttpResponse | undefined> {
  const cnf = payload['cnf'];
  const bound =
    typeof cnf === 'object' && cnf !== null && 'jkt' in cnf && typeof cnf.jkt === 'string'
      ? cnf.jkt
      : undefined;
  // Section 7.2: a DPoP-bound token sent as a Bearer token is refused.
  if (scheme === 'Bearer') return bound === undefined ? undefined : unauthorized('invalid');
  if (bound === undefined) return dpopUnauthorized('invalid_token');
  let proof;
  try {
    proof = await requestDpopProof(state, request, { nonce: false, accessToken: token });
  } catch (error) {
    if (error instanceof DpopProofError) return dpopUnauthorized('invalid_dpop_proof');
    throw error;
  }
  if (proof === undefined) return dpopUnauthorized('invalid_dpop_proof');
  // Section 7.1: the key of the proof is the key the token is bound to.
  return proof.jkt === bound ? undefined : dpopUnauthorized('invalid_token');
}

/**
 * Whether a certificate-bound token (`cnf["x5t#S256"]`) came with its certificate: RFC 8705 section
 * 3, the protected resource "MUST obtain the client certificate used for mutual TLS" and compare
 * its thumbprint; Auth0 ("Set up Resource Server for Token Binding"): "If the client certificate
 * was not sent, or the thumbprint of the client certificate does not match, the resource server
 * rejects the request using an HTTP 401 status code and an invalid_token error code". The
 * certificate comes as at the token endpoint: forwarded by the edge to the custom domain.
 */
function certificateBindingHolds(
  state: ServerState,
  request: EndpointRequest,
  payload: JWTPayload,
): boolean {
  const cnf = payload['cnf'];
  if (typeof cnf !== 'object' || cnf === null || !('x5t#S256' in cnf)) return true;
  try {
    return forwardedClientCertificate(state, request)?.thumbprint === cnf['x5t#S256'];
  } catch (error) {
    if (error instanceof OAuthError) return false;
    throw error;
  }
}

/**
 * `GET /userinfo` (also `POST`, OIDC Core section 5.3.1): for an access token whose audience
 * includes `https://TENANT/userinfo`, which Auth0 adds to an RS256 API's token when `openid` was
 * granted (a token without an API has it anyway; an HS256 API's token never: `401`, as any token
 * without that audience). Returns `sub` and the claims the token's scopes allow
 * (OIDC Core section 5.4), or `{}` without `openid`. With `userinfoRateLimit`, answers carry
 * `X-RateLimit-*` and a user over the limit gets `429 too_many_requests` with `Retry-After`.
 * A DPoP-bound token is taken with `Authorization: DPoP` and a proof (RFC 9449 section 7), a
 * certificate-bound one with its certificate (RFC 8705 section 3).
 */
export async function userinfoEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  const bearer = bearerToken(request);
  const token = bearer ?? dpopToken(request);
  if (token === undefined) return unauthorized('missing');
  let payload: JWTPayload;
  try {
    // Only the tenant's keys: an HS256 API's token is not for /userinfo (it never has the userinfo
    // audience), so it gets the answer of any token without that audience.
    ({ payload } = await jwtVerify(token, state.keys.keySet(), {
      issuer: state.issuer,
      audience: state.userinfoUrl,
      algorithms: state.keys.algorithms(),
      currentDate: new Date(state.clock.nowMs()),
    }));
  } catch (error) {
    return unauthorized(error instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
  const problem = await senderConstraintProblem(
    state,
    request,
    token,
    bearer === undefined ? 'DPoP' : 'Bearer',
    payload,
  );
  if (problem !== undefined) return problem;
  if (!certificateBindingHolds(state, request, payload)) return unauthorized('invalid');
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
