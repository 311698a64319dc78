import { expectEqual, expectTrue } from '../check.js';
import { scenario } from './define.js';

const G = 'RFC 6750 bearer usage' as const;
const CHALLENGE_CHARS = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;

/** RFC 6750 sections 2 and 3: where tokens may be, and what each failure answers. */
export const bearerUsage = [
  scenario(
    'bearer-01',
    G,
    'RFC 6750 section 3.1',
    'MUST answer 401 with `Bearer realm` and no error code when the request has no credentials',
    async ({ http }) => {
      const answer = await http.request('/api/private');
      expectEqual(answer.status, 401, 'status');
      expectEqual(answer.wwwAuthenticate, 'Bearer realm="api"', 'WWW-Authenticate');
    },
  ),
  scenario(
    'bearer-02',
    G,
    'RFC 6750 section 3.1',
    'MUST NOT require a token on a public route',
    async ({ http }) => {
      expectEqual((await http.request('/api/public')).status, 200, 'status');
    },
  ),
  scenario(
    'bearer-03',
    G,
    'RFC 6750 section 3.1',
    'SHOULD answer another auth scheme (Basic) like missing credentials, without an error code',
    async ({ http }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: 'Basic dXNlcjpwYXNz' },
      });
      expectEqual(
        [answer.status, answer.wwwAuthenticate],
        [401, 'Bearer realm="api"'],
        'status and challenge',
      );
    },
  ),
  scenario(
    'bearer-04',
    G,
    'RFC 6750 section 2.1',
    'MUST answer 400 invalid_request to "Bearer" without a token',
    async ({ http }) => {
      const answer = await http.request('/api/private', { headers: { authorization: 'Bearer' } });
      expectEqual(answer.status, 400, 'status');
      expectTrue(
        answer.wwwAuthenticate?.includes('error="invalid_request"') === true,
        'challenge names invalid_request',
      );
    },
  ),
  scenario(
    'bearer-05',
    G,
    'RFC 6750 section 2.1',
    'MUST answer 400 invalid_request to credentials that are not one b64token',
    async ({ http }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: 'Bearer two tokens' },
      });
      expectEqual(answer.status, 400, 'status');
    },
  ),
  scenario(
    'bearer-06',
    G,
    'RFC 6750 section 2 / RFC 9110 section 5.3',
    'MUST answer 400 invalid_request to a repeated Authorization header',
    async ({ http, tokens }) => {
      const token = await tokens.sign();
      const status = await http.raw('/api/private', [
        `Authorization: Bearer ${token}`,
        `Authorization: Bearer ${token}`,
      ]);
      expectEqual(status, 400, 'status');
    },
  ),
  scenario(
    'bearer-07',
    G,
    'RFC 6750 section 2.3',
    'MUST NOT accept a token in the query string unless enabled (401, no error code)',
    async ({ http, tokens }) => {
      const answer = await http.request(`/api/private?access_token=${await tokens.sign()}`);
      expectEqual(
        [answer.status, answer.wwwAuthenticate],
        [401, 'Bearer realm="api"'],
        'status and challenge',
      );
    },
  ),
  scenario(
    'bearer-08',
    G,
    'RFC 6750 section 2',
    'MUST NOT take credentials from other places (a cookie, an x-access-token header): 401 without error code',
    async ({ http, tokens }) => {
      const token = await tokens.sign();
      const answer = await http.request('/api/private', {
        headers: { cookie: `access_token=${token}`, 'x-access-token': token },
      });
      expectEqual(
        [answer.status, answer.wwwAuthenticate],
        [401, 'Bearer realm="api"'],
        'status and challenge',
      );
    },
  ),
  scenario(
    'bearer-09',
    G,
    'RFC 6750 section 2.1 / RFC 7235 section 2.1',
    'MUST match the "Bearer" scheme case-insensitively',
    async ({ http, tokens }) => {
      const token = await tokens.sign();
      const answer = await http.request('/api/private', {
        headers: { authorization: `bEaReR ${token}` },
      });
      expectEqual(answer.status, 200, 'status');
    },
  ),
  scenario(
    'bearer-10',
    G,
    'RFC 6750 section 2.1',
    'MUST accept one or more spaces between the scheme and the token',
    async ({ http, tokens }) => {
      const answer = await http.request('/api/private', {
        headers: { authorization: `Bearer    ${await tokens.sign()}` },
      });
      expectEqual(answer.status, 200, 'status');
    },
  ),
  scenario(
    'bearer-11',
    G,
    'RFC 6750 section 3.1',
    'MUST answer 401 invalid_token to a token that is not a JWT',
    async ({ http }) => {
      const answer = await http.bearer('/api/private', 'not-a-jwt');
      expectEqual(answer.status, 401, 'status');
      expectTrue(
        answer.wwwAuthenticate?.startsWith('Bearer realm="api", error="invalid_token"') === true,
        `challenge: ${answer.wwwAuthenticate}`,
      );
    },
  ),
  scenario(
    'bearer-12',
    G,
    'RFC 6750 section 3',
    'MUST answer a JSON body with error and error_description',
    async ({ http }) => {
      const answer = await http.bearer('/api/private', 'not-a-jwt');
      expectTrue(
        answer.contentType?.startsWith('application/json') === true,
        `content type ${answer.contentType}`,
      );
      expectEqual(answer.field('error'), 'invalid_token', 'body error');
      expectEqual(typeof answer.field('error_description'), 'string', 'body error_description');
    },
  ),
  scenario(
    'bearer-13',
    G,
    'RFC 6750 section 3',
    'MUST only use allowed characters in error_description and never echo the token',
    async ({ http, tokens }) => {
      const token = await tokens.sign({ claims: { iss: 'https://"evil"\\issuer/' } });
      const answer = await http.bearer('/api/private', token);
      const description =
        /error_description="([^"]*)"/.exec(answer.wwwAuthenticate ?? '')?.[1] ?? '';
      expectTrue(CHALLENGE_CHARS.test(description), `description characters: ${description}`);
      expectTrue(
        !answer.body.includes(token.slice(0, 20)) &&
          !(answer.wwwAuthenticate ?? '').includes('evil'),
        'no token bytes or claim values echoed',
      );
    },
  ),
  scenario(
    'bearer-14',
    G,
    'RFC 9111 section 5.2.2.5',
    'SHOULD mark error answers Cache-Control: no-store',
    async ({ http }) => {
      const response = await fetch(`${http.baseUrl}/api/private`);
      expectEqual(response.headers.get('cache-control'), 'no-store', 'Cache-Control');
    },
  ),
];
