import { SignJWT } from 'jose';
import { check, describeAnswer } from '../check.js';
import type { ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import { soleIssuerOf, type TestAppOptions } from '../test-app.js';
import { TokenFactory, createKitKey, publicPemOf, type KitKey } from '../token-factory.js';
import { expectTokenRefused, expectTokenServed, pause, scenario } from './define.js';

const G = 'A static public key' as const;

const now = () => TokenFactory.now();

/** The kid of the key the static-key apps are given (a token's kid is not needed to find it). */
const STATIC_KID = 'static-key';

/** The options with `publicKey` (a PEM) instead of the key set: no `jwksUri`. */
function withPublicKey(options: TestAppOptions, publicKey: string): TestAppOptions {
  const { issuer } = soleIssuerOf(options.verifier);
  const { jwksUri: _jwksUri, issuer: _issuer, ...verifier } = options.verifier;
  return { ...options, verifier: { ...verifier, issuer, publicKey } };
}

/** An app started with a static public key, and a signer with its private half. */
interface StaticKeySetup {
  http: ConformanceHttp;
  /** The key whose public half the app was given; the mock server does not publish it. */
  key: KitKey;
  /** The PEM the app was given. */
  publicKey: string;
  /** Signs Auth0-shaped tokens of the kit's issuer with {@link key}. */
  tokens: TokenFactory;
  /** Fails unless a token signed with the configured key is served: the control of refusals. */
  expectServed(): Promise<void>;
}

async function startStaticKeyApp(context: ScenarioContext): Promise<StaticKeySetup> {
  const key = await createKitKey(STATIC_KID);
  const publicKey = publicPemOf(key);
  const { http } = await context.startApp((options) => withPublicKey(options, publicKey));
  const tokens = new TokenFactory(context.tokens.issuer, context.tokens.audience, key);
  return {
    http,
    key,
    publicKey,
    tokens,
    expectServed: async () => {
      await expectTokenServed(
        http,
        await tokens.sign(),
        'an RS256 token signed with the configured public key (the control)',
      );
    },
  };
}

/** Discovery and key set requests the mock server received, at both of its domains. */
async function keyRequests(context: ScenarioContext): Promise<number> {
  const log = await context.server.control.requests();
  return log.filter((entry) => entry.path.startsWith('/.well-known/')).length;
}

/** A client error: the token refused, neither served nor a server failure. */
const refusal = (status: number) => status >= 400 && status < 500;

const REJECTED = '"If any of the listed steps fail, then the JWT MUST be rejected"';

/**
 * An API given the issuer's public key once (a PEM), instead of a key set: tokens that key signed
 * are served, any other key's refused (the issuer's published ones too: the app knows one key),
 * and neither discovery nor a key set is ever fetched. The key is a fresh RS256 one the mock
 * server does not publish; `verifier.algorithms` stays `['RS256']`.
 */
export const staticKey = [
  scenario({
    id: 'static-01',
    group: G,
    spec: 'RFC 6749 section 7',
    words:
      '"The resource server MUST validate the access token and ensure that it has not expired and that its scope covers the requested resource" (a token whose signature verifies with the one key the API was given is valid, and served: the other side of every refusal)',
    name: 'MUST accept a token signed with the configured public key',
    uses: ['verifier.publicKey', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startStaticKeyApp(context);
      await expectTokenServed(
        app.http,
        await app.tokens.sign(),
        `an RS256 token signed with the configured public key (kid ${STATIC_KID})`,
      );
      await expectTokenServed(
        app.http,
        await app.tokens.sign({ header: { kid: undefined }, claims: { sub: 'auth0|another' } }),
        'another token signed with the configured public key, without a kid',
      );
    },
  }),
  scenario({
    id: 'static-02',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 8725 section 3.10 warns of requests driven by token content)',
    words:
      'a public key given instead of a key set replaces discovery and the key set: no request to the issuer, at start or for any token (an unknown kid, another key)',
    name: 'MUST NOT fetch discovery or a key set when given a static public key',
    uses: ['verifier.publicKey', 'verifier.keySet.cooldownMs'],
    run: async (context) => {
      const before = await keyRequests(context);
      const app = await startStaticKeyApp(context);
      await app.expectServed();
      const stranger = await createKitKey('rotated-in');
      const refused = await app.http.bearer(
        '/api/private',
        await app.tokens.sign({ key: stranger }),
      );
      // Past the key set cooldown, then again: a verifier that looks keys up may fetch by now.
      await pause(context.options.verifier.keySet.cooldownMs + 100);
      const again = await app.http.bearer(
        '/api/private',
        await app.tokens.sign({ key: stranger, header: { kid: 'another-unknown-kid' } }),
      );
      const fetched = (await keyRequests(context)) - before;
      check(
        refusal(refused.status) && refusal(again.status) && fetched === 0,
        `${refused.request} twice, with tokens of unknown kids (rotated-in, another-unknown-kid) signed by another key, after a token of the configured key`,
        `refusals (401) and no request to the issuer's discovery or key set (${context.server.issuer}.well-known/...)`,
        () =>
          `${describeAnswer(refused)}; then ${describeAnswer(again)}; ${fetched} discovery or key set request(s)`,
      );
    },
  }),
  scenario({
    id: 'static-03',
    group: G,
    spec: 'RFC 7519 section 7.2 / RFC 7515 section 5.2',
    words: `${REJECTED} (step: validate the JWS with the key the API was given; another key's signature does not validate)`,
    name: 'MUST reject a token signed by another key, even one the issuer publishes or with the same kid',
    uses: ['verifier.publicKey', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startStaticKeyApp(context);
      await app.expectServed();
      await expectTokenRefused(
        app.http,
        await context.tokens.sign(),
        `a token signed by the key the issuer's key set publishes (${context.tokens.key.kid}), not the configured one`,
      );
      await expectTokenRefused(
        app.http,
        await app.tokens.sign({ key: await createKitKey(STATIC_KID) }),
        `a token signed by another RSA key with the configured key's kid (${STATIC_KID})`,
      );
    },
  }),
  scenario({
    id: 'static-04',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words:
      '"each key MUST be used with exactly one algorithm, and this MUST be checked" (the configured RSA public key is no HMAC secret: the classic key confusion, RFC 8725 section 2.1)',
    name: 'MUST reject an HS256 token MACed with the configured public key (its PEM or JWK)',
    uses: ['verifier.publicKey', 'verifier.algorithms'],
    run: async (context) => {
      const app = await startStaticKeyApp(context);
      await app.expectServed();
      const { n, e, kty } = app.key.privateJwk;
      for (const [form, bytes] of [
        ['the PEM the app was given', app.publicKey],
        ['its JWK JSON', JSON.stringify({ e, kty, n })],
      ] as const) {
        const token = await new SignJWT({
          iss: context.tokens.issuer,
          aud: context.tokens.audience,
          sub: 'auth0|conformance',
          iat: now(),
          exp: now() + 600,
          scope: 'openid read:sample',
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: STATIC_KID })
          .sign(new TextEncoder().encode(bytes));
        await expectTokenRefused(
          app.http,
          token,
          `an HS256 token MACed with the configured RSA public key as ${form}`,
        );
      }
    },
  }),
];
