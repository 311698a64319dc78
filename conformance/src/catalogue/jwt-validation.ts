import { SignJWT } from 'jose';
import { check, fail } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import { TokenFactory, createKitKey } from '../token-factory.js';
import { expectTokenRefused, expectTokenServed, scenario } from './define.js';

const G = 'JWT access token validation' as const;

const now = () => TokenFactory.now();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const REJECTED = '"If any of the listed steps fail, then the JWT MUST be rejected"';

/** RFC 7515, 7519, 8725, through the adapter; ropkit's token profile apart. */
export const jwtValidation = [
  scenario({
    id: 'jwt-01',
    group: G,
    spec: 'RFC 6749 section 7',
    words:
      '"The resource server MUST validate the access token and ensure that it has not expired and that its scope covers the requested resource" (a valid token is served: the other side of every refusal)',
    name: 'MUST accept an access token the authorization server issued by the password grant',
    run: async ({ http, server, fetch }) => {
      const response = await fetch(server.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          username: KIT.username,
          password: KIT.password,
          audience: KIT.audience,
          client_id: KIT.clientId,
          client_secret: KIT.clientSecret,
        }),
      });
      const body: unknown = await response.json();
      const token =
        typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
      if (typeof token !== 'string')
        fail(
          `POST ${server.tokenEndpoint} (password grant)`,
          'an access token',
          `${response.status} without access_token (the kit's authorization server failed)`,
        );
      await expectTokenServed(http, token, 'an access token from the password grant');
    },
  }),
  scenario({
    id: 'jwt-02',
    group: G,
    spec: 'RFC 7519 section 7.2 / RFC 7515 section 5.2',
    words: `${REJECTED} (step: validate the JWS)`,
    name: 'MUST reject a token whose signature does not verify',
    run: async ({ http, tokens }) => {
      const token = await tokens.sign();
      await expectTokenRefused(
        http,
        `${token.slice(0, -6)}AAAAAA`,
        'a token whose signature does not verify',
      );
    },
  }),
  scenario({
    id: 'jwt-03',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words:
      '"Libraries MUST enable the caller to specify a supported set of algorithms and MUST NOT use any other algorithms when performing cryptographic operations"',
    name: 'MUST reject alg "none"',
    uses: ['verifier.algorithms'],
    run: async ({ http, tokens }) => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: tokens.issuer, aud: tokens.audience, sub: 'x', iat: now(), exp: now() + 60 })}.`;
      await expectTokenRefused(http, token, 'an unsigned token (alg "none")');
    },
  }),
  scenario({
    id: 'jwt-04',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words: '"each key MUST be used with exactly one algorithm, and this MUST be checked"',
    name: 'MUST reject HS256 signed with the public key as an HMAC secret',
    uses: ['verifier.algorithms'],
    run: async ({ http, tokens }) => {
      const { n, e, kty } = tokens.key.privateJwk;
      const secret = new TextEncoder().encode(JSON.stringify({ e, kty, n }));
      const token = await new SignJWT({
        iss: tokens.issuer,
        aud: tokens.audience,
        sub: 'x',
        iat: now(),
        exp: now() + 60,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: tokens.key.kid })
        .sign(secret);
      await expectTokenRefused(http, token, 'an HS256 token keyed with the RSA public key');
    },
  }),
  scenario({
    id: 'jwt-05',
    group: G,
    spec: 'RFC 8725 section 3.1',
    words:
      '"MUST NOT use any other algorithms" than the supported set the caller specified (verifier.algorithms is RS256)',
    name: 'MUST reject an algorithm outside the allow-list (ES256 when RS256 is configured)',
    uses: ['verifier.algorithms'],
    run: async ({ http, tokens, server }) => {
      const es = await createKitKey('conformance-es256', 'ES256');
      await server.control.rotateSigningKey({
        alg: 'ES256',
        kid: es.kid,
        privateJwk: es.privateJwk,
        keepPrevious: true,
      });
      await expectTokenRefused(
        http,
        await tokens.sign({ key: es }),
        'an ES256 token signed by a key the key set publishes',
      );
    },
  }),
  scenario({
    id: 'jwt-06',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit token profile "auth0"',
    words:
      'Auth0 access tokens are typed JWT, so ropkit refuses at+jwt (RFC 7519 section 5.1 makes typ OPTIONAL; RFC 8725 section 3.11 only recommends explicit typing)',
    name: 'MUST reject typ at+jwt under the Auth0 token profile',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ header: { typ: 'at+jwt' } }),
        'a token typed at+jwt',
      );
    },
  }),
  scenario({
    id: 'jwt-07',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit token profile "auth0"',
    words: 'ropkit requires the typ header Auth0 sets (RFC 7519 section 5.1 makes typ OPTIONAL)',
    name: 'MUST reject a token without typ',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ header: { typ: undefined } }),
        'a token without typ',
      );
    },
  }),
  scenario({
    id: 'jwt-08',
    group: G,
    spec: 'RFC 8725 section 3.8',
    words:
      '"the application MUST validate that the cryptographic keys used for the cryptographic operations in the JWT belong to the issuer. If they do not, the application MUST reject the JWT"',
    name: 'MUST reject another issuer',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { iss: 'https://attacker.example.com/' } }),
        'a token whose iss is https://attacker.example.com/',
      );
    },
  }),
  scenario({
    id: 'jwt-09',
    group: G,
    spec: 'RFC 8725 section 3.8 / RFC 7519 section 2',
    words:
      '"MUST reject the JWT" whose keys do not belong to its issuer; StringOrURI values are "compared as case-sensitive strings with no transformations or canonicalizations applied"',
    name: 'MUST compare iss exactly: no trailing slash is another issuer',
    run: async ({ http, tokens }) => {
      const issuer = tokens.issuer.replace(/\/$/, '');
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { iss: issuer } }),
        `a token whose iss is ${issuer} (no trailing slash)`,
      );
    },
  }),
  scenario({
    id: 'jwt-10',
    group: G,
    spec: 'RFC 7519 section 4.1.3',
    words:
      '"If the principal processing the claim does not identify itself with a value in the aud claim when this claim is present, then the JWT MUST be rejected"',
    name: 'MUST reject another audience',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { aud: 'https://other-api.example.com' } }),
        'a token for audience https://other-api.example.com',
      );
    },
  }),
  scenario({
    id: 'jwt-11',
    group: G,
    spec: 'RFC 7519 section 4.1.3',
    words:
      '"In the general case, the aud value is an array of case-sensitive strings" (the other side of the MUST reject: the principal named in the array is served)',
    name: 'MUST accept an aud array that contains the audience',
    run: async ({ http, tokens }) => {
      await expectTokenServed(
        http,
        await tokens.sign({ claims: { aud: ['https://other.example.com', tokens.audience] } }),
        'a token whose aud array holds another API and this one',
      );
    },
  }),
  scenario({
    id: 'jwt-12',
    group: G,
    spec: 'RFC 7519 section 4.1.4',
    words:
      '"the current date/time MUST be before the expiration date/time listed in the exp claim"',
    name: 'MUST reject an expired token',
    uses: ['verifier.clockTolerance'],
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { iat: now() - 600, exp: now() - 60 } }),
        'a token expired 60 s ago (the clock tolerance is 5 s)',
      );
    },
  }),
  scenario({
    id: 'jwt-13',
    group: G,
    spec: 'RFC 7519 section 4.1.4',
    words:
      '"Implementers MAY provide for some small leeway, usually no more than a few minutes, to account for clock skew"',
    name: 'MAY accept a token expired within the clock tolerance (5 s)',
    uses: ['verifier.clockTolerance'],
    run: async ({ http, tokens }) => {
      await expectTokenServed(
        http,
        await tokens.sign({ claims: { iat: now() - 600, exp: now() - 1 } }),
        'a token expired 1 s ago (the clock tolerance is 5 s)',
      );
    },
  }),
  scenario({
    id: 'jwt-14',
    group: G,
    spec: 'RFC 7519 section 4.1.5',
    words:
      '"the current date/time MUST be after or equal to the not-before date/time listed in the nbf claim"',
    name: 'MUST reject a token before its nbf',
    uses: ['verifier.clockTolerance'],
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { nbf: now() + 600 } }),
        'a token whose nbf is 600 s ahead',
      );
    },
  }),
  scenario({
    id: 'jwt-15',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words:
      'ropkit refuses a token issued after now + clockTolerance (RFC 7519 section 4.1.6 only defines iat)',
    name: 'MUST reject a token issued in the future',
    uses: ['verifier.clockTolerance'],
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { iat: now() + 600, exp: now() + 1200 } }),
        'a token whose iat is 600 s ahead',
      );
    },
  }),
  scenario({
    id: 'jwt-16',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit token profile "auth0"',
    words:
      'ropkit requires exp, as Auth0 always sets it (RFC 7519 makes exp OPTIONAL; RFC 9068 section 2.2 makes it REQUIRED in at+jwt tokens)',
    name: 'MUST reject a token without exp',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { exp: undefined } }),
        'a token without exp',
      );
    },
  }),
  scenario({
    id: 'jwt-17',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words:
      'a NumericDate beyond the range of numbers (RFC 8259 section 6) is refused, not read as "never expires"',
    name: 'MUST reject exp that parses to Infinity (1e400)',
    run: async ({ http, tokens }) => {
      const payload = `{"iss":"${tokens.issuer}","sub":"x","aud":"${tokens.audience}","iat":${now()},"exp":1e400}`;
      await expectTokenRefused(http, await tokens.signRaw(payload), 'a token whose exp is 1e400');
    },
  }),
  scenario({
    id: 'jwt-18',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words:
      'one spelling per token: base64url "with all trailing = characters omitted" (RFC 7515 section 2) is the only one accepted',
    name: 'MUST reject a signature with base64 padding',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        `${await tokens.sign()}==`,
        'a valid token with "==" after its signature',
      );
    },
  }),
  scenario({
    id: 'jwt-19',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words: 'tokens larger than verifier.maxTokenSize (8192 bytes) are refused before any work',
    name: 'MUST reject a token larger than 8 KiB',
    uses: ['verifier.maxTokenSize'],
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { padding: 'x'.repeat(9000) } }),
        'a validly signed token of 9 KiB',
      );
    },
  }),
  scenario({
    id: 'jwt-20',
    group: G,
    spec: 'RFC 7519 section 7.2 / RFC 7515 section 5.2',
    words: `${REJECTED} (no key of the issuer validates the signature)`,
    name: 'MUST reject a kid the key set does not hold',
    run: async ({ http, tokens }) => {
      const stranger = await createKitKey('not-published');
      await expectTokenRefused(
        http,
        await tokens.sign({ key: stranger }),
        'a token signed by a key the key set does not publish',
      );
    },
  }),
  scenario({
    id: 'jwt-21',
    group: G,
    spec: 'RFC 8725 section 3.8',
    words:
      '"the application MUST validate that the cryptographic keys used ... belong to the issuer. If they do not, the application MUST reject the JWT"',
    name: 'MUST reject a token signed by a key its own jwk, jku or x5u header names',
    run: async ({ http, tokens, downstream }) => {
      const stranger = await createKitKey('stranger');
      const token = await tokens.sign({
        key: stranger,
        header: {
          jku: downstream.url,
          x5u: downstream.url,
          jwk: { kty: 'RSA', n: stranger.privateJwk.n, e: stranger.privateJwk.e },
        },
      });
      await expectTokenRefused(
        http,
        token,
        'a token signed by a stranger key carried in its jwk header (and named by jku, x5u)',
      );
    },
  }),
  scenario({
    id: 'jwt-22',
    group: G,
    spec: 'RFC 8725 section 3.10',
    words:
      '"blindly following a jku (JWK set URL) or x5u (X.509 URL) header, which may contain an arbitrary URL, could result in server-side request forgery (SSRF) attacks. Applications SHOULD protect against such attacks"',
    name: 'SHOULD NOT fetch the URL of a jku or x5u header',
    run: async ({ http, tokens, downstream }) => {
      const stranger = await createKitKey('stranger');
      const token = await tokens.sign({
        key: stranger,
        header: { jku: downstream.url, x5u: downstream.url },
      });
      const answer = await http.bearer('/api/private', token);
      check(
        downstream.received.length === 0,
        `${answer.request} with a token whose jku and x5u are ${downstream.url}`,
        `no request to ${downstream.url}`,
        `${downstream.received.length} request(s) to it (the answer was ${answer.status})`,
      );
    },
  }),
];
