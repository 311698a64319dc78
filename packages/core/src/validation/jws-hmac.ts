import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { HmacAlgorithm } from './algorithms.js';
import { decodeJwsPayload, type CompactJws } from './compact-jws.js';
import { JwsSignatureError } from './jws-key-set-verification.js';
import { scratch } from './scratch.js';

/**
 * The smallest HS256 key accepted, in bytes: RFC 7518 section 3.2 says a key of the same size as
 * the hash output (256 bits) or larger MUST be used.
 */
export const MIN_HS256_KEY_BYTES = 32;

/**
 * The HS256 key of a client secret: its UTF-8 bytes, as Auth0 signs HS256 ID tokens with the
 * client secret (OpenID Connect Core 1.0 section 10.1). A `KeyObject`, so that no string copy of
 * the secret is kept and `util.inspect` shows only its size.
 *
 * @throws {TypeError} when the secret is shorter than {@link MIN_HS256_KEY_BYTES}.
 */
export function hs256Key(clientSecret: string, option: string): KeyObject {
  const bytes = Buffer.from(clientSecret, 'utf8');
  if (bytes.length < MIN_HS256_KEY_BYTES) {
    throw new TypeError(
      `${option}: HS256 needs a "clientSecret" of at least ${MIN_HS256_KEY_BYTES} bytes (RFC 7518 section 3.2)`,
    );
  }
  return createSecretKey(bytes);
}

/**
 * Verifies an HS256 JWS (RFC 7518 section 3.2) with a secret key, then decodes its payload. The
 * signature is compared in constant time; one of the wrong length fails before any comparison
 * (its length is no secret). The caller decides that HS256 is allowed at all: never with a key
 * from a remote key set (RFC 8725 section 3.1), and never beside asymmetric algorithms, so that a
 * public key cannot be used as an HMAC secret.
 *
 * @throws {JwsSignatureError} the signature does not verify.
 * @throws {JwsFormatError} `malformed`: the payload is not a JSON object.
 */
export function verifyHs256(jws: CompactJws, key: KeyObject): Record<string, unknown> {
  return verifyHmac(jws, 'HS256', key);
}

/** The hash of each HMAC algorithm, and the smallest key it takes: its output size (section 3.2). */
export const HMAC_DIGESTS: Readonly<
  Record<HmacAlgorithm, { digest: string; minKeyBytes: number }>
> = {
  HS256: { digest: 'sha256', minKeyBytes: 32 },
  HS384: { digest: 'sha384', minKeyBytes: 48 },
  HS512: { digest: 'sha512', minKeyBytes: 64 },
};

/**
 * {@link verifyHs256} for HS256, HS384 or HS512 (RFC 7518 section 3.2), under the same rules: the
 * caller allows HMAC only with a configured secret.
 *
 * @throws {JwsSignatureError | JwsFormatError} as {@link verifyHs256}.
 */
export function verifyHmac(
  jws: CompactJws,
  alg: HmacAlgorithm,
  key: KeyObject,
): Record<string, unknown> {
  const expected = createHmac(HMAC_DIGESTS[alg].digest, key)
    .update(jws.signingInput, 'latin1')
    .digest();
  // The signature is canonical base64url (see decodeCompactJws): at most 3/4 of its length.
  const bytes = scratch(jws.signature.length);
  const length = bytes.write(jws.signature, 0, 'base64url');
  if (length !== expected.length || !timingSafeEqual(bytes.subarray(0, length), expected)) {
    throw new JwsSignatureError('The signature does not verify');
  }
  return decodeJwsPayload(jws);
}
