import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isCanonicalBase64url, isJsonObject } from './compact-jws.js';

/**
 * One entry of a JSON Web Key Set, imported once when the set loads: a `KeyObject` when the entry
 * is a public signature verification key, or the reason it cannot be one. The members a key is
 * selected by (`kid`, `kty`, `crv`, `alg`) are kept either way, so that a token naming a broken
 * key is answered 503 (the key set is at fault) rather than 401.
 */
export type ImportedJwk = UsableJwk | UnusableJwk;

interface JwkSelectors {
  /** `undefined` when absent (or, for an unusable entry, not a string). */
  readonly kid: string | undefined;
  /** `undefined` for an unusable entry without a string `kty`: it may be any key. */
  readonly kty: string | undefined;
  readonly crv: string | undefined;
  /** The algorithm the key is restricted to (RFC 7517 section 4.4), if any. */
  readonly alg: string | undefined;
}

export interface UsableJwk extends JwkSelectors {
  readonly usable: true;
  readonly kty: string;
  readonly key: KeyObject;
}

export interface UnusableJwk extends JwkSelectors {
  readonly usable: false;
  /** Why, in a fixed sentence naming the member at fault; never key material. */
  readonly reason: string;
}

/** Members that only private (or secret) keys have (RFC 7518 section 6, RFC 8037 section 2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** Coordinate and key lengths in bytes (RFC 7518 section 6.2.1, RFC 8037 section 2). */
const EC_CURVES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const ED25519_KEY_BYTES = 32;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Imports one key set entry as a public verification key (RFC 7517, RFC 7518 section 6,
 * RFC 8037), with `crypto.createPublicKey`. Refused, with a reason: an entry that is not a JWK
 * object; `kid`, `alg`, `use`, `key_ops` or `ext` of the wrong type; `use` other than `sig`;
 * `key_ops` other than `["verify"]`; private or secret members; an `oct` key; a key type or curve
 * that signs nothing this library verifies; members that are not strict base64url; an RSA modulus
 * that is even or shorter than 2048 bits, or a public exponent that is even or 1 (with `e` = 1
 * anyone can forge a signature); an EC point that is not on its curve. Never throws.
 */
export function importJwk(entry: unknown): ImportedJwk {
  if (!isJsonObject(entry) || typeof entry['kty'] !== 'string') {
    const kid = isJsonObject(entry) ? entry['kid'] : undefined;
    return unusable(
      {
        kid: typeof kid === 'string' ? kid : undefined,
        kty: undefined,
        crv: undefined,
        alg: undefined,
      },
      'the entry is not a JSON Web Key object',
    );
  }
  const { kid, kty, crv, alg, use, ext } = entry;
  const selectors: JwkSelectors = {
    kid: typeof kid === 'string' ? kid : undefined,
    kty,
    crv: typeof crv === 'string' ? crv : undefined,
    alg: typeof alg === 'string' ? alg : undefined,
  };
  if (kid !== undefined && typeof kid !== 'string')
    return unusable(selectors, '"kid" is not a string');
  if (alg !== undefined && typeof alg !== 'string')
    return unusable(selectors, '"alg" is not a string');
  if (crv !== undefined && typeof crv !== 'string')
    return unusable(selectors, '"crv" is not a string');
  if (ext !== undefined && typeof ext !== 'boolean') {
    return unusable(selectors, '"ext" is not a boolean');
  }
  if (use !== undefined && use !== 'sig') {
    return unusable(
      selectors,
      typeof use === 'string' ? '"use" is not "sig"' : '"use" is not a string',
    );
  }
  const keyOpsProblem = checkKeyOps(entry['key_ops']);
  if (keyOpsProblem !== undefined) return unusable(selectors, keyOpsProblem);
  for (const member of PRIVATE_MEMBERS) {
    if (entry[member] !== undefined) {
      return unusable(selectors, `"${member}" is present: not a public key`);
    }
  }
  switch (kty) {
    case 'RSA':
      return importRsa(entry, selectors);
    case 'EC':
      return importEc(entry, selectors);
    case 'OKP':
      return importOkp(entry, selectors);
    case 'oct':
      return unusable(selectors, 'a symmetric ("oct") key never verifies a public signature');
    default:
      return unusable(selectors, 'the key type is not supported');
  }
}

/** RFC 7517 section 4.3: a public verification key's `key_ops`, if present, is `["verify"]`. */
function checkKeyOps(keyOps: unknown): string | undefined {
  if (keyOps === undefined) return undefined;
  if (!Array.isArray(keyOps) || keyOps.some((op) => typeof op !== 'string')) {
    return '"key_ops" is not an array of strings';
  }
  if (keyOps.length !== 1 || keyOps[0] !== 'verify') return '"key_ops" is not ["verify"]';
  return undefined;
}

function importRsa(jwk: Record<string, unknown>, selectors: JwkSelectors): ImportedJwk {
  const n = decodeMember(jwk['n']);
  const e = decodeMember(jwk['e']);
  if (n === undefined) return unusable(selectors, 'the modulus "n" is not base64url');
  if (e === undefined) return unusable(selectors, 'the exponent "e" is not base64url');
  if (((n.at(-1) ?? 0) & 1) === 0) return unusable(selectors, 'the modulus "n" is even');
  if (((e.at(-1) ?? 0) & 1) === 0 || isOne(e)) {
    return unusable(selectors, 'the exponent "e" is even or 1');
  }
  const key = create({ kty: 'RSA', n: String(jwk['n']), e: String(jwk['e']) });
  if (key === undefined) return unusable(selectors, 'the RSA key is malformed');
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    return unusable(selectors, 'the modulus "n" is shorter than 2048 bits');
  }
  return { usable: true, ...selectors, kty: 'RSA', key };
}

function importEc(jwk: Record<string, unknown>, selectors: JwkSelectors): ImportedJwk {
  const { crv } = selectors;
  const size = crv === undefined ? undefined : EC_CURVES[crv];
  if (crv === undefined || size === undefined)
    return unusable(selectors, 'the curve is not supported');
  const x = decodeMember(jwk['x']);
  const y = decodeMember(jwk['y']);
  if (x === undefined || y === undefined) {
    return unusable(selectors, 'the point "x", "y" is not base64url');
  }
  const key = create({ kty: 'EC', crv, x: String(jwk['x']), y: String(jwk['y']) });
  if (key === undefined) return unusable(selectors, 'the EC point is not on its curve');
  return { usable: true, ...selectors, kty: 'EC', key };
}

function importOkp(jwk: Record<string, unknown>, selectors: JwkSelectors): ImportedJwk {
  if (selectors.crv !== 'Ed25519') return unusable(selectors, 'the curve is not supported');
  const x = decodeMember(jwk['x']);
  if (x?.length !== ED25519_KEY_BYTES) {
    return unusable(selectors, 'the public key "x" is not 32 bytes of base64url');
  }
  const key = create({ kty: 'OKP', crv: 'Ed25519', x: String(jwk['x']) });
  if (key === undefined) return unusable(selectors, 'the Ed25519 key is malformed');
  return { usable: true, ...selectors, kty: 'OKP', key };
}

/**
 * A base64url member (RFC 7518 section 2): non-empty, no padding, no other character, no stray
 * bits. `crypto.createPublicKey` alone skips characters it does not know.
 */
function decodeMember(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !BASE64URL.test(value)) return undefined;
  if (!isCanonicalBase64url(value, 0, value.length)) return undefined;
  return Buffer.from(value, 'base64url');
}

function isOne(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] !== 0) return false;
  return bytes.at(-1) === 1;
}

/** Only the members that make the public key reach `createPublicKey`. */
function create(jwk: JsonWebKey): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return key.type === 'public' ? key : undefined;
  } catch {
    return undefined;
  }
}

function unusable(selectors: JwkSelectors, reason: string): UnusableJwk {
  return { usable: false, ...selectors, reason };
}
