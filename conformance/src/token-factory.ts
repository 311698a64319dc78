import { createPublicKey } from 'node:crypto';
import {
  CompactSign,
  SignJWT,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';

/** A signing key the kit holds and the mock server publishes. */
export interface KitKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  privateJwk: JWK;
}

/** A fresh signing key pair the kit keeps, for the mock server to publish. */
export async function createKitKey(kid: string, alg = 'RS256'): Promise<KitKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, privateJwk: { ...(await exportJWK(privateKey)), kid, alg } };
}

/** The public half of a kit key, as a PEM (SPKI): what an API given one static key holds. */
export function publicPemOf(key: KitKey): string {
  const { n, e, kty, crv, x, y } = key.privateJwk;
  return createPublicKey({ key: { n, e, kty, crv, x, y }, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

/** The HMAC algorithms (RFC 7518 section 3.2) of {@link hmacKitKey}. */
export type HmacKitAlgorithm = 'HS256' | 'HS384' | 'HS512';

const HMAC_HASHES: Readonly<Record<HmacKitAlgorithm, string>> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};

/**
 * An HMAC "key" of the kit: `secret` (its UTF-8 bytes, as an API's signing secret is used), to
 * sign tokens with `alg`. Its `privateJwk` is the `oct` JWK of the secret; its kid is `kid`
 * (`TokenFactory.sign` puts it in the header unless told `header: { kid: undefined }`).
 */
export async function hmacKitKey(
  secret: string,
  alg: HmacKitAlgorithm = 'HS256',
  kid = 'hmac',
): Promise<KitKey> {
  const bytes = new TextEncoder().encode(secret);
  const privateKey = await crypto.subtle.importKey(
    'raw',
    bytes,
    { name: 'HMAC', hash: HMAC_HASHES[alg] },
    true,
    ['sign'],
  );
  return {
    kid,
    alg,
    privateKey,
    privateJwk: { kty: 'oct', k: Buffer.from(bytes).toString('base64url'), kid, alg },
  };
}

/** Options of {@link TokenFactory.sign}. */
export interface CraftOptions {
  /** Claims merged over the defaults; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Header parameters merged over `{alg, typ: 'JWT', kid}`; `undefined` removes one. */
  header?: Record<string, unknown>;
  key?: KitKey;
}

/**
 * Signs access tokens shaped like Auth0's with keys the mock server publishes, so scenarios can
 * present any claim set to an adapter's app.
 */
export class TokenFactory {
  readonly #issuer: string;
  readonly #audience: string;
  key: KitKey;

  constructor(issuer: string, audience: string, key: KitKey) {
    this.#issuer = issuer;
    this.#audience = audience;
    this.key = key;
  }

  /** Seconds since the epoch. */
  static now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** Signs an Auth0-shaped access token, with the given claims and header changes. */
  async sign(options: CraftOptions = {}): Promise<string> {
    const key = options.key ?? this.key;
    const now = TokenFactory.now();
    const claims: Record<string, unknown> = {
      iss: this.#issuer,
      sub: 'auth0|conformance',
      aud: this.#audience,
      iat: now,
      exp: now + 600,
      azp: 'conformance-app',
      gty: 'password',
      scope: 'openid read:sample',
      ...options.claims,
    };
    const header: JWTHeaderParameters = {
      alg: key.alg,
      typ: 'JWT',
      kid: key.kid,
      ...options.header,
    };
    for (const [name, value] of Object.entries(claims))
      if (value === undefined) delete claims[name];
    for (const [name, value] of Object.entries(header))
      if (value === undefined) delete header[name];
    return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
  }

  /** Signs exact payload bytes (for claims JSON cannot express as jose would, such as 1e400). */
  signRaw(payload: string, key: KitKey = this.key): Promise<string> {
    return new CompactSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  }

  get issuer(): string {
    return this.#issuer;
  }

  get audience(): string {
    return this.#audience;
  }
}
