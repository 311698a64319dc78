import { createHash, createHmac } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWTPayload,
} from 'jose';
import type { SigningKey } from './signing-keys.js';

/**
 * The ways an `id-token` fault can spoil the ID token of a successful token response. Each breaks
 * one check that OpenID Connect Core 1.0 section 3.1.3.7 asks of a client (the password grant's ID
 * token comes from the token endpoint, as the Authorization Code Flow's does), so a test can show
 * that a client refuses it:
 *
 * - `alg-none`: header `alg: none` and an empty signature (RFC 7519 section 6): section 2 forbids
 *   `none` unless the client registered for it; step 7 (RFC 8725 section 3.1).
 * - `hs256-client-secret`: `HS256` keyed with the client's secret as step 8 and section 10.1
 *   describe, sent to a client that expects RS256: the key-confusion attack (step 7).
 * - `unknown-key`: signed with the signing key's algorithm by a fresh key that the JWKS does not
 *   publish, under a `kid` it does not list (step 6).
 * - `bad-signature`: a valid token with one byte of its signature changed (step 6).
 * - `wrong-audience`: `aud` is another client's id (step 3).
 * - `wrong-issuer`: `iss` is the issuer without its trailing slash, the form most likely to pass a
 *   comparison that normalises URLs; step 2 asks for an exact match.
 * - `expired`: `exp` an hour before the real issuance, `iat` a lifetime before that (step 9).
 * - `issued-in-future`: `iat` an hour ahead, `exp` a lifetime after that (step 10).
 * - `missing-sub`: no `sub`, which section 2 requires.
 * - `other-sub`: another user's `sub`; section 12.2 requires a refreshed ID token to keep the
 *   original `sub`.
 * - `multiple-audiences-no-azp`: `aud` is `[client, other]` and there is no `azp` (step 4).
 * - `wrong-azp`: `aud` is `[client, other]` and `azp` is the other client (step 5).
 *
 * Steps 4 and 5 are those of the 2014 text; errata set 2 leaves `azp` to extensions, but a client
 * still has no business accepting a token whose authorized party is someone else. Except for the
 * three signature defects, the token is signed as usual (current signing key, published `kid`), so
 * that the named defect is the only one.
 */
export const ID_TOKEN_DEFECTS = [
  'alg-none',
  'hs256-client-secret',
  'unknown-key',
  'bad-signature',
  'wrong-audience',
  'wrong-issuer',
  'expired',
  'issued-in-future',
  'missing-sub',
  'other-sub',
  'multiple-audiences-no-azp',
  'wrong-azp',
] as const;

/** One of {@link ID_TOKEN_DEFECTS}. */
export type IdTokenDefect = (typeof ID_TOKEN_DEFECTS)[number];

/** How far `expired` and `issued-in-future` move the token: beyond any clock-skew tolerance. */
const SHIFT_SECONDS = 3600;

/** What a defective ID token is made from. */
export interface IdTokenDefectContext {
  /** The ID token the grant produced, signed by {@link key}. */
  readonly idToken: string;
  /** The client the token is for. */
  readonly clientId: string;
  /** The client's secret; `undefined` for a public client. Used only as a MAC key. */
  readonly clientSecret: string | undefined;
  /** The tenant's issuer, with its trailing slash. */
  readonly issuer: string;
  /** The key that signs the tenant's tokens now. */
  readonly key: SigningKey;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Another client, for the audience defects. It starts with the client's id, so that a prefix or
 * substring comparison of `aud` does not let it through either.
 */
function otherClient(clientId: string): string {
  return `${clientId}-other`;
}

/** A `sub` of the form Auth0 gives (`auth0|` and 24 hex digits), different from `sub`. */
function otherSub(sub: unknown): string {
  const digest = createHash('sha256')
    .update(`${String(sub)}\0other-user`)
    .digest('hex');
  return `auth0|${digest.slice(0, 24)}`;
}

function sign(key: SigningKey, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

/** The ID token's claims, changed, signed as the tenant signs its tokens. */
function withClaims(
  context: IdTokenDefectContext,
  change: (claims: JWTPayload) => JWTPayload,
): Promise<string> {
  return sign(context.key, change({ ...decodeJwt(context.idToken) }));
}

/** The claims issued at `iat` instead, with the token's lifetime kept. */
function reissued(claims: JWTPayload, iat: number): JWTPayload {
  const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
  return { ...claims, iat, exp: iat + lifetime };
}

/** The ID token's parts: header, payload and signature, base64url-encoded. */
function parts(idToken: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  return [header, payload, signature];
}

/** How each defect is made; a record, so that a new defect cannot be left without one. */
const SPOILERS: Record<IdTokenDefect, (context: IdTokenDefectContext) => Promise<string>> = {
  'alg-none': async ({ idToken }) =>
    // RFC 7519 section 6.1: an Unsecured JWT has an empty signature part.
    `${base64urlJson({ alg: 'none', typ: 'JWT' })}.${parts(idToken)[1]}.`,
  'hs256-client-secret': async ({ idToken, clientSecret }) => {
    // OIDC Core section 10.1: the MAC key is the octets of the UTF-8 client_secret. A public
    // client has none: the key is then empty, which no client holds either.
    const signingInput = `${base64urlJson({ alg: 'HS256', typ: 'JWT' })}.${parts(idToken)[1]}`;
    const mac = createHmac('sha256', Buffer.from(clientSecret ?? '', 'utf8'))
      .update(signingInput)
      .digest('base64url');
    return `${signingInput}.${mac}`;
  },
  'unknown-key': async ({ idToken, key }) => {
    const { privateKey, publicKey } = await generateKeyPair(key.alg);
    // A kid in the tenant's form (an RFC 7638 thumbprint), for a key the JWKS does not list.
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    return new SignJWT(decodeJwt(idToken))
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid })
      .sign(privateKey);
  },
  'bad-signature': async ({ idToken }) => {
    const [header, payload, signature] = parts(idToken);
    // Change a decoded byte: editing the last base64url character may only touch its padding
    // bits, which some decoders ignore, and leave the signature valid.
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  },
  'wrong-audience': (context) =>
    withClaims(context, (claims) => ({ ...claims, aud: otherClient(context.clientId) })),
  'wrong-issuer': (context) =>
    withClaims(context, (claims) => ({ ...claims, iss: context.issuer.replace(/\/$/, '') })),
  expired: (context) =>
    withClaims(context, (claims) => {
      const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
      // Expired an hour before the real issuance: past any clock-skew tolerance.
      return reissued(claims, (claims.iat ?? 0) - SHIFT_SECONDS - lifetime);
    }),
  'issued-in-future': (context) =>
    withClaims(context, (claims) => reissued(claims, (claims.iat ?? 0) + SHIFT_SECONDS)),
  'missing-sub': (context) => withClaims(context, ({ sub: _removed, ...claims }) => claims),
  'other-sub': (context) =>
    withClaims(context, (claims) => ({ ...claims, sub: otherSub(claims.sub) })),
  'multiple-audiences-no-azp': (context) =>
    withClaims(context, ({ azp: _removed, ...claims }) => ({
      ...claims,
      aud: [context.clientId, otherClient(context.clientId)],
    })),
  'wrong-azp': (context) =>
    withClaims(context, (claims) => ({
      ...claims,
      aud: [context.clientId, otherClient(context.clientId)],
      azp: otherClient(context.clientId),
    })),
};

/**
 * The ID token of `context` with `defect`. Never logs or returns the client's secret: it only
 * keys the MAC of `hs256-client-secret`.
 */
export function defectiveIdToken(
  defect: IdTokenDefect,
  context: IdTokenDefectContext,
): Promise<string> {
  return SPOILERS[defect](context);
}
