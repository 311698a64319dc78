import { Auth0Errors } from './auth0-errors.js';
import type { CheckedDpopProof } from './dpop-proof.js';
import type { ResolvedApi, ResolvedClient } from './resolved-config.js';

/**
 * Whether a token request's access token is bound to its DPoP proof's key, as Auth0's table in
 * "Configure Sender Constraining" decides it from the audience (an API, or `/userinfo` only), the
 * client's "Require Sender Constraining" and the API's sender-constraining policy:
 *
 * | audience      | client requires | proof | API none   | API allowed | API required |
 * | ------------- | --------------- | ----- | ---------- | ----------- | ------------ |
 * | /userinfo     | no              | no    | Bearer     |             |              |
 * | /userinfo     | no / yes        | yes   | DPoP       |             |              |
 * | /userinfo     | yes             | no    | not issued |             |              |
 * | an API        | no              | no    | Bearer     | Bearer      | not issued   |
 * | an API        | no              | yes   | Bearer     | DPoP        | DPoP         |
 * | an API        | yes             | no    | not issued | not issued  | not issued   |
 * | an API        | yes             | yes   | not issued | DPoP        | DPoP         |
 *
 * Returns the thumbprint for the access token's `cnf.jkt` (RFC 9449 section 6.1), `undefined` for
 * a Bearer token, or throws the refusal ("not issued"; Auth0 documents no error for it, so the
 * mock answers `400 invalid_request` saying why).
 */
export function accessTokenBinding(
  client: ResolvedClient,
  api: ResolvedApi | undefined,
  proof: CheckedDpopProof | undefined,
): string | undefined {
  if (proof === undefined) {
    if (client.requireProofOfPossession) throw Auth0Errors.proofOfPossessionRequired('client');
    if (api?.proofOfPossession === 'required') throw Auth0Errors.proofOfPossessionRequired('api');
    return undefined;
  }
  if (api?.proofOfPossession === 'none') {
    if (client.requireProofOfPossession) {
      throw Auth0Errors.senderConstrainingNotEnabled(api.identifier);
    }
    return undefined;
  }
  return proof.jkt;
}

/**
 * The key a new refresh token is bound to: RFC 9449 section 5, "When an authorization server
 * supporting DPoP issues a refresh token to a public client that presents a valid DPoP proof at
 * the token endpoint, the refresh token MUST be bound to the respective public key." Refresh
 * tokens of confidential clients are not ("they are already sender-constrained with a different
 * existing mechanism": client authentication). The mock binds them when the access token is bound,
 * that is when the answer says `token_type: DPoP`, from which the client learns that the server
 * supports DPoP (section 5).
 */
export function refreshTokenBinding(
  client: ResolvedClient,
  accessTokenJkt: string | undefined,
): string | undefined {
  return client.tokenEndpointAuthMethod === 'none' ? accessTokenJkt : undefined;
}

/**
 * RFC 9449 section 5: "The binding MUST be validated when the refresh token is later presented to
 * get new access tokens", with "a DPoP proof for the same key that was used to obtain the refresh
 * token". The RFC names no error for a missing or other key: the proof itself may be valid, so it
 * is not `invalid_dpop_proof`; the refresh token is what cannot be used, which RFC 6749 section 5.2
 * answers `invalid_grant` (as panva's oidc-provider does, "failed jkt verification").
 */
export function checkRefreshTokenBinding(
  boundJkt: string | undefined,
  proof: CheckedDpopProof | undefined,
): void {
  if (boundJkt === undefined) return;
  if (proof === undefined) throw Auth0Errors.refreshTokenNeedsProof();
  if (proof.jkt !== boundJkt) throw Auth0Errors.refreshTokenOfAnotherKey();
}
