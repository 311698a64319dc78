import { SignJWT, type JWTHeaderParameters } from 'jose';
import type { TestKey } from './keys.js';

export const ISSUER = 'http://127.0.0.1/';
export const AUDIENCE = 'https://api.example.com';

/** Options of {@link signAccessToken}. */
export interface SignOptions {
  /** Header parameters merged over `{alg, typ: 'JWT', kid}`; `undefined` removes one. */
  header?: Partial<Record<keyof JWTHeaderParameters | string, unknown>>;
  /** Claims merged over the defaults; `undefined` removes one. */
  claims?: Record<string, unknown>;
  /** Seconds since the epoch used for iat and exp. Default: now. */
  now?: number;
  issuer?: string;
}

/** Signs an Auth0-shaped access token (typ JWT, iss, sub, aud, iat, exp, azp, gty, scope). */
export async function signAccessToken(key: TestKey, options: SignOptions = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: options.issuer ?? ISSUER,
    sub: 'auth0|user-1',
    aud: [AUDIENCE, `${options.issuer ?? ISSUER}userinfo`],
    iat: now,
    exp: now + 3600,
    azp: 'client-1',
    gty: 'password',
    scope: 'openid read:sample',
    ...options.claims,
  };
  const header: Record<string, unknown> = {
    alg: key.alg,
    typ: 'JWT',
    kid: key.kid,
    ...options.header,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return new SignJWT(claims)
    .setProtectedHeader(header as unknown as JWTHeaderParameters)
    .sign(key.privateKey);
}

/** Base64url of a JSON value, for hand-made tokens. */
export function b64json(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Replaces the payload segment of a token, keeping header and signature. */
export function withRawPayload(token: string, rawJson: string): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(rawJson).toString('base64url')}.${signature}`;
}
