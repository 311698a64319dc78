import { isDeepStrictEqual } from 'node:util';
import { check, expectRefused, paramOf } from '../check.js';
import { expectTokenRefused, expectTokenServed, scenario } from './define.js';

const G = 'Scopes and permissions' as const;

const COVERS =
  '"The resource server MUST validate the access token and ensure that it has not expired and that its scope covers the requested resource"';

/** RFC 6749 section 7 scope enforcement, RFC 6750 section 3.1 insufficient_scope, Auth0 RBAC. */
export const scopes = [
  scenario({
    id: 'scope-01',
    group: G,
    spec: 'RFC 6749 section 7',
    words: `${COVERS} (the other side of scope-11: a token whose scope covers the route is served)`,
    name: 'MUST let a token with the required scope through (all-of)',
    run: async ({ http, tokens }) => {
      await expectTokenServed(
        http,
        await tokens.sign({ claims: { scope: 'openid read:sample' } }),
        'a token with scope "openid read:sample"',
        '/api/private-scoped',
      );
    },
  }),
  scenario({
    id: 'scope-02',
    group: G,
    spec: 'RFC 6750 section 3.1 (insufficient_scope)',
    words: '"The resource server SHOULD respond with the HTTP 403 (Forbidden) status code"',
    name: 'SHOULD answer 403 insufficient_scope to a token without the required scope',
    run: async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/private-scoped',
        await tokens.sign({ claims: { scope: 'openid' } }),
      );
      check(
        answer.status === 403 && paramOf(answer.wwwAuthenticate, 'error') === 'insufficient_scope',
        `${answer.request} with a token with scope "openid" (the route needs read:sample)`,
        '403 with error="insufficient_scope"',
        answer,
      );
    },
  }),
  scenario({
    id: 'scope-03',
    group: G,
    spec: 'RFC 6749 section 7',
    words: `${COVERS} (the other side of scope-13: one of the acceptable scopes is enough)`,
    name: 'MUST let a token with any one of the listed scopes through (any-of)',
    run: async ({ http, tokens }) => {
      await expectTokenServed(
        http,
        await tokens.sign({ claims: { scope: 'write:sample' } }),
        'a token with scope "write:sample" (the route accepts read:sample or write:sample)',
        '/api/any-scope',
      );
    },
  }),
  scenario({
    id: 'scope-04',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 6750 section 3 scope attribute)',
    words:
      'an any-of route names every acceptable scope in scope="..." (RFC 6750 defines scope as the scope required, which an any-of route does not have)',
    name: 'MUST answer 403 naming every acceptable scope when none is granted (any-of)',
    run: async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/any-scope',
        await tokens.sign({ claims: { scope: 'openid profile' } }),
      );
      check(
        answer.status === 403 &&
          paramOf(answer.wwwAuthenticate, 'scope') === 'read:sample write:sample',
        `${answer.request} with a token with scope "openid profile"`,
        '403 with scope="read:sample write:sample"',
        answer,
      );
    },
  }),
  scenario({
    id: 'scope-05',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 RBAC: the permissions claim',
    words:
      'with "Add Permissions in the Access Token", Auth0 puts granted permissions in a permissions array, not in scope',
    name: 'MUST accept the permissions claim as a source of granted scopes when configured',
    requires: ['bearer', 'scopes', 'permissions'],
    uses: ['verifier.scopeSources'],
    run: async ({ http, tokens }) => {
      await expectTokenServed(
        http,
        await tokens.sign({ claims: { scope: 'openid', permissions: ['read:sample'] } }),
        'a token with scope "openid" and permissions ["read:sample"]',
        '/api/private-scoped',
      );
    },
  }),
  scenario({
    id: 'scope-06',
    group: G,
    spec: 'RFC 6749 section 3.3 / section 7',
    words: `scope is "a list of space-delimited, case-sensitive strings"; ${COVERS}`,
    name: 'MUST compare scopes case-sensitively',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { scope: 'READ:SAMPLE' } }),
        'a token with scope "READ:SAMPLE" (the route needs read:sample)',
        '/api/private-scoped',
      );
    },
  }),
  scenario({
    id: 'scope-07',
    group: G,
    spec: 'RFC 6749 section 3.3 / section 7',
    words: `scope is "a list of space-delimited, case-sensitive strings"; ${COVERS}`,
    name: 'MUST treat the scope claim as space-delimited (no substring match)',
    run: async ({ http, tokens }) => {
      await expectTokenRefused(
        http,
        await tokens.sign({ claims: { scope: 'read:samples' } }),
        'a token with scope "read:samples" (the route needs read:sample)',
        '/api/private-scoped',
      );
    },
  }),
  scenario({
    id: 'scope-08',
    group: G,
    profile: 'ropkit',
    spec: 'kit test-app contract',
    words: 'GET /api/optional answers 200 {"sub":null} without credentials',
    name: 'MUST let an optional route through without credentials',
    requires: ['bearer', 'optional'],
    run: async ({ http }) => {
      const answer = await http.request('/api/optional');
      let body: unknown;
      try {
        body = answer.json();
      } catch {
        body = undefined;
      }
      check(
        answer.status === 200 && isDeepStrictEqual(body, { sub: null }),
        `${answer.request} with no credentials`,
        '200 {"sub":null}',
        answer,
      );
    },
  }),
  scenario({
    id: 'scope-09',
    group: G,
    spec: 'RFC 7519 section 7.2',
    words:
      '"If any of the listed steps fail, then the JWT MUST be rejected" (a token sent to an optional route is still validated)',
    name: 'MUST still reject a bad token on an optional route',
    requires: ['bearer', 'optional'],
    run: async ({ http, tokens }) => {
      const forged = `${(await tokens.sign()).slice(0, -6)}AAAAAA`;
      await expectTokenRefused(
        http,
        'bad.token.value',
        'a token that is not a JWT',
        '/api/optional',
      );
      await expectTokenRefused(
        http,
        forged,
        'a token whose signature does not verify',
        '/api/optional',
      );
    },
  }),
  scenario({
    id: 'scope-10',
    group: G,
    spec: 'RFC 6749 section 7',
    words: `${COVERS} (the other side of scope-09: a valid token on an optional route is served as its subject)`,
    name: 'MUST pass the token subject to an optional route when a valid token is sent',
    requires: ['bearer', 'optional'],
    run: async ({ http, tokens }) => {
      const answer = await http.bearer('/api/optional', await tokens.sign());
      check(
        answer.status === 200 && answer.field('sub') === 'auth0|conformance',
        `${answer.request} with a valid token of subject auth0|conformance`,
        '200 {"sub":"auth0|conformance"}',
        answer,
      );
    },
  }),
  scenario({
    id: 'scope-11',
    group: G,
    spec: 'RFC 6749 section 7',
    words: COVERS,
    name: 'MUST refuse a token whose scope does not cover the route (all-of)',
    run: async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/private-scoped',
        await tokens.sign({ claims: { scope: 'openid' } }),
      );
      expectRefused(
        answer,
        'with a token with scope "openid" (the route needs read:sample)',
        'a refusal (403)',
      );
    },
  }),
  scenario({
    id: 'scope-12',
    group: G,
    spec: 'RFC 6750 section 3.1 (insufficient_scope)',
    words:
      '"MAY include the scope attribute with the scope necessary to access the protected resource"',
    name: 'MAY name the required scope in the challenge (scope="read:sample")',
    run: async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/private-scoped',
        await tokens.sign({ claims: { scope: 'openid' } }),
      );
      check(
        paramOf(answer.wwwAuthenticate, 'scope') === 'read:sample',
        `${answer.request} with a token with scope "openid"`,
        'a challenge with scope="read:sample"',
        answer,
      );
    },
  }),
  scenario({
    id: 'scope-13',
    group: G,
    spec: 'RFC 6749 section 7',
    words: COVERS,
    name: 'MUST refuse a token holding none of the acceptable scopes (any-of)',
    run: async ({ http, tokens }) => {
      const answer = await http.bearer(
        '/api/any-scope',
        await tokens.sign({ claims: { scope: 'openid profile' } }),
      );
      expectRefused(
        answer,
        'with a token with scope "openid profile" (the route accepts read:sample or write:sample)',
        'a refusal (403)',
      );
    },
  }),
];
