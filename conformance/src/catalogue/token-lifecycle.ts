import { isDeepStrictEqual } from 'node:util';
import type { MockServerControl } from '@ropkit/mock-server';
import { check, expectStatus } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import type { BrowserSession, ConformanceHttp } from '../http-client.js';
import { pause, scenario } from './define.js';

const G = 'Token lifecycle' as const;

/** Login tokens live KIT.loginTokenLifetime seconds; refresh is due at 80% of that. */
const PAST_REFRESH_MS = KIT.loginTokenLifetime * 1000 * 0.85;

/** Past the login access token's whole lifetime: the next API call must refresh first. */
const PAST_EXPIRY_MS = KIT.loginTokenLifetime * 1000 + 100;

async function refreshes(control: MockServerControl) {
  return (await control.requests()).filter((entry) => entry.grantType === 'refresh_token');
}

/** A browser session signed in through the app's login route as the kit's user. */
async function signedInSession(http: ConformanceHttp): Promise<BrowserSession> {
  const session = http.session();
  await session.login(KIT.username, KIT.password);
  return session;
}

/** The token endpoint's next answer (or next `times` answers) is this error status and body. */
function failNextTokenRequests(
  control: MockServerControl,
  status: number,
  body: Record<string, string>,
  extra: { headers?: Record<string, string>; times?: number } = {},
): Promise<void> {
  return control.queueFault({ endpoint: '/oauth/token', kind: 'status', status, body, ...extra });
}

/** The tutorial's "Call API" and "Refresh tokens" steps, through the app's downstream route. */
export const tokenLifecycle = [
  scenario({
    id: 'life-01',
    group: G,
    spec: 'RFC 6750 section 2.1',
    words:
      '"Clients SHOULD make authenticated requests with a bearer token using the Authorization request header field with the Bearer HTTP authorization scheme"',
    name: 'SHOULD call the downstream API with the session access token in Authorization: Bearer',
    uses: ['login.downstreamUrl'],
    run: async ({ http, downstream }) => {
      const session = await signedInSession(http);
      const answer = await session.send('/call-api');
      expectStatus(answer, 200, 'after a sign-in');
      check(
        downstream.received.length === 1 &&
          /^[\w-]+\.[\w-]+\.[\w-]+$/.test(downstream.received[0] ?? ''),
        'GET /call-api after a sign-in',
        'one downstream call with Authorization: Bearer <JWT>',
        `${downstream.received.length} downstream call(s), tokens ${JSON.stringify(downstream.received.map((t) => t.slice(0, 12)))}`,
      );
    },
  }),
  scenario({
    id: 'life-02',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 6749 section 6 refresh)',
    words: 'the access token is refreshed once 80% of its lifetime has passed, before it expires',
    name: 'MUST refresh before expiry and keep calling the API',
    uses: ['login.downstreamUrl'],
    run: async ({ http, server, downstream }) => {
      const session = await signedInSession(http);
      await session.send('/call-api');
      await pause(PAST_REFRESH_MS);
      expectStatus(await session.send('/call-api'), 200, 'once the refresh is due');
      const grants = (await refreshes(server.control)).length;
      check(grants === 1, 'GET /call-api once the refresh is due', '1 refresh grant', `${grants}`);
      check(
        downstream.received[0] !== downstream.received[1],
        'GET /call-api once the refresh is due',
        'a new access token downstream',
        'the same access token as before',
      );
    },
  }),
  scenario({
    id: 'life-03',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (single flight)',
    words: 'concurrent requests of one session share one refresh',
    name: 'MUST send one refresh for many concurrent requests of one session',
    run: async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_REFRESH_MS);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => session.send('/call-api')),
      );
      const grants = (await refreshes(server.control)).length;
      check(
        answers.every((answer) => answer.status === 200) && grants === 1,
        '20 concurrent GET /call-api of one session once the refresh is due',
        'each 200, with 1 refresh grant',
        `statuses ${[...new Set(answers.map((answer) => answer.status))].join(', ')}; ${grants} refresh grant(s)`,
      );
    },
  }),
  scenario({
    id: 'life-04',
    group: G,
    spec: 'RFC 6749 section 6',
    words:
      '"The authorization server MAY issue a new refresh token, in which case the client MUST discard the old refresh token and replace it with the new refresh token"',
    name: 'MUST use each rotated refresh token once: no reuse detected across several refreshes',
    run: async ({ http, server }) => {
      const session = await signedInSession(http);
      for (let cycle = 0; cycle < 2; cycle++) {
        await pause(PAST_REFRESH_MS);
        await Promise.all(Array.from({ length: 5 }, () => session.send('/call-api')));
      }
      const statuses = (await refreshes(server.control)).map((entry) => entry.status);
      check(
        statuses.length === 2 && statuses.every((status) => status === 200),
        'two rounds of 5 concurrent GET /call-api, each once a refresh is due (rotating refresh tokens)',
        'refresh grants answered [200, 200]',
        `refresh grants answered ${JSON.stringify(statuses)}`,
      );
    },
  }),
  scenario({
    id: 'life-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 9110 section 10.2.3 Retry-After)',
    words: 'a refresh answered 429 is retried after the Retry-After delay',
    name: 'SHOULD retry a refresh answered 429 with Retry-After, and then succeed',
    run: async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_EXPIRY_MS);
      await failNextTokenRequests(
        server.control,
        429,
        { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
        { headers: { 'retry-after': '1' } },
      );
      expectStatus(
        await session.send('/call-api'),
        200,
        'once the token expired, refresh answered 429',
      );
      const statuses = (await refreshes(server.control)).map((entry) => entry.status);
      check(
        isDeepStrictEqual(statuses, [429, 200]),
        'GET /call-api once the token expired, the first refresh answered 429 Retry-After: 1',
        'refresh grants answered [429, 200]',
        `refresh grants answered ${JSON.stringify(statuses)}`,
      );
    },
  }),
  scenario({
    id: 'life-06',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (availability)',
    words: 'a token that is still valid keeps being used while refreshes fail with 5xx',
    name: 'MUST keep using a still-valid token while refreshes fail with 5xx',
    // The refresh goes on retrying in the background after the valid token was served.
    settleMs: 1_500,
    run: async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_REFRESH_MS);
      await failNextTokenRequests(
        server.control,
        503,
        { error: 'temporarily_unavailable' },
        { times: 10 },
      );
      expectStatus(
        await session.send('/call-api'),
        200,
        'once the refresh is due, the token still valid, the token endpoint answering 503',
      );
    },
  }),
  scenario({
    id: 'life-07',
    group: G,
    spec: 'RFC 6750 section 3.1 (invalid_token)',
    words: '"The client MAY request a new access token and retry the protected resource request"',
    name: 'MAY refresh once and retry when the API answers 401 invalid_token',
    run: async ({ http, downstream, server }) => {
      const session = await signedInSession(http);
      await session.send('/call-api');
      const first = downstream.received[0] ?? '';
      downstream.revoked.add(first);
      expectStatus(await session.send('/call-api'), 200, 'after the API revoked the access token');
      const grants = (await refreshes(server.control)).length;
      const retried = (downstream.received.at(-1) ?? first) !== first;
      check(
        grants === 1 && retried,
        'GET /call-api while the API answers 401 invalid_token to the session token',
        '1 refresh grant and a retry with the new token',
        `${grants} refresh grant(s), ${retried ? 'a retry with a new token' : 'no retry with a new token'}`,
      );
    },
  }),
  scenario({
    id: 'life-08',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 6749 section 5.2 invalid_grant)',
    words: 'a refused refresh token ends the sign-in: the user signs in again, without retries',
    name: 'MUST ask the user to sign in again when the refresh token is refused',
    run: async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_EXPIRY_MS);
      await failNextTokenRequests(server.control, 403, {
        error: 'invalid_grant',
        error_description: 'Unknown or invalid refresh token.',
      });
      expectStatus(
        await session.send('/call-api'),
        401,
        'once the token expired, refresh answered invalid_grant',
      );
      const grants = (await refreshes(server.control)).length;
      check(grants === 1, 'the call above', '1 refresh grant (no retry)', `${grants}`);
    },
  }),
];
