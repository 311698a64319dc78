import { KeyObject, createPublicKey } from 'node:crypto';
import type { AsymmetricAlgorithm } from './algorithms.js';
import { isJsonObject } from './compact-jws.js';
import { importJwk } from './jwk-import.js';
import { bindVerificationKey, type JwsVerificationKey } from './jws-signature.js';
import { UnknownKeyError, type KeyMiss, type KeySetEntry } from './remote-key-set.js';

/** What the verifier asks of its keys: a remote key set, or one key given at start-up. */
export interface VerificationKeys {
  isCurrent(now: number): boolean;
  select(kid: string | undefined, alg: AsymmetricAlgorithm): KeySetEntry | KeyMiss;
  resolve(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
    deadline: number,
  ): Promise<KeySetEntry>;
  ensureCurrent(deadline: number): Promise<void>;
}

/** The `publicKey` option: a PEM (SPKI or certificate), a public JWK, or a public `KeyObject`. */
export type PublicKeyOption = string | Readonly<Record<string, unknown>> | KeyObject;

/**
 * The `publicKey` option as a public `KeyObject`.
 *
 * @throws {TypeError} naming the option: not a public key (a private or secret key included: a
 *   verifier is given the public half only), or a JWK that cannot be one (see `importJwk`).
 */
export function importPublicKey(value: PublicKeyOption): KeyObject {
  const message =
    '"publicKey" must be a public key: a PEM string, a public JWK, or a public KeyObject';
  if (typeof value === 'string') {
    // A PEM with a private key would give createPublicKey its public half: refuse it instead,
    // so a private key is never handed to an API by mistake and kept in its memory.
    if (/PRIVATE KEY/.test(value)) throw new TypeError(message);
    try {
      return createPublicKey(value);
    } catch {
      throw new TypeError(message);
    }
  }
  if (isKeyObject(value)) {
    if (value.type !== 'public') throw new TypeError(message);
    return value;
  }
  if (isJsonObject(value)) {
    const imported = importJwk(value);
    if (!imported.usable) throw new TypeError(`${message} (${imported.reason})`);
    return imported.key;
  }
  throw new TypeError(message);
}

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

/** The JWS algorithm a key type signs with by default: RS256, or its curve's ES*, or EdDSA. */
export function defaultAlgorithmOf(key: KeyObject): AsymmetricAlgorithm {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec') {
    return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
  }
  return key.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'RS256';
}

/**
 * One public key given at start-up, for air-gapped services and tests: no discovery, no key set,
 * no fetch. It verifies every token whose `alg` it can (its `kid`, if any, is not compared: there
 * is no set to choose from).
 */
export class StaticKeySet implements VerificationKeys {
  readonly #entry: KeySetEntry;

  constructor(key: KeyObject) {
    const bound = new Map<AsymmetricAlgorithm, JwsVerificationKey | undefined>();
    const kty =
      key.asymmetricKeyType === 'rsa' ? 'RSA' : key.asymmetricKeyType === 'ec' ? 'EC' : 'OKP';
    this.#entry = {
      kid: undefined,
      kty,
      crv: undefined,
      alg: undefined,
      key,
      withdrawn: false,
      verificationKey(alg) {
        if (!bound.has(alg)) bound.set(alg, bindVerificationKey(key, alg));
        return bound.get(alg);
      },
    };
  }

  isCurrent(): boolean {
    return true;
  }

  select(_kid: string | undefined, alg: AsymmetricAlgorithm): KeySetEntry | KeyMiss {
    return this.#entry.verificationKey(alg) === undefined ? 'unknown' : this.#entry;
  }

  resolve(kid: string | undefined, alg: AsymmetricAlgorithm): Promise<KeySetEntry> {
    const found = this.select(kid, alg);
    return typeof found === 'object'
      ? Promise.resolve(found)
      : Promise.reject(new UnknownKeyError('The configured public key cannot verify the token'));
  }

  ensureCurrent(): Promise<void> {
    return Promise.resolve();
  }
}
