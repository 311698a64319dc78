import { setMostRecent } from '../bounded-map.js';
import { accessTokenHash, jwkThumbprint } from '../dpop/jwk-thumbprint.js';
import { isAsymmetricAlgorithm } from './algorithms.js';
import { JwsFormatError, decodeCompactJws, decodeJwsPayload, isJsonObject } from './compact-jws.js';
import type { DpopNonces } from './dpop-nonce.js';
import type { ResolvedDpopOptions } from './dpop-options.js';
import { normalizeHtu } from './dpop-request-url.js';
import { importJwk } from './jwk-import.js';
import {
  bindVerificationKey,
  verifyJwsSignature,
  type JwsVerificationKey,
} from './jws-signature.js';

/**
 * Why a proof is refused: `invalid` answers `invalid_dpop_proof` (RFC 9449 section 7.1), `nonce`
 * answers `use_dpop_nonce` with a fresh nonce (section 9).
 */
export class DpopProofError extends Error {
  override readonly name = 'DpopProofError';
  readonly reason: 'invalid' | 'nonce';

  /** `message` is a fixed sentence: never proof bytes or claim values. */
  constructor(message: string, reason: 'invalid' | 'nonce' = 'invalid') {
    super(message);
    this.reason = reason;
  }
}

/** What a request gives a proof check. */
export interface DpopProofInput {
  /** The one `DPoP` header's value. */
  readonly proof: string;
  /** The request method, as received. */
  readonly method: string;
  /** The request's URI as a proof's `htu` must name it ({@link normalizeHtu}'s form). */
  readonly htu: string;
  /** The access token the proof goes with (its `ath`, section 4.2). */
  readonly accessToken: string;
  readonly nowMs: number;
}

/** A proof that holds: its key's thumbprint, and what the replay store must remember. */
export interface CheckedDpopProof {
  /** RFC 7638 thumbprint of the proof's key: the access token's `cnf.jkt` must equal it. */
  readonly jkt: string;
  /** `<jkt>:<jti>`, for the replay store. */
  readonly replayKey: string;
  /** When the proof stops being accepted anyway (its `iat` leaves the window), in ms. */
  readonly expiresAtMs: number;
}

/** A proof key imported once, by the header segment that carries it. */
interface ProofKey {
  readonly key: JwsVerificationKey;
  readonly jkt: string;
}

/** Largest proof accepted: an RSA-4096 `jwk` and every claim fit in well under 4 KiB. */
export const MAX_DPOP_PROOF_LENGTH = 8192;
/** Longest `jti` accepted; with the thumbprint, a replay key stays within 300 characters. */
const MAX_JTI_LENGTH = 256;
const PROOF_KEYS_CACHED = 256;

/**
 * Checks a DPoP proof as a resource server (RFC 9449 section 4.3, steps 2 to 12; step 1, one
 * `DPoP` header, is the caller's): the strict compact JWS form, `typ` `dpop+jwt`, `alg` on the
 * allow-list, a public `jwk` (no private members) that verifies the signature, `jti`, `htm`,
 * `htu`, `iat` within the window, `ath` equal to the access token's hash, the server's nonce when
 * nonces are on. The replay check (`jti` unused, section 11.1) and the token binding (`cnf.jkt`,
 * section 7.1) come after, with {@link CheckedDpopProof}.
 */
export function createDpopProofChecker(
  options: ResolvedDpopOptions,
  nonces: DpopNonces | undefined,
): (input: DpopProofInput) => CheckedDpopProof {
  const algorithms = new Set<string>(options.algorithms);
  // Clients sign every proof with one key: its import and thumbprint are done once per header.
  const proofKeys = new Map<string, ProofKey>();

  function proofKey(headerSegment: string, header: Readonly<Record<string, unknown>>): ProofKey {
    const cached = proofKeys.get(headerSegment);
    if (cached !== undefined) return cached;
    const { typ, alg, jwk } = header;
    // Section 4.2: typ is exactly "dpop+jwt" (a media type: case-insensitive, RFC 2045).
    if (typeof typ !== 'string' || typ.toLowerCase() !== 'dpop+jwt') {
      throw new DpopProofError('DPoP proof type is not dpop+jwt');
    }
    if (!isAsymmetricAlgorithm(alg))
      throw new DpopProofError('DPoP proof algorithm is not allowed');
    // Section 4.3 step 7: a public key; importJwk refuses private members and broken keys.
    if (!isJsonObject(jwk)) throw new DpopProofError('DPoP proof has no jwk header');
    const imported = importJwk(jwk);
    if (!imported.usable) throw new DpopProofError('DPoP proof key is not a usable public key');
    const key = bindVerificationKey(imported.key, alg);
    const jkt = jwkThumbprint(jwk);
    if (key === undefined || jkt === undefined) {
      throw new DpopProofError('DPoP proof key does not match its algorithm');
    }
    const entry = { key, jkt };
    setMostRecent(proofKeys, headerSegment, entry, PROOF_KEYS_CACHED);
    return entry;
  }

  return function checkDpopProof(input) {
    const { proof, nowMs } = input;
    if (proof.length > MAX_DPOP_PROOF_LENGTH) throw new DpopProofError('DPoP proof is too large');
    let jws;
    try {
      jws = decodeCompactJws(proof, algorithms);
    } catch (error) {
      throw error instanceof JwsFormatError && error.reason === 'algorithm'
        ? new DpopProofError('DPoP proof algorithm is not allowed')
        : new DpopProofError('DPoP proof is malformed');
    }
    const headerSegment = jws.signingInput.slice(0, jws.signingInput.indexOf('.'));
    const { key, jkt } = proofKey(headerSegment, jws.header);
    if (!verifyJwsSignature(key, jws.signingInput, jws.signature)) {
      throw new DpopProofError('DPoP proof signature is invalid');
    }
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwsPayload(jws);
    } catch {
      throw new DpopProofError('DPoP proof is malformed');
    }
    const { jti, htm, htu, iat, ath, nonce } = claims;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
      throw new DpopProofError("DPoP proof claim 'jti' is missing or malformed");
    }
    // Section 4.3 step 8: the method, compared as sent (methods are case-sensitive, RFC 9110 9.1).
    if (typeof htm !== 'string' || htm !== input.method) {
      throw new DpopProofError("DPoP proof claim 'htm' does not match the request");
    }
    // Step 9: the URI without query and fragment, both sides normalized (RFC 3986 section 6.2).
    if (typeof htu !== 'string' || normalizeHtu(htu) !== input.htu) {
      throw new DpopProofError("DPoP proof claim 'htu' does not match the request");
    }
    const nowSeconds = nowMs / 1000;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw new DpopProofError("DPoP proof claim 'iat' is missing or malformed");
    }
    // Step 11 / section 11.1: a proof is accepted within a window around its creation.
    if (iat < nowSeconds - options.iatWindow || iat > nowSeconds + options.iatLeeway) {
      throw new DpopProofError('DPoP proof is outside its time window');
    }
    // Step 12: bound to the access token it is sent with.
    if (typeof ath !== 'string' || ath !== accessTokenHash(input.accessToken)) {
      throw new DpopProofError("DPoP proof claim 'ath' does not match the access token");
    }
    // Step 10: the server's nonce, when it asks for one (section 9).
    if (nonces !== undefined && !nonces.accepts(nonce, nowMs)) {
      throw new DpopProofError('DPoP proof needs a current nonce', 'nonce');
    }
    return {
      jkt,
      replayKey: `${jkt}:${jti}`,
      expiresAtMs: Math.ceil((iat + options.iatWindow + 1) * 1000),
    };
  };
}
