import { expectEqual } from '../check.js';
import { scenario } from './define.js';

const G = 'Scopes and permissions' as const;

/** RFC 6750 section 3.1 insufficient_scope, RFC 6749 section 3.3 scope syntax, Auth0 RBAC. */
export const scopes = [
  scenario(
    'scope-01',
    G,
    'RFC 6750 section 3.1',
    'MUST let a token with the required scope through (all-of)',
    async ({ http, tokens }) => {
      expectEqual(
        (
          await http.bearer(
            '/api/private-scoped',
            await tokens.sign({ claims: { scope: 'openid read:sample' } }),
          )
        ).status,
        200,
        'status',
      );
    },
  ),
  scenario(
    'scope-02',
    G,
    'RFC 6750 section 3.1',
    'MUST answer 403 insufficient_scope with scope="read:sample"',
    async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/private-scoped',
        await tokens.sign({ claims: { scope: 'openid' } }),
      );
      expectEqual(answer.status, 403, 'status');
      expectEqual(
        answer.wwwAuthenticate?.includes('error="insufficient_scope"') &&
          answer.wwwAuthenticate.includes('scope="read:sample"'),
        true,
        `challenge: ${answer.wwwAuthenticate}`,
      );
    },
  ),
  scenario(
    'scope-03',
    G,
    'RFC 6750 section 3.1',
    'MUST let a token with any one of the listed scopes through (any-of)',
    async ({ http, tokens }) => {
      expectEqual(
        (
          await http.bearer(
            '/api/any-scope',
            await tokens.sign({ claims: { scope: 'write:sample' } }),
          )
        ).status,
        200,
        'status',
      );
    },
  ),
  scenario(
    'scope-04',
    G,
    'RFC 6750 section 3.1',
    'MUST answer 403 naming every acceptable scope when none is granted (any-of)',
    async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/any-scope',
        await tokens.sign({ claims: { scope: 'openid profile' } }),
      );
      expectEqual(answer.status, 403, 'status');
      expectEqual(
        answer.wwwAuthenticate?.includes('scope="read:sample write:sample"'),
        true,
        `challenge: ${answer.wwwAuthenticate}`,
      );
    },
  ),
  scenario(
    'scope-05',
    G,
    'Auth0 RBAC: permissions claim',
    'MUST accept the permissions claim as a source of granted scopes when configured',
    async ({ http, tokens }) => {
      const token = await tokens.sign({
        claims: { scope: 'openid', permissions: ['read:sample'] },
      });
      expectEqual((await http.bearer('/api/private-scoped', token)).status, 200, 'status');
    },
  ),
  scenario(
    'scope-06',
    G,
    'RFC 6749 section 3.3',
    'MUST compare scopes case-sensitively',
    async ({ http, tokens }) => {
      expectEqual(
        (
          await http.bearer(
            '/api/private-scoped',
            await tokens.sign({ claims: { scope: 'READ:SAMPLE' } }),
          )
        ).status,
        403,
        'status',
      );
    },
  ),
  scenario(
    'scope-07',
    G,
    'RFC 6749 section 3.3',
    'MUST treat the scope claim as space-delimited (no substring match)',
    async ({ http, tokens }) => {
      expectEqual(
        (
          await http.bearer(
            '/api/private-scoped',
            await tokens.sign({ claims: { scope: 'read:samples' } }),
          )
        ).status,
        403,
        'status',
      );
    },
  ),
  scenario(
    'scope-08',
    G,
    'RFC 6750 section 3.1',
    'MUST let an optional route through without credentials',
    async ({ http }) => {
      const answer = await http.request('/api/optional');
      expectEqual([answer.status, answer.json()], [200, { sub: null }], 'status and body');
    },
  ),
  scenario(
    'scope-09',
    G,
    'RFC 6750 section 3.1',
    'MUST still reject a bad token on an optional route',
    async ({ http }) => {
      expectEqual((await http.bearer('/api/optional', 'bad.token.value')).status, 401, 'status');
    },
  ),
  scenario(
    'scope-10',
    G,
    'RFC 6750 section 3.1',
    'MUST pass the token subject to an optional route when a valid token is sent',
    async ({ http, tokens }) => {
      const answer = await http.bearer('/api/optional', await tokens.sign());
      expectEqual(answer.json(), { sub: 'auth0|conformance' }, 'body');
    },
  ),
];
