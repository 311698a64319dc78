import { SignJWT } from 'jose';
import { ConformanceFailure, expectEqual } from '../check.js';
import { TokenFactory, createKitKey } from '../token-factory.js';
import { scenario } from './define.js';

const G = 'JWT access token validation' as const;

/** Sends `token` to the private route and expects `status` (401 means invalid_token). */
async function expectAnswer(
  http: {
    bearer(
      path: string,
      token: string,
    ): Promise<{ status: number; wwwAuthenticate: string | null }>;
  },
  token: string,
  status: 200 | 401,
): Promise<void> {
  const answer = await http.bearer('/api/private', token);
  expectEqual(answer.status, status, 'status');
  if (status === 401)
    expectEqual(
      answer.wwwAuthenticate?.includes('error="invalid_token"'),
      true,
      'challenge names invalid_token',
    );
}

const now = () => TokenFactory.now();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RFC 7515, 7519, 8725 and Auth0's token profile, through the adapter. */
export const jwtValidation = [
  scenario(
    'jwt-01',
    G,
    'RFC 7519 section 7.2',
    'MUST accept an access token the authorization server issued by the password grant',
    async ({ http, server }) => {
      const response = await fetch(server.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'user@example.com',
          password: 'pwd',
          audience: 'https://api.example.com',
          client_id: 'conformance-app',
          client_secret: 'conformance-app-secret',
        }),
      });
      const body: unknown = await response.json();
      const token =
        typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
      if (typeof token !== 'string')
        throw new ConformanceFailure('the password grant returned no access token');
      await expectAnswer(http, token, 200);
    },
  ),
  scenario(
    'jwt-02',
    G,
    'RFC 7515 section 5.2',
    'MUST reject a token whose signature does not verify',
    async ({ http, tokens }) => {
      const token = await tokens.sign();
      await expectAnswer(http, `${token.slice(0, -6)}AAAAAA`, 401);
    },
  ),
  scenario(
    'jwt-03',
    G,
    'RFC 8725 section 3.1',
    'MUST reject alg "none"',
    async ({ http, tokens }) => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: tokens.issuer, aud: tokens.audience, sub: 'x', iat: now(), exp: now() + 60 })}.`;
      await expectAnswer(http, token, 401);
    },
  ),
  scenario(
    'jwt-04',
    G,
    'RFC 8725 section 3.1',
    'MUST reject HS256 signed with the public key as an HMAC secret',
    async ({ http, tokens }) => {
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
      await expectAnswer(http, token, 401);
    },
  ),
  scenario(
    'jwt-05',
    G,
    'RFC 8725 section 3.1',
    'MUST reject an algorithm outside the allow-list (ES256 when RS256 is configured)',
    async ({ http, tokens, server }) => {
      const es = await createKitKey('conformance-es256', 'ES256');
      await server.control.rotateSigningKey({
        alg: 'ES256',
        kid: es.kid,
        privateJwk: es.privateJwk,
        keepPrevious: true,
      });
      await expectAnswer(http, await tokens.sign({ key: es }), 401);
    },
  ),
  scenario(
    'jwt-06',
    G,
    'RFC 8725 section 3.11',
    'MUST reject typ at+jwt under the Auth0 profile (explicit typing)',
    async ({ http, tokens }) => {
      await expectAnswer(http, await tokens.sign({ header: { typ: 'at+jwt' } }), 401);
    },
  ),
  scenario(
    'jwt-07',
    G,
    'RFC 8725 section 3.11',
    'MUST reject a token without typ',
    async ({ http, tokens }) => {
      await expectAnswer(http, await tokens.sign({ header: { typ: undefined } }), 401);
    },
  ),
  scenario(
    'jwt-08',
    G,
    'RFC 7519 section 4.1.1',
    'MUST reject another issuer',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { iss: 'https://attacker.example.com/' } }),
        401,
      );
    },
  ),
  scenario(
    'jwt-09',
    G,
    'RFC 7519 section 4.1.1',
    'MUST compare iss exactly: no trailing slash is another issuer',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { iss: tokens.issuer.replace(/\/$/, '') } }),
        401,
      );
    },
  ),
  scenario(
    'jwt-10',
    G,
    'RFC 7519 section 4.1.3',
    'MUST reject another audience',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { aud: 'https://other-api.example.com' } }),
        401,
      );
    },
  ),
  scenario(
    'jwt-11',
    G,
    'RFC 7519 section 4.1.3',
    'MUST accept an aud array that contains the audience',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { aud: ['https://other.example.com', tokens.audience] } }),
        200,
      );
    },
  ),
  scenario(
    'jwt-12',
    G,
    'RFC 7519 section 4.1.4',
    'MUST reject an expired token',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { iat: now() - 600, exp: now() - 60 } }),
        401,
      );
    },
  ),
  scenario(
    'jwt-13',
    G,
    'RFC 7519 section 4.1.4',
    'MAY accept a token expired within the clock tolerance (5 s)',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { iat: now() - 600, exp: now() - 1 } }),
        200,
      );
    },
  ),
  scenario(
    'jwt-14',
    G,
    'RFC 7519 section 4.1.5',
    'MUST reject a token before its nbf',
    async ({ http, tokens }) => {
      await expectAnswer(http, await tokens.sign({ claims: { nbf: now() + 600 } }), 401);
    },
  ),
  scenario(
    'jwt-15',
    G,
    'RFC 7519 section 4.1.6',
    'MUST reject a token issued in the future',
    async ({ http, tokens }) => {
      await expectAnswer(
        http,
        await tokens.sign({ claims: { iat: now() + 600, exp: now() + 1200 } }),
        401,
      );
    },
  ),
  scenario(
    'jwt-16',
    G,
    'RFC 9068 section 4',
    'MUST reject a token without exp',
    async ({ http, tokens }) => {
      await expectAnswer(http, await tokens.sign({ claims: { exp: undefined } }), 401);
    },
  ),
  scenario(
    'jwt-17',
    G,
    'RFC 7519 section 2 (NumericDate)',
    'MUST reject exp that parses to Infinity (1e400)',
    async ({ http, tokens }) => {
      const payload = `{"iss":"${tokens.issuer}","sub":"x","aud":"${tokens.audience}","iat":${now()},"exp":1e400}`;
      await expectAnswer(http, await tokens.signRaw(payload), 401);
    },
  ),
  scenario(
    'jwt-18',
    G,
    'RFC 7515 section 2',
    'MUST reject a signature with base64 padding',
    async ({ http, tokens }) => {
      await expectAnswer(http, `${await tokens.sign()}==`, 401);
    },
  ),
  scenario(
    'jwt-19',
    G,
    'RFC 8725 section 3 (resource limits)',
    'MUST reject a token larger than 8 KiB',
    async ({ http, tokens }) => {
      await expectAnswer(http, await tokens.sign({ claims: { padding: 'x'.repeat(9000) } }), 401);
    },
  ),
  scenario(
    'jwt-20',
    G,
    'RFC 7515 section 4.1.4',
    'MUST reject a kid the key set does not hold',
    async ({ http, tokens }) => {
      const stranger = await createKitKey('not-published');
      await expectAnswer(http, await tokens.sign({ key: stranger }), 401);
    },
  ),
  scenario(
    'jwt-21',
    G,
    'RFC 8725 section 3.10',
    'MUST NOT fetch keys from a jku, x5u or jwk header',
    async ({ http, tokens, downstream }) => {
      const stranger = await createKitKey('stranger');
      const token = await tokens.sign({
        key: stranger,
        header: {
          jku: downstream.url,
          x5u: downstream.url,
          jwk: { kty: 'RSA', n: stranger.privateJwk.n, e: stranger.privateJwk.e },
        },
      });
      await expectAnswer(http, token, 401);
      expectEqual(downstream.received.length, 0, 'requests to the jku/x5u URL');
    },
  ),
];
