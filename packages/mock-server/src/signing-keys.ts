import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { SigningAlgorithm } from './config.js';
import type { ResolvedSigningKeyConfig } from './resolved-config.js';

/** A key the server can sign with, and its public half as published in the JWKS. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** The JWK key type (and curve) each algorithm needs (RFC 7518 section 3, RFC 8037 section 3.1). */
const KEY_TYPE: Record<SigningAlgorithm, { kty: 'RSA' | 'EC' | 'OKP'; crv?: string }> = {
  RS256: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

/** The public members of a key (RFC 7518 section 6, RFC 8037 section 2): nothing private. */
function publicMembers(jwk: JWK, alg: SigningAlgorithm): JWK {
  const { kty } = KEY_TYPE[alg];
  if (kty === 'RSA') return { kty, n: jwk.n, e: jwk.e };
  if (kty === 'EC') return { kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty, crv: jwk.crv, x: jwk.x };
}

function checkFixedKey(jwk: JWK, alg: SigningAlgorithm, path: string): void {
  const expected = KEY_TYPE[alg];
  if (jwk.kty !== expected.kty || (expected.crv !== undefined && jwk.crv !== expected.crv)) {
    const curve = expected.crv === undefined ? '' : ` with crv "${expected.crv}"`;
    throw new TypeError(
      `"${path}.privateJwk" must be a kty "${expected.kty}"${curve} key for ${alg}`,
    );
  }
  if (typeof jwk.d !== 'string') {
    throw new TypeError(`"${path}.privateJwk" must be a private key (it has no "d")`);
  }
}

async function importPrivateKey(jwk: JWK, alg: SigningAlgorithm, path: string): Promise<CryptoKey> {
  checkFixedKey(jwk, alg, path);
  const failure = new TypeError(
    `"${path}.privateJwk" could not be imported as a ${alg} private key`,
  );
  let imported: CryptoKey | Uint8Array;
  try {
    imported = await importJWK(jwk, alg);
  } catch {
    throw failure;
  }
  if (imported instanceof Uint8Array) throw failure;
  return imported;
}

/**
 * Imports a configured key or generates one. `path` names the option in errors; the key material
 * is never part of a message.
 */
export async function createSigningKey(
  config: ResolvedSigningKeyConfig,
  path: string,
): Promise<SigningKey> {
  const { alg } = config;
  let privateKey: CryptoKey;
  let keyJwk: JWK;
  if (config.privateJwk === undefined) {
    const pair = await generateKeyPair(alg);
    privateKey = pair.privateKey;
    keyJwk = await exportJWK(pair.publicKey);
  } else {
    privateKey = await importPrivateKey(config.privateJwk, alg, path);
    keyJwk = config.privateJwk;
  }
  const { kty, ...members } = publicMembers(keyJwk, alg);
  // RFC 7638: a thumbprint is a stable kid for a fixed key, and unique for a generated one.
  const kid = config.kid ?? (await calculateJwkThumbprint({ kty, ...members }));
  // Member order as in Auth0's JWKS: alg, kty, use, key members, kid.
  const publicJwk: JWK = { alg, kty, use: 'sig', ...members, kid };
  return { kid, alg, privateKey, publicJwk };
}

/**
 * The tenant's signing keys: the first signs, all are published in the JWKS. Rotation puts a new
 * key first and keeps the old one published or withdraws it.
 */
export class SigningKeyStore {
  readonly #initial: readonly SigningKey[];
  #keys: SigningKey[];
  #keySet: JWTVerifyGetKey;

  private constructor(keys: SigningKey[]) {
    this.#initial = [...keys];
    this.#keys = keys;
    this.#keySet = createLocalJWKSet(this.jwks());
  }

  /** Imports or generates every configured key. */
  static async create(configs: readonly ResolvedSigningKeyConfig[]): Promise<SigningKeyStore> {
    const keys = await Promise.all(
      configs.map((config, index) => createSigningKey(config, `signingKeys[${index}]`)),
    );
    const kids = new Set<string>();
    for (const key of keys) {
      if (kids.has(key.kid))
        throw new TypeError(`"signingKeys" has two keys with kid "${key.kid}"`);
      kids.add(key.kid);
    }
    return new SigningKeyStore(keys);
  }

  /** The key that signs new tokens. */
  get current(): SigningKey {
    // The constructor and withdraw() keep at least one key.
    return this.#keys[0]!;
  }

  /** The JWKS document (RFC 7517 section 5). */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** Algorithms of the published keys, for discovery's `id_token_signing_alg_values_supported`. */
  algorithms(): SigningAlgorithm[] {
    return [...new Set(this.#keys.map((key) => key.alg))];
  }

  /** A jose key resolver over the published keys, for verifying tokens this server issued. */
  keySet(): JWTVerifyGetKey {
    return this.#keySet;
  }

  /** Puts `key` first (it signs from now on); the previous key stays published when `keepPrevious`. */
  rotate(key: SigningKey, keepPrevious: boolean): { kid: string; previousKid: string } {
    if (this.#keys.some((existing) => existing.kid === key.kid)) {
      throw new TypeError(`A signing key with kid "${key.kid}" is already published`);
    }
    const previous = this.current;
    this.#keys = keepPrevious ? [key, ...this.#keys] : [key, ...this.#keys.slice(1)];
    this.#refresh();
    return { kid: key.kid, previousKid: previous.kid };
  }

  /** Removes a published key that is not the signing key. */
  withdraw(kid: string): void {
    if (kid === this.current.kid) {
      throw new TypeError(
        `Key "${kid}" signs new tokens; rotate to another key before withdrawing it`,
      );
    }
    if (!this.#keys.some((key) => key.kid === kid)) {
      throw new TypeError(`No published key has kid "${kid}"`);
    }
    this.#keys = this.#keys.filter((key) => key.kid !== kid);
    this.#refresh();
  }

  /** Back to the keys the server started with. */
  reset(): void {
    this.#keys = [...this.#initial];
    this.#refresh();
  }

  #refresh(): void {
    this.#keySet = createLocalJWKSet(this.jwks());
  }
}
