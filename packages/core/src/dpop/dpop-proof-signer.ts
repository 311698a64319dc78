import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { inspect } from 'node:util';
// jose's JWK, not node:crypto's JsonWebKey: the public types must not depend on the version of
// @types/node a user has (@types/node 26 moved JsonWebKey from node:crypto to webcrypto).
import type { JWK } from 'jose';
import { accessTokenHash, jwkThumbprint } from './jwk-thumbprint.js';

/**
 * The algorithms a DPoP proof can be signed with here: asymmetric ones only (RFC 9449 section 4.2:
 * never `none`, never a MAC).
 */
export const DPOP_SIGNING_ALGORITHMS = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'PS256',
  'EdDSA',
] as const);

/** One of {@link DPOP_SIGNING_ALGORITHMS}. */
export type DpopSigningAlgorithm = (typeof DPOP_SIGNING_ALGORITHMS)[number];

/** How a {@link DpopProofSigner} gets its key. */
export interface DpopKeyOptions {
  /**
   * The private key proofs are signed with: a `KeyObject` (`createPrivateKey(pem)`) or a private
   * JWK (with `d`). Its public half is what the proofs carry, and what the tokens get bound to.
   * Default: a key pair generated for `alg`, in memory, for this process only.
   */
  privateKey?: KeyObject | JWK;
  /**
   * The JWS algorithm (RFC 7518). Default: the key's own, `ES256` for an EC P-256 key (and for a
   * generated one), `ES384` for P-384, `ES512` for P-521, `EdDSA` for Ed25519 and Ed448, `RS256`
   * for RSA (`PS256` signs with an RSA key too; a key restricted to RSA-PSS is not taken). The key
   * must fit it: a `TypeError` otherwise.
   */
  alg?: DpopSigningAlgorithm;
}

/** What one proof is for (RFC 9449 section 4.2). */
export interface DpopProofInput {
  /** The request's method (`htm`), e.g. `POST`. */
  method: string;
  /** The request's URL; `htu` is this URL without query and fragment (section 4.2). */
  url: string | URL;
  /** The access token sent with the request, hashed into `ath` (section 4.2). Default: none. */
  accessToken?: string | undefined;
  /** The server-provided nonce to echo (section 8, section 9). Default: none. */
  nonce?: string | undefined;
}

/** The key type and curve (or size) each algorithm needs. */
const KEY_FITS: Readonly<Record<DpopSigningAlgorithm, (key: KeyObject) => boolean>> = {
  ES256: (key) => curveOf(key) === 'prime256v1',
  ES384: (key) => curveOf(key) === 'secp384r1',
  ES512: (key) => curveOf(key) === 'secp521r1',
  // RFC 7518 section 3.3 and 3.5: "A key of size 2048 bits or larger MUST be used".
  RS256: (key) => key.asymmetricKeyType === 'rsa' && rsaBits(key) >= 2048,
  PS256: (key) => key.asymmetricKeyType === 'rsa' && rsaBits(key) >= 2048,
  EdDSA: (key) => key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448',
};

/** What each algorithm needs, for messages. */
const KEY_NEEDED: Readonly<Record<DpopSigningAlgorithm, string>> = {
  ES256: 'an EC P-256 key',
  ES384: 'an EC P-384 key',
  ES512: 'an EC P-521 key',
  RS256: 'an RSA key of at least 2048 bits',
  PS256: 'an RSA key of at least 2048 bits',
  EdDSA: 'an Ed25519 or Ed448 key',
};

/** Most characters of an accepted method or nonce (a bound on what a proof can be made to hold). */
const MAX_FIELD_LENGTH = 2048;

/** RFC 9110 section 5.6.2 `token`: what an HTTP method is spelt with. */
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Signs DPoP proofs (RFC 9449 section 4.2) with one private key, synchronously on `node:crypto`.
 *
 * A proof is a JWT whose header is `typ: "dpop+jwt"`, the `alg`, and `jwk`: the PUBLIC key only
 * (section 4.2: it "MUST NOT contain a private key"); its claims are a fresh `jti` (128 random
 * bits; section 4.2 asks for at least 96), `htm`, `htu` (the URL without query and fragment),
 * `iat` by this signer's clock, `ath` when an access token goes with the request, and `nonce`
 * when the server gave one.
 *
 * The private key stays in a private field: `util.inspect`, `JSON.stringify` and `String()` show
 * the algorithm and the key's thumbprint only, and no error names the key.
 */
export class DpopProofSigner {
  readonly #privateKey: KeyObject;
  readonly #alg: DpopSigningAlgorithm;
  readonly #publicJwk: Readonly<Record<string, string>>;
  readonly #thumbprint: string;
  /** The encoded protected header, the same in every proof. */
  readonly #header: string;
  readonly #clock: () => number;

  /**
   * @param options.privateKey a `KeyObject` or a private JWK; default: a new key pair for `alg`.
   * @param options.alg default: the key's own (`ES256` for a generated key).
   * @param clock current time in milliseconds, for `iat`. Default `Date.now`.
   * @throws {TypeError} the key is not a private asymmetric key, or does not fit `alg`; messages
   *   name the option (`dpop.privateKey`, as the token client's `dpop` option), never the key.
   */
  constructor(options: DpopKeyOptions = {}, clock: () => number = Date.now) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('"dpop" must be an object ({ privateKey?, alg? })');
    }
    if (typeof clock !== 'function') {
      throw new TypeError('"clock" must be a function returning milliseconds since the epoch');
    }
    const { alg: askedAlg } = options;
    if (askedAlg !== undefined && !isDpopSigningAlgorithm(askedAlg)) {
      throw new TypeError(`"dpop.alg" must be one of ${DPOP_SIGNING_ALGORITHMS.join(', ')}`);
    }
    const privateKey =
      options.privateKey === undefined
        ? generatePrivateKey(askedAlg ?? 'ES256')
        : importPrivateKey(options.privateKey, 'dpop.privateKey');
    // RFC 7517 section 4.4: a JWK's "alg" names the one algorithm it is for.
    const jwkAlg: unknown = isJwk(options.privateKey) ? options.privateKey['alg'] : undefined;
    const alg =
      askedAlg ?? (isDpopSigningAlgorithm(jwkAlg) ? jwkAlg : defaultAlgorithm(privateKey));
    if (alg === undefined) {
      throw new TypeError(
        `"dpop.privateKey" is a key type no DPoP algorithm here signs with: give an EC (P-256, P-384, P-521), RSA (2048 bits or more) or Ed25519 key`,
      );
    }
    if (jwkAlg !== undefined && jwkAlg !== alg && !(alg === 'EdDSA' && jwkAlg === 'Ed25519')) {
      throw new TypeError(`"dpop.privateKey" is a JWK for another algorithm than "${alg}"`);
    }
    if (!KEY_FITS[alg](privateKey)) {
      throw new TypeError(`"dpop.privateKey" does not fit "${alg}": it needs ${KEY_NEEDED[alg]}`);
    }
    const publicKey = createPublicKey(privateKey);
    const publicJwk = publicMembers(publicKey.export({ format: 'jwk' }));
    // A JWK whose "d" is not the private half of its "x" and "y" imports without complaint, and
    // would sign proofs no server can verify: check the pair once, here.
    const probe = Buffer.from('ropkit DPoP key check');
    let matches = false;
    try {
      matches = verify(
        digestOf(alg),
        probe,
        signingKey(alg, publicKey),
        signWith(alg, privateKey, probe),
      );
    } catch {
      matches = false;
    }
    if (!matches) {
      throw new TypeError(`"dpop.privateKey" cannot sign "${alg}" proofs its public key verifies`);
    }
    const thumbprint = jwkThumbprint(publicJwk);
    if (thumbprint === undefined) {
      throw new TypeError(`"dpop.privateKey" has no RFC 7638 thumbprint`);
    }
    this.#privateKey = privateKey;
    this.#alg = alg;
    this.#publicJwk = publicJwk;
    this.#thumbprint = thumbprint;
    this.#header = base64url({ typ: 'dpop+jwt', alg, jwk: publicJwk });
    this.#clock = clock;
  }

  /** The JWS algorithm of every proof. */
  get alg(): DpopSigningAlgorithm {
    return this.#alg;
  }

  /** The public key proofs carry (`jwk` header), frozen: only the members of its key type. */
  get publicJwk(): Readonly<Record<string, string>> {
    return this.#publicJwk;
  }

  /**
   * The public key's RFC 7638 thumbprint (SHA-256, base64url): what a bound access token's
   * `cnf.jkt` is (RFC 9449 section 6.1), and what `dpop_jkt` would send.
   */
  get thumbprint(): string {
    return this.#thumbprint;
  }

  /**
   * A new proof for one request (RFC 9449 section 4.2). Never reuse one: each has its own `jti`,
   * and servers accept each once (section 11.1).
   *
   * @throws {TypeError} the method is not an HTTP method, the URL is not `http:` or `https:`, or
   *   the access token or nonce could not be sent in a header.
   */
  proof(input: DpopProofInput): string {
    const { method, accessToken, nonce } = input;
    if (typeof method !== 'string' || method.length > MAX_FIELD_LENGTH || !METHOD.test(method)) {
      throw new TypeError('"method" must be an HTTP method, such as GET or POST');
    }
    const claims: Record<string, string | number> = {
      jti: randomBytes(16).toString('base64url'),
      htm: method,
      htu: proofTarget(input.url),
      iat: Math.floor(this.#clock() / 1000),
    };
    if (accessToken !== undefined) {
      if (typeof accessToken !== 'string' || !/^[\x21-\x7E]+$/.test(accessToken)) {
        throw new TypeError('"accessToken" must be an access token');
      }
      claims['ath'] = accessTokenHash(accessToken);
    }
    if (nonce !== undefined) {
      // RFC 9449 section 8.1: nonce = 1*NQCHAR, printable ASCII without the double quote.
      if (typeof nonce !== 'string' || nonce.length > MAX_FIELD_LENGTH || !isNonce(nonce)) {
        throw new TypeError('"nonce" must be a DPoP nonce (printable ASCII, no double quote)');
      }
      claims['nonce'] = nonce;
    }
    const input64 = `${this.#header}.${base64url(claims)}`;
    const signature = signWith(this.#alg, this.#privateKey, Buffer.from(input64));
    return `${input64}.${signature.toString('base64url')}`;
  }

  /** The algorithm and thumbprint: never the key. */
  toJSON(): { alg: DpopSigningAlgorithm; thumbprint: string } {
    return { alg: this.#alg, thumbprint: this.#thumbprint };
  }

  /** `DpopProofSigner { alg, thumbprint }`: never the key. */
  toString(): string {
    return `DpopProofSigner { alg: ${this.#alg}, thumbprint: ${this.#thumbprint} }`;
  }

  /** As `toString()`. */
  [inspect.custom](): string {
    return this.toString();
  }
}

/** True for an algorithm {@link DpopProofSigner} signs with. */
export function isDpopSigningAlgorithm(value: unknown): value is DpopSigningAlgorithm {
  return (DPOP_SIGNING_ALGORITHMS as readonly unknown[]).includes(value);
}

/** RFC 9449 section 8.1 `nonce = 1*NQCHAR`, `NQCHAR = %x21 / %x23-5B / %x5D-7E`. */
export function isNonce(value: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value);
}

/**
 * `htu` (RFC 9449 section 4.2): "The HTTP target URI ... without query and fragment parts", and
 * without user information either (RFC 9110 section 4.2.4 deprecates it in http(s) URIs; a
 * password there must never be signed into a header). `URL` normalises the scheme, host and
 * default port as section 4.3 compares them.
 *
 * @throws {TypeError} the URL does not parse, or is not `http:` or `https:`.
 */
export function proofTarget(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = url instanceof URL ? url : new URL(url);
  } catch {
    throw new TypeError('"url" must be an absolute http: or https: URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError('"url" must be an absolute http: or https: URL');
  }
  return `${parsed.origin}${parsed.pathname}`;
}

function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && !isKeyObject(value);
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'export') === 'function' &&
    typeof Reflect.get(value, 'type') === 'string'
  );
}

/** The private key as a `KeyObject`; the messages never hold any part of it. */
function importPrivateKey(key: unknown, what: string): KeyObject {
  if (isKeyObject(key)) {
    if (key.type !== 'private') {
      throw new TypeError(
        `"${what}" must be a private key: ${key.type === 'public' ? 'this is a public key' : 'a secret key cannot sign DPoP proofs (section 4.2: asymmetric only)'}`,
      );
    }
    return key;
  }
  if (!isJwk(key)) {
    throw new TypeError(`"${what}" must be a private KeyObject or a private JWK`);
  }
  if (typeof key.d !== 'string') {
    throw new TypeError(`"${what}" must be a private JWK (with "d"), not a public one`);
  }
  if (key.kty !== 'EC' && key.kty !== 'RSA' && key.kty !== 'OKP') {
    throw new TypeError(`"${what}" must be an EC, RSA or OKP JWK`);
  }
  try {
    return createPrivateKey({ key, format: 'jwk' });
  } catch {
    // The cause is not attached: node's error could quote the key.
    throw new TypeError(`"${what}" is not a usable private JWK`);
  }
}

/** A new private key for `alg`, in memory: P-256/384/521, RSA 2048 bits, or Ed25519. */
function generatePrivateKey(alg: DpopSigningAlgorithm): KeyObject {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519').privateKey;
  if (alg === 'RS256' || alg === 'PS256') {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
  const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
  return generateKeyPairSync('ec', { namedCurve }).privateKey;
}

/** The algorithm a key signs with when none is named. */
function defaultAlgorithm(key: KeyObject): DpopSigningAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return (
        { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as const satisfies Record<
          string,
          DpopSigningAlgorithm
        >
      )[curveOf(key) ?? ''];
    case 'rsa':
      return 'RS256';
    case 'ed25519':
    case 'ed448':
      return 'EdDSA';
    default:
      return undefined;
  }
}

function curveOf(key: KeyObject): string | undefined {
  return key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
}

function rsaBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** The digest `crypto.sign` takes for `alg` (`null` for EdDSA, which hashes by itself). */
function digestOf(alg: DpopSigningAlgorithm): string | null {
  switch (alg) {
    case 'ES384':
      return 'sha384';
    case 'ES512':
      return 'sha512';
    case 'EdDSA':
      return null;
    default:
      return 'sha256';
  }
}

/**
 * The key with the options RFC 7518 sets for `alg`: ECDSA signatures as `R || S` (section 3.4,
 * not DER), RSASSA-PSS with a salt as long as the hash (section 3.5).
 */
function signingKey(
  alg: DpopSigningAlgorithm,
  key: KeyObject,
):
  | KeyObject
  | { key: KeyObject; dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number } {
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' };
  if (alg === 'PS256') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  }
  return key;
}

function signWith(alg: DpopSigningAlgorithm, key: KeyObject, data: Buffer): Buffer {
  return sign(digestOf(alg), data, signingKey(alg, key));
}

/** Only the public members of the key type (RFC 7517 section 6), frozen. */
function publicMembers(jwk: JWK): Readonly<Record<string, string>> {
  const members: Record<string, readonly string[]> = {
    EC: ['kty', 'crv', 'x', 'y'],
    OKP: ['kty', 'crv', 'x'],
    RSA: ['kty', 'e', 'n'],
  };
  const out: Record<string, string> = {};
  for (const name of members[jwk.kty ?? ''] ?? []) {
    const value: unknown = Reflect.get(jwk, name);
    if (typeof value === 'string') out[name] = value;
  }
  return Object.freeze(out);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
