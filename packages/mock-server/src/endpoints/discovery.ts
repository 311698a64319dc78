import { jsonResponse, type HttpResponse } from '../http-io.js';
import type { ServerState } from '../server-state.js';

/**
 * `GET /.well-known/openid-configuration`, with the members MOCK-SERVER.md lists. Endpoints are
 * built from the issuer, as Auth0's are. There is no `grant_types_supported`: Auth0 publishes none.
 */
export function discoveryEndpoint(state: ServerState): HttpResponse {
  const { issuer } = state;
  return jsonResponse(200, {
    issuer,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: state.userinfoUrl,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    mfa_challenge_endpoint: `${issuer}mfa/challenge`,
    scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    id_token_signing_alg_values_supported: state.keys.algorithms(),
    subject_types_supported: ['public'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'iat',
      'exp',
      'name',
      'nickname',
      'picture',
      'email',
      'email_verified',
    ],
  });
}

/** `GET /.well-known/jwks.json`: every published key. */
export function jwksEndpoint(state: ServerState): HttpResponse {
  return jsonResponse(200, state.keys.jwks());
}
