import type { KeyObject } from 'node:crypto';
import { decodeJwt, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { ResolvedApi } from './resolved-config.js';
import type { ServerState } from './server-state.js';

/** What signs an access token: a JWS algorithm, its key and the `kid` to name (if any). */
export interface AccessTokenSigner {
  readonly alg: string;
  readonly key: CryptoKey | KeyObject;
  readonly kid: string | undefined;
}

/**
 * The signer of `api`'s access tokens, as Auth0's API setting "Signing Algorithm" says: `HS256`
 * with the API's "Signing Secret" and no `kid` (Auth0 sends none with HS256, auth0/docs#10279:
 * "When using HS265, it won't include a kid claim"), otherwise the tenant's current signing key and
 * its `kid`. Without an API (a token for `/userinfo` only) the tenant's key.
 */
export function accessTokenSigner(
  state: ServerState,
  api: ResolvedApi | undefined,
): AccessTokenSigner {
  if (api?.signingAlgorithm === 'HS256' && api.signingSecret !== undefined) {
    return { alg: 'HS256', key: api.signingSecret, kid: undefined };
  }
  const current = state.keys.current;
  return { alg: current.alg, key: current.privateKey, kid: current.kid };
}

/** Signs `claims` as an access token with `signer`, `typ` as the profile says (RFC 9068 2.1). */
export function signWith(
  signer: AccessTokenSigner,
  claims: JWTPayload,
  typ: string,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: signer.alg,
      typ,
      ...(signer.kid === undefined ? {} : { kid: signer.kid }),
    })
    .sign(signer.key);
}

/** The tenant's API whose access token this is (its first `aud` that names an HS256 API). */
function hs256ApiOf(state: ServerState, payload: JWTPayload): ResolvedApi | undefined {
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  for (const audience of audiences) {
    if (typeof audience !== 'string') continue;
    const api = state.directory.api(audience);
    if (api?.signingAlgorithm === 'HS256') return api;
  }
  return undefined;
}

/**
 * The signer that signed `accessToken` (for the `dpop-binding` fault, which re-signs one): the
 * secret of its HS256 API, or the tenant's current key.
 */
export function signerOfAccessToken(state: ServerState, accessToken: string): AccessTokenSigner {
  return accessTokenSigner(state, hs256ApiOf(state, decodeJwt(accessToken)));
}
