import { expectEqual, expectTrue } from '../check.js';
import { createKitKey } from '../token-factory.js';
import { pause, scenario } from './define.js';

const G = 'Key set and rotation' as const;

/** The app's key cooldown is 500 ms (see the default options); wait a little longer. */
const COOLDOWN_MS = 600;

async function jwksFetches(control: {
  requests(): Promise<Array<{ path: string }>>;
}): Promise<number> {
  return (await control.requests()).filter((entry) => entry.path === '/.well-known/jwks.json')
    .length;
}

/** RFC 7517 key sets: rotation, withdrawal, floods and failures, through the mock's control API. */
export const keySet = [
  scenario(
    'keys-01',
    G,
    'RFC 7517 section 5 / OIDC Discovery 1.0 section 4',
    'MUST accept a token signed by a key rotated in after start',
    async ({ http, tokens, server }) => {
      await http.bearer('/api/private', await tokens.sign());
      const next = await createKitKey('rotated-in');
      await server.control.rotateSigningKey({
        kid: next.kid,
        privateJwk: next.privateJwk,
        keepPrevious: true,
      });
      await pause(COOLDOWN_MS);
      expectEqual(
        (await http.bearer('/api/private', await tokens.sign({ key: next }))).status,
        200,
        'status with the new key',
      );
    },
  ),
  scenario(
    'keys-02',
    G,
    'RFC 7517 section 5',
    'MUST reject a token signed by a key that was withdrawn',
    async ({ startApp, tokens, server }) => {
      // A fresh app, so it has not seen (or cached) any token yet.
      const { http } = await startApp((options) => options);
      const next = await createKitKey('replacement');
      await server.control.rotateSigningKey({
        kid: next.kid,
        privateJwk: next.privateJwk,
        keepPrevious: false,
      });
      const withdrawnToken = await tokens.sign();
      expectEqual(
        (await http.bearer('/api/private', await tokens.sign({ key: next }))).status,
        200,
        'status with the new key',
      );
      expectEqual(
        (await http.bearer('/api/private', withdrawnToken)).status,
        401,
        'status with the withdrawn key',
      );
    },
  ),
  scenario(
    'keys-03',
    G,
    'RFC 8725 section 3 / jose createRemoteJWKSet cooldown',
    'MUST bound key set fetches when tokens carry unknown kids',
    async ({ http, tokens, server }) => {
      await http.bearer('/api/private', await tokens.sign());
      const before = await jwksFetches(server.control);
      const flood = await Promise.all(
        Array.from({ length: 30 }, async (_, i) =>
          tokens.sign({ key: await createKitKey(`flood-${i}`) }),
        ),
      );
      const answers = await Promise.all(flood.map((token) => http.bearer('/api/private', token)));
      expectTrue(
        answers.every((answer) => answer.status === 401),
        'every flood token is refused',
      );
      const fetched = (await jwksFetches(server.control)) - before;
      expectTrue(
        fetched <= 1,
        `key set fetched ${fetched} times for 30 unknown kids within one cooldown`,
      );
    },
  ),
  scenario(
    'keys-04',
    G,
    'RFC 6750 section 3.1 / RFC 9110 section 15.6.4',
    'MUST answer 503, not 401, when the key set cannot be fetched and nothing cached can decide',
    async ({ startApp, tokens, server }) => {
      const { http } = await startApp((options) => options);
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'status',
        status: 503,
        body: { error: 'unavailable' },
        times: 5,
      });
      const answer = await http.bearer('/api/private', await tokens.sign());
      expectEqual(answer.status, 503, 'status');
      expectEqual(answer.wwwAuthenticate, null, 'no invalid_token challenge');
    },
  ),
  scenario(
    'keys-05',
    G,
    'RFC 7517 section 5',
    'MUST answer 503 when the key set endpoint answers HTML',
    async ({ startApp, tokens, server }) => {
      const { http } = await startApp((options) => options);
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'html',
        status: 200,
        times: 5,
      });
      expectEqual((await http.bearer('/api/private', await tokens.sign())).status, 503, 'status');
    },
  ),
  scenario(
    'keys-06',
    G,
    'RFC 7517 section 5',
    'SHOULD keep serving with cached keys while the key set endpoint fails',
    async ({ http, tokens, server }) => {
      expectEqual(
        (await http.bearer('/api/private', await tokens.sign())).status,
        200,
        'status before the failure',
      );
      await server.control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'status',
        status: 500,
        times: 5,
      });
      expectEqual(
        (await http.bearer('/api/private', await tokens.sign({ claims: { jti: 'after-failure' } })))
          .status,
        200,
        'status during the failure',
      );
    },
  ),
];
