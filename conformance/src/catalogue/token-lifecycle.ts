import type { MockServerControl } from '@ropkit/mock-server';
import { expectEqual, expectTrue } from '../check.js';
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
  scenario(
    'life-01',
    G,
    'RFC 6750 section 2.1',
    'MUST call the downstream API with the session access token as a Bearer token',
    async ({ http, downstream }) => {
      const session = await signedInSession(http);
      const answer = await session.send('/call-api');
      expectEqual(answer.status, 200, 'status');
      expectEqual(downstream.received.length, 1, 'downstream calls');
      expectTrue(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(downstream.received[0] ?? ''), 'a JWT was sent');
    },
  ),
  scenario(
    'life-02',
    G,
    'RFC 6749 section 6',
    'MUST refresh before expiry and keep calling the API',
    async ({ http, server, downstream }) => {
      const session = await signedInSession(http);
      await session.send('/call-api');
      await pause(PAST_REFRESH_MS);
      expectEqual((await session.send('/call-api')).status, 200, 'status after the refresh is due');
      expectEqual((await refreshes(server.control)).length, 1, 'refresh grants');
      expectTrue(downstream.received[0] !== downstream.received[1], 'a new access token was used');
    },
  ),
  scenario(
    'life-03',
    G,
    'Single flight (ropkit)',
    'MUST send one refresh for many concurrent requests of one session',
    async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_REFRESH_MS);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => session.send('/call-api')),
      );
      expectTrue(
        answers.every((answer) => answer.status === 200),
        'every concurrent call succeeds',
      );
      expectEqual((await refreshes(server.control)).length, 1, 'refresh grants');
    },
  ),
  scenario(
    'life-04',
    G,
    'RFC 9700 section 4.14.2 (refresh token rotation)',
    'MUST use each rotated refresh token once: no reuse detected across several refreshes',
    async ({ http, server }) => {
      const session = await signedInSession(http);
      for (let cycle = 0; cycle < 2; cycle++) {
        await pause(PAST_REFRESH_MS);
        await Promise.all(Array.from({ length: 5 }, () => session.send('/call-api')));
      }
      const grants = await refreshes(server.control);
      expectEqual(
        grants.map((entry) => entry.status),
        [200, 200],
        'refresh answers',
      );
    },
  ),
  scenario(
    'life-05',
    G,
    'RFC 9110 section 10.2.3 (Retry-After)',
    'SHOULD retry a refresh answered 429 with Retry-After, and then succeed',
    async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_EXPIRY_MS);
      await failNextTokenRequests(
        server.control,
        429,
        { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
        { headers: { 'retry-after': '1' } },
      );
      expectEqual((await session.send('/call-api')).status, 200, 'status');
      expectEqual(
        (await refreshes(server.control)).map((entry) => entry.status),
        [429, 200],
        'refresh answers',
      );
    },
  ),
  scenario(
    'life-06',
    G,
    'RFC 6749 section 5.2 / availability',
    'MUST keep using a still-valid token while refreshes fail with 5xx',
    async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_REFRESH_MS);
      await failNextTokenRequests(
        server.control,
        503,
        { error: 'temporarily_unavailable' },
        { times: 10 },
      );
      expectEqual((await session.send('/call-api')).status, 200, 'status while the server fails');
    },
    // The refresh goes on retrying in the background after the valid token was served.
    1_500,
  ),
  scenario(
    'life-07',
    G,
    'RFC 6750 section 3.1 (invalid_token)',
    'SHOULD refresh once and retry when the API answers 401 invalid_token',
    async ({ http, downstream, server }) => {
      const session = await signedInSession(http);
      await session.send('/call-api');
      const first = downstream.received[0] ?? '';
      downstream.revoked.add(first);
      expectEqual((await session.send('/call-api')).status, 200, 'status after the retry');
      expectEqual((await refreshes(server.control)).length, 1, 'refresh grants');
      expectTrue((downstream.received.at(-1) ?? first) !== first, 'the retry used a new token');
    },
  ),
  scenario(
    'life-08',
    G,
    'RFC 6749 section 5.2 (invalid_grant)',
    'MUST ask the user to sign in again when the refresh token is refused',
    async ({ http, server }) => {
      const session = await signedInSession(http);
      await pause(PAST_EXPIRY_MS);
      await failNextTokenRequests(server.control, 403, {
        error: 'invalid_grant',
        error_description: 'Unknown or invalid refresh token.',
      });
      expectEqual((await session.send('/call-api')).status, 401, 'status');
      expectEqual((await refreshes(server.control)).length, 1, 'refresh grants (no retry)');
    },
  ),
];
