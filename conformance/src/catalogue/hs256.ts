import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import { soleIssuerOf, type TestAppOptions } from '../test-app.js';
import {
  TokenFactory,
  hmacKitKey,
  publicPemOf,
  type CraftOptions,
  type KitKey,
} from '../token-factory.js';
import { expectTokenRefused, expectTokenServed, scenario } from './define.js';

const G = 'Symmetric signatures (HS256)' as const;

const now = () => TokenFactory.now();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A fresh API signing secret: 64 ASCII characters (64 bytes, enough for HS512 too; RFC 7518
 * section 3.2 wants 32 for HS256), as Auth0 generates one for an API set to HS256.
 */
function newSecret(): string {
  return randomBytes(48).toString('base64url');
}

/** The options with `secret` instead of the key set: HS256 only, no `jwksUri`. */
function withSecret(options: TestAppOptions, secret: string): TestAppOptions {
  const { issuer } = soleIssuerOf(options.verifier);
  const { jwksUri: _jwksUri, issuer: _issuer, ...verifier } = options.verifier;
  return { ...options, verifier: { ...verifier, issuer, secret, algorithms: ['HS256'] } };
}

/** An app started with an HS256 secret, and a signer of tokens with it. */
interface Hs256Setup {
  http: ConformanceHttp;
  secret: string;
  /** The secret as an HS256 key. */
  key: KitKey;
  /** An Auth0-shaped HS256 token MACed with the secret (no `kid`, as Auth0's), changed by `options`. */
  sign(options?: CraftOptions): Promise<string>;
  /** Fails unless a valid HS256 token is served: the control of every refusal. */
  expectServed(): Promise<void>;
}

async function startHs256App(context: ScenarioContext): Promise<Hs256Setup> {
  const secret = newSecret();
  const { http } = await context.startApp((options) => withSecret(options, secret));
  const key = await hmacKitKey(secret, 'HS256', 'hs256');
  const sign = (options: CraftOptions = {}) =>
    context.tokens.sign({
      ...options,
      key: options.key ?? key,
      header: { kid: undefined, ...options.header },
    });
  return {
    http,
    secret,
    key,
    sign,
    expectServed: async () => {
      await expectTokenServed(
        http,
        await sign(),
        'an HS256 token MACed with the configured secret (the control)',
      );
    },
  };
}

/** The public key of the issuer's signing key, as a PEM (SPKI) and as a public JWK's JSON. */
function publicFormsOf(key: KitKey): { pem: string; jwk: string } {
  const { n, e, kty } = key.privateJwk;
  return { pem: publicPemOf(key), jwk: JSON.stringify({ e, kty, n }) };
}

const ALGORITHMS_31 =
  '"Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations"';

/**
 * An API whose tokens are MACed with HS256 (RFC 7518 section 3.2; an Auth0 API set to HS256):
 * the verifier is given the API's secret instead of a key set, and `['HS256']`. RFC 8725 section
 * 3.1: one verifier, one kind of key; nothing asymmetric beside the secret, no other HMAC. Every
 * refusal first has a valid HS256 token served, so a verifier that refuses everything (one that
 * ignores `verifier.secret`) does not pass a refusal.
 */
export const hs256 = [
  scenario({
    id: 'hs-01',
    group: G,
    spec: 'RFC 7518 section 3.1',
    words:
      '"Of these algorithms, only HMAC SHA-256 and \\"none\\" MUST be implemented by conforming JWS implementations" (an HS256 token MACed with the secret the API was given is served: the other side of every refusal)',
    name: 'MUST accept an HS256 token MACed with the configured secret',
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await expectTokenServed(
        app.http,
        await app.sign(),
        'an HS256 token MACed with the configured secret',
      );
      await expectTokenServed(
        app.http,
        await app.sign({ header: { kid: 'hs256' }, claims: { sub: 'auth0|another-user' } }),
        'another HS256 token MACed with the configured secret, with a kid',
      );
    },
  }),
  scenario({
    id: 'hs-02',
    group: G,
    spec: 'RFC 7519 section 7.2 / RFC 7515 section 5.2',
    words:
      '"If any of the listed steps fail, then the JWT MUST be rejected" (step: validate the JWS; a MAC made with another secret, or over other claims, does not validate)',
    name: 'MUST reject an HS256 token MACed with another secret, or whose claims changed',
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await app.expectServed();
      await expectTokenRefused(
        app.http,
        await app.sign({ key: await hmacKitKey(newSecret(), 'HS256', 'hs256') }),
        'an HS256 token MACed with another secret of the same length',
      );
      const [header = '', , mac = ''] = (await app.sign()).split('.');
      const forged = b64({
        iss: context.tokens.issuer,
        aud: context.tokens.audience,
        sub: 'auth0|admin',
        iat: now(),
        exp: now() + 600,
        scope: 'openid read:sample',
      });
      await expectTokenRefused(
        app.http,
        `${header}.${forged}.${mac}`,
        'an HS256 token whose claims were changed (sub auth0|admin) after the MAC, keeping the MAC',
      );
    },
  }),
  scenario({
    id: 'hs-03',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words: `${ALGORITHMS_31} (verifier.algorithms is HS256: one verifier never mixes symmetric and asymmetric keys)`,
    name: "MUST reject an RS256 token, even one signed by the issuer's published key, when HS256 is configured",
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await app.expectServed();
      await expectTokenRefused(
        app.http,
        await context.tokens.sign(),
        `an RS256 token signed by the issuer's key (${context.tokens.key.kid}, in its key set)`,
      );
    },
  }),
  scenario({
    id: 'hs-04',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words: `${ALGORITHMS_31} (verifier.algorithms is HS256; "none" is no algorithm of it)`,
    name: 'MUST reject alg "none" when HS256 is configured',
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await app.expectServed();
      const claims = {
        iss: context.tokens.issuer,
        aud: context.tokens.audience,
        sub: 'auth0|conformance',
        iat: now(),
        exp: now() + 600,
        scope: 'openid read:sample',
      };
      await expectTokenRefused(
        app.http,
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
        'an unsigned token (alg "none")',
      );
    },
  }),
  scenario({
    id: 'hs-05',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words:
      '"each key MUST be used with exactly one algorithm, and this MUST be checked" (the issuer\'s RSA public key is no HMAC secret: the classic key confusion, RFC 8725 section 2.1)',
    name: "MUST reject an HS256 token MACed with the issuer's RSA public key (PEM or JWK) instead of the secret",
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await app.expectServed();
      const { kid } = context.tokens.key;
      const forms = publicFormsOf(context.tokens.key);
      for (const [form, bytes] of [
        ['PEM (SPKI)', forms.pem],
        ['JWK JSON', forms.jwk],
      ] as const) {
        const token = await new SignJWT({
          iss: context.tokens.issuer,
          aud: context.tokens.audience,
          sub: 'auth0|conformance',
          iat: now(),
          exp: now() + 600,
          scope: 'openid read:sample',
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
          .sign(new TextEncoder().encode(bytes));
        await expectTokenRefused(
          app.http,
          token,
          `an HS256 token (kid ${kid}) MACed with the issuer's RSA public key as ${form}`,
        );
      }
    },
  }),
  scenario({
    id: 'hs-06',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words: `${ALGORITHMS_31} (verifier.algorithms is HS256 only; HS384 is another algorithm, whatever the key)`,
    name: 'MUST reject HS384 when only HS256 is configured, even MACed with the configured secret',
    uses: ['verifier.secret', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startHs256App(context);
      await app.expectServed();
      await expectTokenRefused(
        app.http,
        await app.sign({ key: await hmacKitKey(app.secret, 'HS384', 'hs256') }),
        'an HS384 token MACed with the configured secret (64 bytes, long enough for HS384)',
      );
    },
  }),
];
