import { Auth0Errors } from '../auth0-errors.js';
import { authenticateClient } from '../client-authentication.js';
import { requireParameter } from '../grants/grant-context.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { OAuthError } from '../oauth-error.js';
import type { ServerState } from '../server-state.js';
import { authorizationServerProof, dpopNonceHeader } from './dpop-header.js';
import { header, type EndpointRequest } from './endpoint-request.js';

/**
 * `POST /oauth/revoke` (RFC 7009): revokes a refresh token and every token rotated from it. An
 * unknown token is not an error (RFC 7009 section 2.2); another client's token is refused
 * (section 2.1). A `DPoP` header is not needed (RFC 9449 defines none for revocation, and a
 * DPoP-bound refresh token is revoked without one), but one that is sent is checked as at the
 * token endpoint: a bad proof is refused with `invalid_dpop_proof`, and a required nonce is
 * required here too.
 */
export async function revocationEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  const headers = dpopNonceHeader(state);
  try {
    const parameters = request.parameters();
    const { client } = authenticateClient(
      parameters,
      header(request, 'authorization'),
      state.directory,
      state.tenant.compatibility,
    );
    const token = requireParameter(parameters, 'token');
    await authorizationServerProof(state, request);
    if (state.refreshTokens.revoke(token, client.clientId) === 'other-client') {
      throw Auth0Errors.tokenOfAnotherClient();
    }
    return { status: 200, headers, body: '' };
  } catch (error) {
    if (error instanceof OAuthError) {
      return jsonResponse(error.status, error.body(), { ...headers, ...error.headers });
    }
    throw error;
  }
}
