import { createHash, randomUUID } from 'node:crypto';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { TokenFactory } from './token-factory.js';

/**
 * A client's DPoP key pair (RFC 9449 section 4): the private key signs proofs, the public JWK
 * goes in each proof's `jwk` header, and its RFC 7638 thumbprint is what a bound token's
 * `cnf.jkt` names (section 6.1).
 */
export interface DpopKey {
  alg: string;
  privateKey: CryptoKey;
  /** The public key, as a proof's `jwk` header carries it. */
  publicJwk: JWK;
  /** The private key as a JWK (with `d`): only to build a proof that wrongly carries it. */
  privateJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of the public key: a bound token's `cnf.jkt`. */
  jkt: string;
}

/** A fresh DPoP key pair (ES256 unless told otherwise). */
export async function createDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    alg,
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk),
  };
}

/**
 * `ath` (RFC 9449 section 4.2): base64url of the SHA-256 hash of the access token's ASCII bytes.
 */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** What a proof is made of; anything not given is what a correct client sends. */
export interface ProofRecipe {
  key: DpopKey;
  /** The request's URI without query and fragment (section 4.2), e.g. `http://127.0.0.1:4001/api/private`. */
  htu: string;
  /** Default `GET`. */
  htm?: string;
  /** The access token the proof goes with; its hash becomes `ath`. Without it, no `ath`. */
  token?: string;
  /** Claims merged over `jti`, `htm`, `htu`, `iat` and `ath`; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Header parameters merged over `{ typ: 'dpop+jwt', alg, jwk }`; `undefined` removes one. */
  header?: Record<string, unknown>;
}

/**
 * Signs a DPoP proof JWT (RFC 9449 section 4.2): a fresh `jti`, `iat` now, and `ath` when it goes
 * with an access token.
 */
export function signProof(recipe: ProofRecipe): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: recipe.htm ?? 'GET',
    htu: recipe.htu,
    iat: Math.floor(Date.now() / 1000),
    ...(recipe.token === undefined ? {} : { ath: accessTokenHash(recipe.token) }),
    ...recipe.claims,
  };
  const header: Record<string, unknown> = {
    typ: 'dpop+jwt',
    alg: recipe.key.alg,
    jwk: recipe.key.publicJwk,
    ...recipe.header,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: String(header['alg']) })
    .sign(recipe.key.privateKey);
}

/**
 * An access token bound to `key` (RFC 9449 section 6.1: `cnf.jkt`, the key's thumbprint), signed
 * by `tokens` as every other kit token is.
 */
export function boundToken(
  tokens: TokenFactory,
  key: DpopKey,
  claims: Record<string, unknown> = {},
): Promise<string> {
  return tokens.sign({ claims: { cnf: { jkt: key.jkt }, ...claims } });
}

/** The headers of a request with a DPoP-bound token (section 7.1): the `DPoP` scheme and a proof. */
export function dpopHeaders(token: string, proof: string): Record<string, string> {
  return { authorization: `DPoP ${token}`, dpop: proof };
}
