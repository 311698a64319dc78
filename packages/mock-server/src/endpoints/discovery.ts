import { DPOP_SIGNING_ALGORITHMS } from '../dpop-proof.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import type { ServerState } from '../server-state.js';

/**
 * The response types Auth0's discovery document lists. OpenID Connect Discovery 1.0 section 3
 * requires `response_types_supported` (with `authorization_endpoint`), so the mock publishes
 * Auth0's list even though its `/authorize` only answers `501` (see {@link authorizeEndpoint}).
 */
const AUTH0_RESPONSE_TYPES = [
  'code',
  'token',
  'id_token',
  'code token',
  'code id_token',
  'token id_token',
  'code token id_token',
] as const;

/**
 * `GET /.well-known/openid-configuration`, with the members MOCK-SERVER.md lists and every member
 * OpenID Connect Discovery 1.0 section 3 marks REQUIRED (`issuer`, `authorization_endpoint`,
 * `jwks_uri`, `response_types_supported`, `subject_types_supported`,
 * `id_token_signing_alg_values_supported`). Endpoints are built from the issuer, as Auth0's are.
 * There is no `grant_types_supported`: Auth0 publishes none. `dpop_signing_alg_values_supported`
 * (RFC 9449 section 5.1) lists the algorithms a DPoP proof may use. Each of the tenant's names (the
 * tenant domain, a custom domain) serves its own document, under its own issuer.
 */
export function discoveryEndpoint(state: ServerState): HttpResponse {
  const { issuer } = state;
  return jsonResponse(200, {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: state.userinfoUrl,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    mfa_challenge_endpoint: `${issuer}mfa/challenge`,
    scopes_supported: ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'],
    response_types_supported: [...AUTH0_RESPONSE_TYPES],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    id_token_signing_alg_values_supported: state.keys.algorithms(),
    subject_types_supported: ['public'],
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'iat',
      'exp',
      'name',
      'nickname',
      'picture',
      'updated_at',
      'email',
      'email_verified',
    ],
  });
}

/** `GET /.well-known/jwks.json`: every published key. */
export function jwksEndpoint(state: ServerState): HttpResponse {
  return jsonResponse(200, state.keys.jwks());
}

/**
 * `/authorize`: published in discovery (OpenID Connect Discovery requires it) but not implemented,
 * since the mock serves the Resource Owner Password flow only. A clear `501` rather than a `404`,
 * so a test that follows discovery to it learns why.
 */
export function authorizeEndpoint(): HttpResponse {
  return jsonResponse(501, {
    error: 'not_implemented',
    error_description:
      '@ropkit/mock-server has no /authorize: it serves the Resource Owner Password flow (POST /oauth/token) only',
  });
}
