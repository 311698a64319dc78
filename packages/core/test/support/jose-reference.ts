import {
  errors as joseErrors,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '../../src/index.js';

/**
 * The verifier as it was before `node:crypto` (ropkit 0.x up to issue 14): `jose.jwtVerify` with
 * the same options, plus the rules ropkit adds on top, restated here from that version so the
 * differential test compares the new fast path with jose, not with itself. The key set is static
 * (no fetching): the keys are selected as that version selected them and imported by jose.
 */
export interface ReferenceOptions {
  issuer: string;
  audience: string[];
  algorithms: string[];
  clockTolerance: number;
  maxTokenSize: number;
  maxTokenLifetime: number;
  nowMs: number;
  keys: JWK[];
  profile: { typ: string; requiredClaims: string[]; stringClaims: string[] };
}

/** A verdict both verifiers can be compared on. */
export type Verdict =
  | { ok: true; header: Record<string, unknown>; payload: Record<string, unknown> }
  | { ok: false; status: number; description: string };

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ASYMMETRIC = new Set<string>(ASYMMETRIC_ALGORITHMS);

function keyMatchesAlgorithm(jwk: JWK, alg: string): boolean {
  if (/^(RS|PS)/.test(alg)) return jwk.kty === 'RSA';
  if (alg === 'ES256') return jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (alg === 'ES384') return jwk.kty === 'EC' && jwk.crv === 'P-384';
  if (alg === 'ES512') return jwk.kty === 'EC' && jwk.crv === 'P-521';
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
}

function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

class Reject extends Error {
  readonly description: string;
  readonly status: number;

  constructor(description: string, status = 401) {
    super(description);
    this.description = description;
    this.status = status;
  }
}

/** Verifies like the jose-based verifier did; never throws. */
export async function referenceVerify(token: string, options: ReferenceOptions): Promise<Verdict> {
  try {
    return await verify(token, options);
  } catch (error) {
    if (error instanceof Reject) {
      return { ok: false, status: error.status, description: error.description };
    }
    return { ok: false, status: 401, description: translate(error) };
  }
}

async function verify(token: string, o: ReferenceOptions): Promise<Verdict> {
  if (token.length > o.maxTokenSize) throw new Reject('Token is larger than allowed');
  if (!COMPACT_JWS.test(token) || token.split('.').some((part) => part.length % 4 === 1)) {
    throw new Reject('Token is malformed');
  }
  const usable = o.keys.filter(
    (jwk) =>
      jwk.kty !== 'oct' &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      jwk.d === undefined &&
      (jwk.kid === undefined || typeof jwk.kid === 'string'),
  );
  const getKey: JWTVerifyGetKey = async (header) => {
    if (!ASYMMETRIC.has(String(header.alg)) || !o.algorithms.includes(String(header.alg))) {
      throw new Reject('Token algorithm is not allowed');
    }
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== o.profile.typ) {
      throw new Reject('Token type is not allowed');
    }
    if (header.kid !== undefined && typeof header.kid !== 'string') {
      throw new Reject('Token is malformed');
    }
    const alg = String(header.alg);
    const candidates = usable.filter(
      (jwk) =>
        (header.kid === undefined || jwk.kid === header.kid) &&
        (jwk.alg === undefined || jwk.alg === alg) &&
        keyMatchesAlgorithm(jwk, alg),
    );
    const [jwk] = candidates;
    if (candidates.length !== 1 || jwk === undefined) {
      throw new Reject('Token signing key is unknown');
    }
    const key = await importJWK({ ...jwk, ext: false }, alg);
    if (key instanceof Uint8Array) throw new TypeError('Symmetric keys are never used');
    return key;
  };
  const { payload, protectedHeader } = await jwtVerify(token, getKey, {
    issuer: o.issuer,
    audience: o.audience,
    algorithms: o.algorithms,
    clockTolerance: o.clockTolerance,
    requiredClaims: o.profile.requiredClaims,
    currentDate: new Date(o.nowMs),
  });
  checkClaims(payload, o);
  return { ok: true, header: protectedHeader, payload };
}

function checkClaims(payload: JWTPayload, o: ReferenceOptions): void {
  const nowSeconds = o.nowMs / 1000;
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new Reject("Token claim 'exp' is malformed");
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new Reject("Token claim 'iat' is malformed");
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) {
    throw new Reject("Token claim 'nbf' is malformed");
  }
  if (iat > nowSeconds + o.clockTolerance) throw new Reject('Token was issued in the future');
  if (exp - iat > o.maxTokenLifetime) throw new Reject('Token lifetime is longer than allowed');
  for (const claim of o.profile.stringClaims) {
    const value = payload[claim];
    if (value !== undefined && typeof value !== 'string') {
      throw new Reject(`Token claim '${claim}' is malformed`);
    }
  }
}

function translate(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'Token has expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'Token signature is invalid';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'Token algorithm is not allowed';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'Token is not yet valid';
    if (error.reason === 'missing') return `Token claim '${error.claim}' is missing`;
    if (error.reason === 'invalid') return `Token claim '${error.claim}' is malformed`;
    return `Token claim '${error.claim}' is not accepted`;
  }
  return 'Token is malformed';
}
