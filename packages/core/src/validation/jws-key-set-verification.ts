import type { AsymmetricAlgorithm } from './algorithms.js';
import { decodeJwsPayload, type CompactJws, type JoseHeader } from './compact-jws.js';
import { verifyJwsSignature } from './jws-signature.js';
import { UnusableKeyError, type KeySetEntry } from './remote-key-set.js';
import type { VerificationKeys } from './static-key-set.js';

/** A JWS whose signature holds, its payload decoded to a JSON object (claims not checked yet). */
export interface VerifiedJws {
  readonly header: JoseHeader;
  readonly payload: Record<string, unknown>;
  /** The key that verified it: a cached result stops counting once it is `withdrawn`. */
  readonly key: KeySetEntry;
}

/** The signature does not verify with the key the header names (RFC 7515 section 5.2 step 8). */
export class JwsSignatureError extends Error {
  override readonly name = 'JwsSignatureError';
}

/**
 * Verifies a decoded compact JWS with the key `keySet` holds for its `kid` and `alg`, then decodes
 * its payload as a JSON object (jose's order: the key, the signature, then the payload).
 *
 * `nowMs` is the verification time on the key set's clock; `deadline` gives the `performance.now()`
 * time to stop waiting for keys by, and is called only if waiting is needed.
 *
 * Synchronous, returning the result, when the key set is current and holds the key: the common
 * case costs one `crypto.verify` and no promise. Otherwise returns a promise that fetches the key
 * set first (see `RemoteKeySet.resolve`). Header rules of the profile (`typ`, `kid` type, ...)
 * are checked by the caller before this, so a bad header costs no fetch.
 *
 * @throws {JwsSignatureError} the signature does not verify.
 * @throws {JwsFormatError} `malformed`: the payload is not a JSON object.
 * @throws {UnknownKeyError | UnusableKeyError | KeySetUnavailableCause} from the key set.
 */
export function verifyWithKeySet(
  jws: CompactJws,
  kid: string | undefined,
  alg: AsymmetricAlgorithm,
  keySet: VerificationKeys,
  nowMs: number,
  deadline: () => number,
): VerifiedJws | Promise<VerifiedJws> {
  if (keySet.isCurrent(nowMs)) {
    const found = keySet.select(kid, alg);
    if (typeof found === 'object') return verifyWithKey(jws, found, alg);
  }
  return keySet.resolve(kid, alg, deadline()).then((entry) => verifyWithKey(jws, entry, alg));
}

/**
 * Verifies a decoded compact JWS with one key of a set and decodes its payload.
 *
 * @throws {JwsSignatureError | JwsFormatError | UnusableKeyError} as {@link verifyWithKeySet}.
 */
export function verifyWithKey(
  jws: CompactJws,
  entry: KeySetEntry,
  alg: AsymmetricAlgorithm,
): VerifiedJws {
  const key = entry.verificationKey(alg);
  if (key === undefined) throw new UnusableKeyError(`The key cannot verify ${alg}`);
  if (!verifyJwsSignature(key, jws.signingInput, jws.signature)) {
    throw new JwsSignatureError('The signature does not verify');
  }
  return { header: jws.header, payload: decodeJwsPayload(jws), key: entry };
}
