import { check, describeAnswer, expectStatus } from '../check.js';
import type { TestAppOptions } from '../test-app.js';
import { createKitKey } from '../token-factory.js';
import { expectTokenRefused, expectTokenServed, pause, scenario } from './define.js';

const G = 'Key set and rotation' as const;

/** The cooldown keys-03 starts its app with: long enough that the flood fits in one. */
const FLOOD_COOLDOWN_MS = 10_000;

async function jwksFetches(control: {
  requests(): Promise<Array<{ path: string }>>;
}): Promise<number> {
  return (await control.requests()).filter((entry) => entry.path === '/.well-known/jwks.json')
    .length;
}

/** The options with another key set cooldown. */
function withCooldown(options: TestAppOptions, cooldownMs: number): TestAppOptions {
  return {
    ...options,
    verifier: { ...options.verifier, keySet: { ...options.verifier.keySet, cooldownMs } },
  };
}

/** `401 x28, 500 x2`: the statuses of many answers, counted. */
function statusCounts(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts]
    .toSorted(([a], [b]) => a - b)
    .map(([status, count]) => `${status} x${count}`)
    .join(', ');
}

/** RFC 7517 key sets: rotation, withdrawal, floods and failures, through the mock's control API. */
export const keySet = [
  scenario({
    id: 'keys-01',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 signing key rotation / OpenID Connect Core 1.0 section 10.1.1',
    words:
      '"The verifier knows to go back to the jwks_uri location to re-retrieve the keys when it sees an unfamiliar kid value" (no RFC 2119 word; Auth0 rotates keys this way)',
    name: 'MUST accept a token signed by a key rotated in after start',
    uses: ['verifier.keySet.cooldownMs'],
    run: async ({ http, tokens, server, options }) => {
      await http.bearer('/api/private', await tokens.sign());
      const next = await createKitKey('rotated-in');
      await server.control.rotateSigningKey({
        kid: next.kid,
        privateJwk: next.privateJwk,
        keepPrevious: true,
      });
      // Past the cooldown the kit passed, counted from the fetch above.
      await pause(options.verifier.keySet.cooldownMs + 100);
      await expectTokenServed(
        http,
        await tokens.sign({ key: next }),
        'a token signed by a key published after the app fetched the key set',
      );
    },
  }),
  scenario({
    id: 'keys-02',
    group: G,
    spec: 'RFC 8725 section 3.8',
    words:
      '"the application MUST validate that the cryptographic keys used ... belong to the issuer. If they do not, the application MUST reject the JWT"',
    name: 'MUST reject a token signed by a key that was withdrawn',
    run: async ({ startApp, tokens, server }) => {
      // A fresh app, so it has not seen (or cached) any token yet.
      const { http } = await startApp((options) => options);
      const next = await createKitKey('replacement');
      await server.control.rotateSigningKey({
        kid: next.kid,
        privateJwk: next.privateJwk,
        keepPrevious: false,
      });
      const withdrawnToken = await tokens.sign();
      await expectTokenServed(http, await tokens.sign({ key: next }), 'a token of the new key');
      await expectTokenRefused(
        http,
        withdrawnToken,
        'a token signed by a key the key set no longer publishes',
      );
    },
  }),
  scenario({
    id: 'keys-03',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 8725 section 3.10 warns of requests driven by token headers)',
    words:
      'an unknown kid refetches the key set at most once per verifier.keySet.cooldownMs, so forged kids cannot make the app hammer the authorization server',
    name: 'MUST bound key set fetches when tokens carry unknown kids',
    uses: ['verifier.keySet.cooldownMs'],
    run: async ({ startApp, tokens, server }) => {
      const stranger = await createKitKey('flood');
      const flood = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          tokens.sign({ key: stranger, header: { kid: `flood-${i}` } }),
        ),
      );
      const { http } = await startApp((options) => withCooldown(options, FLOOD_COOLDOWN_MS));
      await expectTokenServed(http, await tokens.sign(), 'a valid token (the first key set fetch)');
      const before = await jwksFetches(server.control);
      const answers = await Promise.all(flood.map((token) => http.bearer('/api/private', token)));
      const fetched = (await jwksFetches(server.control)) - before;
      check(
        answers.every((answer) => answer.status >= 400 && answer.status < 500) && fetched <= 1,
        `30 concurrent GET /api/private, each with a token of another unknown kid, within one key set cooldown (${FLOOD_COOLDOWN_MS} ms)`,
        'each refused (4xx), with at most 1 key set fetch',
        `${statusCounts(answers.map((answer) => answer.status))}; ${fetched} key set fetch(es)`,
      );
    },
  }),
  scenario({
    id: 'keys-04',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9110 section 15.6.4 503 Service Unavailable)',
    words:
      'a valid token the verifier cannot check is not an invalid_token: ropkit answers 503 without a challenge, so clients keep their token',
    name: 'MUST answer 503, not 401, when the key set cannot be fetched and nothing cached can decide',
    run: async ({ startApp, tokens, server }) => {
      const { http } = await startApp((options) => options);
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'status',
        status: 503,
        body: { error: 'unavailable' },
        times: 5,
      });
      const answer = await http.bearer('/api/private', await tokens.sign());
      check(
        answer.status === 503 && answer.wwwAuthenticate === null,
        `${answer.request} with a valid token while the key set URL answers 503`,
        '503 without WWW-Authenticate',
        answer,
      );
    },
  }),
  scenario({
    id: 'keys-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 7517 section 5: a JWK Set is a JSON object)',
    words: 'a key set URL that answers HTML is unavailable, not an empty key set: 503',
    name: 'MUST answer 503 when the key set endpoint answers HTML',
    run: async ({ startApp, tokens, server }) => {
      const { http } = await startApp((options) => options);
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'html',
        status: 200,
        times: 5,
      });
      const answer = await http.bearer('/api/private', await tokens.sign());
      expectStatus(answer, 503, 'with a valid token while the key set URL answers an HTML page');
    },
  }),
  scenario({
    id: 'keys-06',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy',
    words: 'keys fetched before keep verifying tokens while the key set URL fails',
    name: 'SHOULD keep serving with cached keys while the key set endpoint fails',
    run: async ({ http, tokens, server }) => {
      expectStatus(
        await http.bearer('/api/private', await tokens.sign()),
        200,
        'with a valid token (before the key set URL fails)',
      );
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'status',
        status: 500,
        times: 5,
      });
      const answer = await http.bearer(
        '/api/private',
        await tokens.sign({ claims: { jti: 'after-failure' } }),
      );
      check(
        answer.status === 200,
        `${answer.request} with a valid token of the cached key while the key set URL answers 500`,
        '200',
        () => describeAnswer(answer),
      );
    },
  }),
];
