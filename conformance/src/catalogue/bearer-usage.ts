import {
  check,
  describeAnswer,
  expectRefused,
  expectStatus,
  paramOf,
  schemeOf,
  type Exchange,
} from '../check.js';
import { TokenFactory } from '../token-factory.js';
import { scenario } from './define.js';

const G = 'RFC 6750 bearer usage' as const;
const CHALLENGE_CHARS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
const BEARER_CHALLENGE = 'a WWW-Authenticate: Bearer challenge';

/** Fails unless the answer refuses (4xx) with a `Bearer` challenge. */
function expectChallenge(answer: Exchange, what: string): void {
  check(
    answer.status >= 400 && answer.status < 500 && schemeOf(answer.wwwAuthenticate) === 'bearer',
    `${answer.request} ${what}`,
    `a refusal (401) with ${BEARER_CHALLENGE}`,
    answer,
  );
}

/** RFC 6750 sections 2 and 3: where tokens may be, and what each failure answers. */
export const bearerUsage = [
  scenario({
    id: 'bearer-01',
    group: G,
    spec: 'RFC 6750 section 3',
    words:
      '"If the protected resource request does not include authentication credentials ..., the resource server MUST include the HTTP WWW-Authenticate response header field"; "All challenges defined by this specification MUST use the auth-scheme value Bearer"',
    name: 'MUST refuse a request without credentials with a Bearer challenge',
    run: async ({ http }) => {
      const answer = await http.request('/api/private');
      expectChallenge(answer, 'with no credentials');
    },
  }),
  scenario({
    id: 'bearer-02',
    group: G,
    profile: 'ropkit',
    spec: 'kit test-app contract',
    words: 'GET /api/public needs no token',
    name: 'MUST NOT require a token on the public route',
    run: async ({ http }) => {
      expectStatus(await http.request('/api/public'), 200, 'with no credentials');
    },
  }),
  scenario({
    id: 'bearer-03',
    group: G,
    spec: 'RFC 6750 section 3',
    words:
      'a request with another scheme "does not include authentication credentials" for Bearer: "the resource server MUST include the HTTP WWW-Authenticate response header field", with the auth-scheme Bearer',
    name: 'MUST refuse another auth scheme (Basic) with a Bearer challenge',
    run: async ({ http }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      });
      expectChallenge(answer, 'with Authorization: Basic');
    },
  }),
  scenario({
    id: 'bearer-04',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_request)',
    words: '"The resource server SHOULD respond with the HTTP 400 (Bad Request) status code"',
    name: 'SHOULD answer 400 invalid_request to "Bearer" without a token',
    run: async ({ http }) => {
      const answer = await http.request('/api/private', { headers: { authorization: 'Bearer' } });
      check(
        answer.status === 400 && paramOf(answer.wwwAuthenticate, 'error') === 'invalid_request',
        `${answer.request} with Authorization: Bearer (no token)`,
        '400 with error="invalid_request"',
        answer,
      );
    },
  }),
  scenario({
    id: 'bearer-05',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_request, a malformed request)',
    words: '"SHOULD respond with the HTTP 400 (Bad Request) status code"',
    name: 'SHOULD answer 400 to credentials that are not one b64token',
    run: async ({ http }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: 'Bearer two tokens' },
      });
      expectStatus(answer, 400, 'with Authorization: Bearer two tokens');
    },
  }),
  scenario({
    id: 'bearer-06',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_request, "repeats the same parameter")',
    words: '"SHOULD respond with the HTTP 400 (Bad Request) status code"',
    name: 'SHOULD answer 400 to a repeated Authorization header',
    run: async ({ http, tokens }) => {
      const token = await tokens.sign();
      const answer = await http.raw('/api/private', [
        `Authorization: Bearer ${token}`,
        `Authorization: Bearer ${token}`,
      ]);
      expectStatus(answer, 400, 'with two Authorization headers, each with a valid token');
    },
  }),
  scenario({
    id: 'bearer-07',
    group: G,
    spec: 'RFC 6750 section 5.3',
    words:
      '"Bearer tokens SHOULD NOT be passed in page URLs (for example, as query string parameters)"',
    name: 'SHOULD NOT accept a token in the query string unless enabled',
    uses: ['verifier.tokenLocations'],
    run: async ({ http, tokens }) => {
      const answer = await http.request(`/api/private?access_token=${await tokens.sign()}`);
      expectRefused(
        { ...answer, request: 'GET /api/private?access_token=...' },
        'with a valid token in the query string only',
      );
    },
  }),
  scenario({
    id: 'bearer-08',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words:
      'tokens only where verifier.tokenLocations says (a cookie would be sent by any page the browser opens)',
    name: 'MUST NOT take credentials from other places (a cookie, an x-access-token header)',
    uses: ['verifier.tokenLocations', 'verifier.realm'],
    run: async ({ http, tokens }) => {
      const token = await tokens.sign();
      const answer = await http.request('/api/private', {
        headers: { cookie: `access_token=${token}`, 'x-access-token': token },
      });
      check(
        answer.status === 401 && answer.wwwAuthenticate === 'Bearer realm="api"',
        `${answer.request} with a valid token in a cookie and in x-access-token only`,
        '401 with WWW-Authenticate: Bearer realm="api"',
        answer,
      );
    },
  }),
  scenario({
    id: 'bearer-09',
    group: G,
    spec: 'RFC 6750 section 2.1 / RFC 9110 section 11.1',
    words:
      '"Resource servers MUST support this method"; the auth-scheme is "a case-insensitive token"',
    name: 'MUST match the "Bearer" scheme case-insensitively',
    run: async ({ http, tokens }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: `bEaReR ${await tokens.sign()}` },
      });
      expectStatus(answer, 200, 'with Authorization: bEaReR <valid token>');
    },
  }),
  scenario({
    id: 'bearer-10',
    group: G,
    spec: 'RFC 6750 section 2.1',
    words: '"Resource servers MUST support this method"; credentials = "Bearer" 1*SP b64token',
    name: 'MUST accept one or more spaces between the scheme and the token',
    run: async ({ http, tokens }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: `Bearer    ${await tokens.sign()}` },
      });
      expectStatus(answer, 200, 'with four spaces between "Bearer" and a valid token');
    },
  }),
  scenario({
    id: 'bearer-11',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_token)',
    words: '"The resource SHOULD respond with the HTTP 401 (Unauthorized) status code"',
    name: 'SHOULD answer 401 with error="invalid_token" to a token that is not a JWT',
    run: async ({ http }) => {
      const answer = await http.bearer('/api/private', 'not-a-jwt');
      check(
        answer.status === 401 &&
          schemeOf(answer.wwwAuthenticate) === 'bearer' &&
          paramOf(answer.wwwAuthenticate, 'error') === 'invalid_token',
        `${answer.request} with Authorization: Bearer not-a-jwt`,
        '401 with a Bearer challenge naming error="invalid_token"',
        answer,
      );
    },
  }),
  scenario({
    id: 'bearer-12',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words: 'every error answer has a JSON body with error and error_description',
    name: 'MUST answer a JSON body with error and error_description',
    run: async ({ http }) => {
      const answer = await http.bearer('/api/private', 'not-a-jwt');
      check(
        answer.contentType?.startsWith('application/json') === true &&
          answer.field('error') === 'invalid_token' &&
          typeof answer.field('error_description') === 'string',
        `${answer.request} with Authorization: Bearer not-a-jwt`,
        'an application/json body {"error":"invalid_token","error_description":"..."}',
        () => `${describeAnswer(answer)}, content type ${answer.contentType ?? 'none'}`,
      );
    },
  }),
  scenario({
    id: 'bearer-13',
    group: G,
    spec: 'RFC 6750 section 3',
    words:
      'error_description values "MUST NOT include characters outside the set %x20-21 / %x23-5B / %x5D-7E"',
    name: 'MUST only use allowed characters in error_description',
    run: async ({ http, tokens }) => {
      const token = await tokens.sign({ claims: { iss: 'https://"evil"\\issuer/' } });
      const answer = await http.bearer('/api/private', token);
      const description = paramOf(answer.wwwAuthenticate, 'error_description') ?? '';
      check(
        CHALLENGE_CHARS.test(description),
        `${answer.request} with a token whose iss holds a quote and a backslash`,
        'an error_description of %x20-21 / %x23-5B / %x5D-7E only',
        answer,
      );
    },
  }),
  scenario({
    id: 'bearer-14',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9111 section 5.2.2.5 defines no-store)',
    words: 'error answers are not stored by caches',
    name: 'SHOULD mark error answers Cache-Control: no-store',
    run: async ({ http }) => {
      const answer = await http.request('/api/private');
      check(
        answer.cacheControl === 'no-store',
        `${answer.request} with no credentials`,
        'Cache-Control: no-store',
        () => `${describeAnswer(answer)}, Cache-Control ${answer.cacheControl ?? 'absent'}`,
      );
    },
  }),
  scenario({
    id: 'bearer-15',
    group: G,
    spec: 'RFC 6750 section 3.1',
    words:
      '"If the request lacks any authentication information ..., the resource server SHOULD NOT include an error code"',
    name: 'SHOULD NOT include an error code when the request has no Bearer credentials',
    run: async ({ http }) => {
      for (const [headers, what] of [
        [{}, 'with no credentials'],
        [{ authorization: 'Basic dXNlcjpwYXNz' }, 'with Authorization: Basic'],
      ] as const) {
        const answer = await http.request('/api/private', { headers });
        check(
          answer.wwwAuthenticate !== null && paramOf(answer.wwwAuthenticate, 'error') === undefined,
          `${answer.request} ${what}`,
          'a challenge without an error attribute',
          answer,
        );
      }
    },
  }),
  scenario({
    id: 'bearer-16',
    group: G,
    spec: 'RFC 6750 section 3',
    words: '"A realm attribute MAY be included to indicate the scope of protection"',
    name: 'MAY name the configured realm in the challenge (realm="api")',
    uses: ['verifier.realm'],
    run: async ({ http, options }) => {
      const answer = await http.request('/api/private');
      check(
        paramOf(answer.wwwAuthenticate, 'realm') === options.verifier.realm,
        `${answer.request} with no credentials`,
        `a challenge with realm="${options.verifier.realm}"`,
        answer,
      );
    },
  }),
  scenario({
    id: 'bearer-17',
    group: G,
    spec: 'RFC 6750 section 3',
    words:
      'a request that "does not contain an access token that enables access": "MUST include the HTTP WWW-Authenticate response header field"; "MUST use the auth-scheme value Bearer"',
    name: 'MUST include a Bearer challenge when it refuses a token',
    run: async ({ http, tokens }) => {
      const now = TokenFactory.now();
      const valid = await tokens.sign();
      for (const [token, what] of [
        ['not-a-jwt', 'with a token that is not a JWT'],
        [`${valid.slice(0, -6)}AAAAAA`, 'with a token whose signature does not verify'],
        [await tokens.sign({ claims: { iat: now - 600, exp: now - 60 } }), 'with an expired token'],
      ] as const) {
        const answer = await http.bearer('/api/private', token);
        check(
          schemeOf(answer.wwwAuthenticate) === 'bearer' &&
            (answer.status < 200 || answer.status >= 300),
          `${answer.request} ${what}`,
          `a refusal with ${BEARER_CHALLENGE}`,
          answer,
        );
      }
    },
  }),
  scenario({
    id: 'bearer-18',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words: 'answers never carry the token or its claim values (they end up in logs)',
    name: 'MUST NOT echo the token or its claim values in the answer',
    run: async ({ http, tokens }) => {
      const token = await tokens.sign({ claims: { iss: 'https://"evil"\\issuer/' } });
      const answer = await http.bearer('/api/private', token);
      const text = `${answer.wwwAuthenticate ?? ''} ${answer.body}`;
      check(
        !text.includes(token.slice(0, 20)) && !text.includes('evil'),
        `${answer.request} with a token whose iss is https://"evil"\\issuer/`,
        'no token bytes and no claim value in the challenge or the body',
        answer,
      );
    },
  }),
];
