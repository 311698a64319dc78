import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  errors,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { DpopNonces } from './dpop-nonce.js';

/**
 * The algorithms a DPoP proof may be signed with: the asymmetric JWS algorithms (RFC 7518 section
 * 3.1, RFC 8037; `Ed25519` is RFC 9864's name for `EdDSA` with that curve). RFC 9449 section 4.2:
 * "MUST NOT be none or an identifier for a symmetric algorithm (Message Authentication Code
 * (MAC))". Published as `dpop_signing_alg_values_supported` (section 5.1).
 */
export const DPOP_SIGNING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
] as const;

type DpopAlgorithm = (typeof DPOP_SIGNING_ALGORITHMS)[number];

/**
 * How far a proof's `iat` may be from the mock's clock, either way, in seconds (RFC 9449 section
 * 11.1 leaves the window to the server: "a few seconds to a few minutes").
 */
export const DPOP_PROOF_WINDOW_SECONDS = 60;

/** Largest proof accepted: an RSA-4096 `jwk` and every claim fit in well under 4 KiB. */
const MAX_PROOF_LENGTH = 8192;
/** Longest `jti` accepted, so that the replay cache holds small keys. */
const MAX_JTI_LENGTH = 256;

/**
 * JWK members that only a private or symmetric key has (RFC 7518 sections 6.2.2, 6.3.2 and 6.4.1,
 * RFC 8037 section 2): RFC 9449 section 4.3 step 7, "the jwk JOSE Header Parameter does not
 * contain a private key".
 */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Why a proof is refused: `invalid` is answered `invalid_dpop_proof` (RFC 9449 section 5),
 * `nonce` is answered `use_dpop_nonce` with a fresh nonce (section 8).
 */
export class DpopProofError extends Error {
  override readonly name = 'DpopProofError';
  readonly reason: 'invalid' | 'nonce';

  /** `message` is a fixed sentence: it never quotes the proof or a claim. */
  constructor(message: string, reason: 'invalid' | 'nonce' = 'invalid') {
    super(message);
    this.reason = reason;
  }
}

/** What a request gives the proof check. */
export interface DpopProofInput {
  /** The one `DPoP` header's value. */
  readonly proof: string;
  /** The request's method, as received. */
  readonly method: string;
  /**
   * The URIs the proof's `htu` may name, each as {@link normalizeHtu} returns it: the request's
   * URI as received, and the endpoint under the issuer.
   */
  readonly htus: readonly string[];
  /** The mock clock's time. */
  readonly nowMs: number;
  /** At a protected resource: the access token the proof comes with, for `ath` (section 4.2). */
  readonly accessToken?: string;
  /** When the server requires nonces (section 8): the nonces a proof's `nonce` must be one of. */
  readonly nonces?: DpopNonces;
}

/** A proof that holds. */
export interface CheckedDpopProof {
  /**
   * The RFC 7638 SHA-256 thumbprint of the proof's key, base64url: what an access token bound to
   * it carries in `cnf.jkt` (RFC 9449 section 6.1).
   */
  readonly jkt: string;
  /** `<jkt>:<jti>`, for the replay cache (section 11.1). */
  readonly replayKey: string;
  /** When the proof's `iat` leaves the window (mock clock, ms): the replay cache may forget it. */
  readonly expiresAtMs: number;
}

/** RFC 3986 section 2.3: unreserved characters, whose percent-encodings are decoded. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * A URI in the form `htu` is compared in (RFC 9449 section 4.3 step 9): scheme, authority and
 * path, query and fragment dropped, after syntax- and scheme-based normalization (RFC 3986
 * sections 6.2.2 and 6.2.3: `URL` lower-cases scheme and host, drops a default port and removes dot
 * segments; percent-encodings of unreserved characters are decoded, the others upper-cased).
 * `undefined` for anything but an absolute http(s) URI.
 */
export function normalizeHtu(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const character = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return UNRESERVED.test(character) ? character : escape.toUpperCase();
  });
  return url.origin + path;
}

/** RFC 9449 section 4.2 `ath`: base64url of the SHA-256 of the access token's ASCII octets. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

function isAlgorithm(value: unknown): value is DpopAlgorithm {
  return (DPOP_SIGNING_ALGORITHMS as readonly unknown[]).includes(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key type (and curve) `alg` needs (RFC 7518 section 3.1, RFC 8037 section 3.1). */
function keyFitsAlgorithm(jwk: Record<string, unknown>, alg: DpopAlgorithm): boolean {
  switch (alg) {
    case 'ES256':
      return jwk['kty'] === 'EC' && jwk['crv'] === 'P-256';
    case 'ES384':
      return jwk['kty'] === 'EC' && jwk['crv'] === 'P-384';
    case 'ES512':
      return jwk['kty'] === 'EC' && jwk['crv'] === 'P-521';
    case 'EdDSA':
    case 'Ed25519':
      return jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519';
    default:
      return jwk['kty'] === 'RSA';
  }
}

/** The proof's header: `typ`, `alg` and a public `jwk` that fits `alg` (section 4.3, 4 to 7). */
async function proofKey(proof: string): Promise<{ key: CryptoKey; jwk: JWK; alg: DpopAlgorithm }> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofError('DPoP proof is not a well-formed JWT');
  }
  const { typ, alg, jwk } = header;
  // Section 4.2: typ is "dpop+jwt", a media type (RFC 7515 section 4.1.9: case-insensitive).
  if (typeof typ !== 'string' || typ.toLowerCase() !== 'dpop+jwt') {
    throw new DpopProofError('DPoP proof typ is not dpop+jwt');
  }
  // Step 5: an asymmetric algorithm; never none, never HMAC.
  if (!isAlgorithm(alg)) throw new DpopProofError('DPoP proof alg is not allowed');
  if (!isObject(jwk)) throw new DpopProofError('DPoP proof has no jwk header');
  // Step 7: no private key.
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) {
    throw new DpopProofError('DPoP proof jwk contains a private key');
  }
  if (!keyFitsAlgorithm(jwk, alg)) {
    throw new DpopProofError('DPoP proof jwk does not fit its alg');
  }
  let key: CryptoKey | Uint8Array;
  try {
    key = await importJWK({ ...jwk, ext: true }, alg);
  } catch {
    throw new DpopProofError('DPoP proof jwk is not a usable public key');
  }
  if (key instanceof Uint8Array || key.type !== 'public') {
    throw new DpopProofError('DPoP proof jwk is not a usable public key');
  }
  return { key, jwk, alg };
}

/** The proof's claims, once its signature verifies with its own key (step 6). */
async function verifiedClaims(
  proof: string,
  key: CryptoKey,
  alg: DpopAlgorithm,
): Promise<Record<string, unknown>> {
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(proof, key, { algorithms: [alg] }));
  } catch (error) {
    throw new DpopProofError(
      error instanceof errors.JWSSignatureVerificationFailed
        ? 'DPoP proof signature is invalid'
        : 'DPoP proof could not be verified with its jwk',
    );
  }
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new DpopProofError('DPoP proof payload is not a JSON object');
  }
  if (!isObject(claims)) throw new DpopProofError('DPoP proof payload is not a JSON object');
  return claims;
}

/**
 * Checks a DPoP proof (RFC 9449 section 4.3, steps 2 to 12; step 1, exactly one `DPoP` header, is
 * the caller's): a compact JWS, `typ` `dpop+jwt`, an allowed asymmetric `alg`, a public `jwk`
 * that fits it and verifies the signature, then `jti`, `htm`, `htu`, `iat` within
 * {@link DPOP_PROOF_WINDOW_SECONDS} of the mock's clock, `ath` at a protected resource, and the
 * server's nonce when nonces are required. The replay check (section 11.1) is the caller's, with
 * {@link CheckedDpopProof.replayKey}. Throws {@link DpopProofError}; never anything else.
 */
export async function checkDpopProof(input: DpopProofInput): Promise<CheckedDpopProof> {
  const { proof } = input;
  // Step 2: a single JWT in the JWS compact serialization (RFC 7515 section 7.1).
  if (proof.length > MAX_PROOF_LENGTH) throw new DpopProofError('DPoP proof is too large');
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) {
    throw new DpopProofError('DPoP proof is not a well-formed JWT');
  }
  const { key, jwk, alg } = await proofKey(proof);
  const claims = await verifiedClaims(proof, key, alg);
  // Step 3: the claims section 4.2 requires.
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
    throw new DpopProofError('DPoP proof jti is missing or malformed');
  }
  // Step 8: the method, as sent (methods are case-sensitive, RFC 9110 section 9.1).
  if (typeof htm !== 'string' || htm !== input.method) {
    throw new DpopProofError('DPoP proof htm does not match the request method');
  }
  // Step 9: the request's URI, without query and fragment.
  const normalized = typeof htu === 'string' ? normalizeHtu(htu) : undefined;
  if (normalized === undefined || !input.htus.includes(normalized)) {
    throw new DpopProofError('DPoP proof htu does not match the request URI');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new DpopProofError('DPoP proof iat is missing or malformed');
  }
  // Step 11, section 11.1: created within the window around the server's time.
  const nowSeconds = input.nowMs / 1000;
  if (Math.abs(iat - nowSeconds) > DPOP_PROOF_WINDOW_SECONDS) {
    throw new DpopProofError('DPoP proof iat is outside the acceptable window');
  }
  // Step 12: with an access token, ath is its hash (section 4.2).
  if (input.accessToken !== undefined) {
    if (typeof ath !== 'string' || ath !== accessTokenHash(input.accessToken)) {
      throw new DpopProofError('DPoP proof ath does not match the access token');
    }
  }
  let jkt: string;
  try {
    jkt = await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    throw new DpopProofError('DPoP proof jwk is not a usable public key');
  }
  // Step 10: the server's nonce, checked last, so that a proof that is wrong anyway is answered
  // invalid_dpop_proof rather than sent for a nonce it would not pass with either.
  if (input.nonces !== undefined && !input.nonces.accepts(nonce, input.nowMs)) {
    throw new DpopProofError(
      nonce === undefined
        ? 'Authorization server requires nonce in DPoP proof'
        : 'DPoP proof nonce is not current',
      'nonce',
    );
  }
  return {
    jkt,
    replayKey: `${jkt}:${jti}`,
    expiresAtMs: Math.ceil((iat + DPOP_PROOF_WINDOW_SECONDS + 1) * 1000),
  };
}
