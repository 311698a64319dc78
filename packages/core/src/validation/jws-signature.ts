import { constants, verify, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from './algorithms.js';
import { scratch } from './scratch.js';

/**
 * How `node:crypto` verifies each JWS algorithm (RFC 7518 section 3, RFC 8037 section 3.1), and
 * which keys may be used with it. The same parameters WebCrypto (and so jose) uses:
 * - RS*: RSASSA-PKCS1-v1_5; PS*: RSASSA-PSS with MGF1 of the same hash and a salt exactly as long
 *   as the hash (RFC 7518 section 3.5; node's default would accept any salt length);
 * - ES*: ECDSA over the curve the algorithm names, the signature as R || S (RFC 7518 section 3.4,
 *   `ieee-p1363`; a DER signature or one of the wrong length fails);
 * - EdDSA and Ed25519: Ed25519 (RFC 8037, RFC 9864).
 * RSA keys shorter than 2048 bits are refused, as jose refuses them (RFC 7518 section 3.3).
 */
interface Scheme {
  /** The digest for `crypto.verify`; `null` for Ed25519, which hashes internally. */
  readonly digest: string | null;
  readonly keyType: 'rsa' | 'ec' | 'ed25519';
  /** OpenSSL's name of the curve, for ECDSA. */
  readonly namedCurve?: string;
  readonly padding?: number;
  readonly saltLength?: number;
  readonly dsaEncoding?: 'ieee-p1363';
}

/** RSASSA-PKCS1-v1_5 is node's default padding for RSA keys: no options needed. */
const rsa = (digest: string): Scheme => ({ digest, keyType: 'rsa' });
const pss = (digest: string, saltLength: number): Scheme => ({
  digest,
  keyType: 'rsa',
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength,
});
const ecdsa = (digest: string, namedCurve: string): Scheme => ({
  digest,
  keyType: 'ec',
  namedCurve,
  dsaEncoding: 'ieee-p1363',
});
const ed25519: Scheme = { digest: null, keyType: 'ed25519' };

const SCHEMES: Readonly<Record<AsymmetricAlgorithm, Scheme>> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ecdsa('sha256', 'prime256v1'),
  ES384: ecdsa('sha384', 'secp384r1'),
  ES512: ecdsa('sha512', 'secp521r1'),
  EdDSA: ed25519,
  Ed25519: ed25519,
};

/** The smallest RSA modulus accepted, in bits (jose's limit, RFC 7518 section 3.3). */
export const MIN_RSA_MODULUS_BITS = 2048;

/**
 * A public key bound to one algorithm, ready for {@link verifyJwsSignature}: the parameters
 * `crypto.verify` needs are built once, not per token.
 */
export interface JwsVerificationKey {
  readonly alg: AsymmetricAlgorithm;
  readonly key: KeyObject;
  /**
   * What `crypto.verify` receives as its key: the `KeyObject` itself where node's defaults are the
   * algorithm's (RSASSA-PKCS1-v1_5, Ed25519: the fastest call), else the key with its options.
   */
  readonly options:
    | KeyObject
    | Readonly<{
        key: KeyObject;
        padding?: number;
        saltLength?: number;
        dsaEncoding?: 'ieee-p1363';
      }>;
}

/**
 * Binds a public `KeyObject` to a JWS algorithm, or `undefined` when the key cannot verify it: a
 * private or secret key, another key type, another curve, an RSA modulus under 2048 bits.
 */
export function bindVerificationKey(
  key: KeyObject,
  alg: AsymmetricAlgorithm,
): JwsVerificationKey | undefined {
  const scheme = SCHEMES[alg];
  if (key.type !== 'public' || key.asymmetricKeyType !== scheme.keyType) return undefined;
  const details = key.asymmetricKeyDetails;
  if (scheme.keyType === 'rsa' && (details?.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
    return undefined;
  }
  if (scheme.namedCurve !== undefined && details?.namedCurve !== scheme.namedCurve) {
    return undefined;
  }
  const { padding, saltLength, dsaEncoding } = scheme;
  const options =
    saltLength === undefined && dsaEncoding === undefined
      ? key
      : Object.freeze({
          key,
          ...(padding === undefined ? {} : { padding }),
          ...(saltLength === undefined ? {} : { saltLength }),
          ...(dsaEncoding === undefined ? {} : { dsaEncoding }),
        });
  return Object.freeze({ alg, key, options });
}

/**
 * Verifies a JWS signature (RFC 7515 section 5.2 step 8) synchronously on `node:crypto`: no
 * thread-pool round trip, no WebIDL conversion. `signingInput` is the ASCII `header.payload` of a
 * compact JWS and `signature` its third segment, base64url-encoded (already checked to be strict
 * base64url, see `decodeCompactJws`); both are written into a scratch buffer, not allocated. A
 * signature of the wrong length, or that OpenSSL cannot parse, is simply not valid.
 */
export function verifyJwsSignature(
  key: JwsVerificationKey,
  signingInput: string,
  signature: string,
): boolean {
  const bytes = scratch(signingInput.length + signature.length);
  const inputLength = bytes.write(signingInput, 0, 'latin1');
  const signatureLength = bytes.write(signature, inputLength, 'base64url');
  try {
    return verify(
      SCHEMES[key.alg].digest,
      bytes.subarray(0, inputLength),
      key.options,
      bytes.subarray(inputLength, inputLength + signatureLength),
    );
  } catch {
    return false;
  }
}
