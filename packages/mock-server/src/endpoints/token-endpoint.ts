import { Auth0Errors } from '../auth0-errors.js';
import { authenticateClient, type AuthenticatedClient } from '../client-authentication.js';
import { signerOfAccessToken } from '../access-token-keys.js';
import { wrongDpopBinding } from '../dpop-binding-fault.js';
import { mfaOobGrant, mfaOtpGrant, mfaRecoveryCodeGrant } from '../grants/mfa-grants.js';
import { passwordGrant } from '../grants/password-grant.js';
import { refreshTokenGrant } from '../grants/refresh-token-grant.js';
import type { GrantHandler } from '../grants/grant-context.js';
import { TOKEN_ENDPOINT } from '../fault-queue.js';
import { GrantType } from '../grant-types.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { defectiveIdToken } from '../id-token-defects.js';
import type { ResolvedClient } from '../resolved-config.js';
import { OAuthError } from '../oauth-error.js';
import type { ServerState } from '../server-state.js';
import { forwardedClientCertificate } from './client-certificate-header.js';
import { authorizationServerProof, dpopNonceHeader } from './dpop-header.js';
import { header, type EndpointRequest } from './endpoint-request.js';

/** The grants this mock implements: Auth0's Resource Owner Password family. */
const GRANT_HANDLERS: ReadonlyMap<string, GrantHandler> = new Map([
  [GrantType.password, passwordGrant],
  [GrantType.passwordRealm, passwordGrant],
  [GrantType.refreshToken, refreshTokenGrant],
  [GrantType.mfaOtp, mfaOtpGrant],
  [GrantType.mfaOob, mfaOobGrant],
  [GrantType.mfaRecoveryCode, mfaRecoveryCodeGrant],
]);

/** RFC 6749 section 5.1: token responses must not be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * The end user's IP. `auth0-forwarded-for` counts only from a client that authenticated with its
 * secret and has "Trust Token Endpoint IP Header" on (Auth0, "Avoid Common Issues with Resource
 * Owner Password Flow and Attack Protection"); otherwise the socket's peer counts.
 */
function endUserIp(
  request: EndpointRequest,
  authenticated: AuthenticatedClient | undefined,
): string {
  const forwardedFor = header(request, 'auth0-forwarded-for')?.trim();
  if (
    forwardedFor !== undefined &&
    forwardedFor !== '' &&
    authenticated?.usedSecret === true &&
    authenticated.client.trustForwardedFor
  ) {
    return forwardedFor;
  }
  return request.peerIp;
}

/**
 * Spoils the ID token of a successful answer when an `id-token` fault is queued. The grant has run
 * in full by then (refresh tokens stored, codes spent): only the `id_token` string changes. An
 * answer without an ID token leaves the fault queued for the next one that has one.
 */
async function applyIdTokenFault(
  state: ServerState,
  client: ResolvedClient,
  body: Record<string, unknown>,
): Promise<boolean> {
  const idToken = body['id_token'];
  if (typeof idToken !== 'string') return false;
  const fault = state.faults.takeIdTokenFault(TOKEN_ENDPOINT);
  if (fault === undefined) return false;
  body['id_token'] = await defectiveIdToken(fault.defect, {
    idToken,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    issuer: state.issuer,
    key: state.keys.current,
  });
  return true;
}

/**
 * Gives a DPoP-bound access token a `cnf.jkt` of another key when a `dpop-binding` fault is
 * queued: for testing that a resource server compares the binding with the proof's key (RFC 9449
 * section 7.1). Like an `id-token` fault it is taken by the answer: answers with a Bearer token
 * leave it queued.
 */
async function applyDpopBindingFault(
  state: ServerState,
  body: Record<string, unknown>,
): Promise<boolean> {
  const accessToken = body['access_token'];
  if (body['token_type'] !== 'DPoP' || typeof accessToken !== 'string') return false;
  if (state.faults.takeDpopBindingFault(TOKEN_ENDPOINT) === undefined) return false;
  body['access_token'] = await wrongDpopBinding(
    accessToken,
    signerOfAccessToken(state, accessToken),
  );
  return true;
}

/**
 * `POST /oauth/token`. A `DPoP` header is checked once the client is known and allowed the grant,
 * before the grant runs (RFC 9449 section 4.3), and binds the tokens as the client and the API
 * say (`accessTokenBinding`); with `dpop.requireNonce`, every answer carries a fresh `DPoP-Nonce`
 * (section 8.2).
 */
export async function tokenEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  let headers: Record<string, string> = { ...NO_STORE, ...dpopNonceHeader(state) };
  try {
    const parameters = request.parameters();
    let authenticated: AuthenticatedClient | undefined;
    let authenticationError: unknown;
    try {
      authenticated = authenticateClient(
        parameters,
        header(request, 'authorization'),
        state.directory,
        state.tenant.compatibility,
      );
    } catch (error) {
      authenticationError = error;
    }
    const ip = endUserIp(request, authenticated);
    if (state.rateLimiter !== undefined) {
      // Counted before the grant is checked, so the X-RateLimit-* headers come with its errors too.
      const verdict = state.rateLimiter.consume(ip);
      headers = { ...headers, ...verdict.headers };
      if (verdict.retryAfter !== undefined) throw Auth0Errors.rateLimitExceeded(verdict.retryAfter);
    }
    const grantType = parameters.get('grant_type');
    if (grantType === undefined || grantType === '')
      throw Auth0Errors.missingParameter('grant_type');
    const handler = GRANT_HANDLERS.get(grantType);
    if (handler === undefined) throw Auth0Errors.unsupportedGrantType();
    if (authenticated === undefined) throw authenticationError;
    if (!authenticated.client.grantTypes.includes(grantType)) {
      throw Auth0Errors.unauthorizedClient(grantType);
    }
    const dpop = await authorizationServerProof(state, request);
    // RFC 8705 section 3: the certificate matters only to a client whose tokens are bound to it.
    const certificate = authenticated.client.tlsClientCertificateBoundAccessTokens
      ? forwardedClientCertificate(state, request)
      : undefined;
    const body = await handler({
      state,
      parameters,
      client: authenticated.client,
      grantType,
      endUserIp: ip,
      dpop,
      certificate,
    });
    const spoiled = await applyIdTokenFault(state, authenticated.client, body);
    const rebound = await applyDpopBindingFault(state, body);
    const response = jsonResponse(200, body, headers);
    if (spoiled) response.fault = 'id-token';
    else if (rebound) response.fault = 'dpop-binding';
    return response;
  } catch (error) {
    if (error instanceof OAuthError) {
      return jsonResponse(error.status, error.body(), { ...headers, ...error.headers });
    }
    throw error;
  }
}
