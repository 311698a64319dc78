import { Auth0Errors } from './auth0-errors.js';
import type { CheckedDpopProof } from './dpop-proof.js';
import type { ClientCertificate } from './endpoints/client-certificate-header.js';
import type { ResolvedApi, ResolvedClient } from './resolved-config.js';

/** What an access token is bound to: a DPoP key or a client certificate, or nothing (Bearer). */
export interface AccessTokenBinding {
  /** The DPoP key's thumbprint, `cnf.jkt` (RFC 9449 section 6.1). */
  readonly jkt: string | undefined;
  /** The client certificate's thumbprint, `cnf["x5t#S256"]` (RFC 8705 section 3.1). */
  readonly x5t: string | undefined;
}

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
 * `certificateBound`: the token is bound to a client certificate instead, which meets the client's
 * requirement (Auth0's table counts an mTLS certificate as the proof of possession too).
 *
 * Returns the thumbprint for the access token's `cnf.jkt` (RFC 9449 section 6.1), `undefined` for
 * a token not bound to a DPoP key, or throws the refusal ("not issued"; Auth0 documents no error
 * for it, so the mock answers `400 invalid_request` saying why).
 */
function dpopBinding(
  client: ResolvedClient,
  api: ResolvedApi | undefined,
  proof: CheckedDpopProof | undefined,
  certificateBound: boolean,
): string | undefined {
  const clientRequires = client.requireProofOfPossession && !certificateBound;
  if (proof === undefined) {
    if (clientRequires) {
      throw client.tlsClientCertificateBoundAccessTokens
        ? Auth0Errors.clientCertificateRequired()
        : Auth0Errors.proofOfPossessionRequired('client');
    }
    if (api?.proofOfPossession === 'required') throw Auth0Errors.proofOfPossessionRequired('api');
    return undefined;
  }
  if (api?.proofOfPossession === 'none') {
    if (clientRequires) throw Auth0Errors.senderConstrainingNotEnabled(api.identifier);
    return undefined;
  }
  return proof.jkt;
}

/**
 * What a token request's access token is bound to. A client with mTLS token binding
 * (`tlsClientCertificateBoundAccessTokens`) that presents a verified certificate gets a token
 * bound to it (RFC 8705 section 3; Auth0 "Token Binding": "When mutual TLS is used by the
 * application to request an access token and the application is configured accordingly, the
 * authorization server binds the client certificate to the issued access token"); without one it
 * gets a Bearer token (section 3.4 leaves that to the server), unless it requires sender
 * constraining. DPoP binding follows {@link dpopBinding}; a request that both would bind is refused,
 * since a `cnf` holds one key (RFC 7800 section 3.1).
 */
export function accessTokenBinding(
  client: ResolvedClient,
  api: ResolvedApi | undefined,
  proof: CheckedDpopProof | undefined,
  certificate: ClientCertificate | undefined,
): AccessTokenBinding {
  const x5t = client.tlsClientCertificateBoundAccessTokens ? certificate?.thumbprint : undefined;
  const jkt = dpopBinding(client, api, proof, x5t !== undefined);
  if (jkt !== undefined && x5t !== undefined) throw Auth0Errors.twoProofsOfPossession();
  return { jkt, x5t };
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
