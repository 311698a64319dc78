import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import {
  GrantType,
  TUTORIAL,
  tutorialTenant,
  type ApiConfig,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';

/** A client's DPoP key pair, as a DPoP client holds it. */
export interface DpopKey {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** The public key, as a proof's `jwk` header carries it. */
  readonly jwk: JWK;
  /** RFC 7638 SHA-256 thumbprint: what a bound token's `cnf.jkt` must be. */
  readonly jkt: string;
}

/** A fresh key pair for `alg` (extractable, so its public half can go in the `jwk` header). */
export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/** What a proof says; every claim and header parameter can be replaced or removed (`undefined`). */
export interface ProofOptions {
  htm?: string;
  htu: string;
  /** Default: the mock's clock (`iat` must be within 60 s of it). */
  iat?: number | undefined;
  jti?: string | undefined;
  nonce?: string;
  /** The access token the proof goes with (at `/userinfo`): its `ath`. */
  accessToken?: string;
  /** Header parameters to replace (`typ`, `alg`, `jwk`, ...). */
  header?: Record<string, unknown>;
  /** Claims to add or replace. */
  claims?: Record<string, unknown>;
}

/** RFC 9449 section 4.2 `ath`. */
export function ath(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}

/** A DPoP proof JWT signed by `key`, at the mock clock's time unless `iat` says otherwise. */
export async function dpopProof(
  server: MockServer,
  key: DpopKey,
  options: ProofOptions,
): Promise<string> {
  const iat = 'iat' in options ? options.iat : await server.control.now();
  const claims: Record<string, unknown> = {
    jti: 'jti' in options ? options.jti : randomUUID(),
    htm: options.htm ?? 'POST',
    htu: options.htu,
    iat,
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...(options.accessToken === undefined ? {} : { ath: ath(options.accessToken) }),
    ...options.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...options.header })
    .sign(key.privateKey);
}

/** The tutorial API with DPoP allowed (or as `proofOfPossession` says). */
export function dpopApi(proofOfPossession: ApiConfig['proofOfPossession'] = 'allowed'): ApiConfig {
  return {
    identifier: TUTORIAL.audience,
    scopes: [TUTORIAL.scope],
    allowOfflineAccess: true,
    proofOfPossession,
  };
}

/** A public client (a SPA or a native app): no secret, the password and refresh grants. */
export const PUBLIC_CLIENT = 'public-client';

/**
 * The tutorial tenant whose API allows DPoP, plus a public client; `overrides` replace top-level
 * options.
 */
export function dpopTenant(overrides: MockServerConfig = {}): MockServerConfig {
  const tutorial = tutorialTenant();
  return {
    ...tutorial,
    apis: [dpopApi()],
    clients: [
      ...(tutorial.clients ?? []),
      {
        clientId: PUBLIC_CLIENT,
        tokenEndpointAuthMethod: 'none',
        grantTypes: [GrantType.password, GrantType.refreshToken],
        refreshToken: { rotation: 'rotating' },
      },
    ],
    ...overrides,
  };
}

/** The password grant's parameters for the public client. */
export function publicClientParameters(
  scope = 'read:sample offline_access',
): Record<string, string> {
  return {
    grant_type: 'password',
    username: TUTORIAL.username,
    password: TUTORIAL.password,
    audience: TUTORIAL.audience,
    scope,
    client_id: PUBLIC_CLIENT,
  };
}

/** An HTTP answer read in full. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * POSTs a form with `node:http`, which (unlike fetch) can send a header twice on two field lines:
 * `headers` values that are arrays become one line each.
 */
export function rawPost(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string | string[]>,
): Promise<RawAnswer> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST' }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.setHeader('content-type', 'application/x-www-form-urlencoded');
    for (const [name, value] of Object.entries(headers)) outgoing.setHeader(name, value);
    outgoing.end(body);
  });
}
