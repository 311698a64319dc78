import { totpCodeForSecret as totp } from '@ropkit/mock-server';
import { expectEqual, expectTrue } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import { RecordingStore, sharedSessions } from '../recording-store.js';
import type { ScenarioContext } from '../scenario.js';
import { scenario } from './define.js';

const G = 'Sessions of the login routes' as const;

/** An instance of the app whose token store the scenario can look into. */
async function appWithStore({ startApp }: ScenarioContext, store = new RecordingStore()) {
  const started = await startApp((options) => ({
    ...options,
    ...(options.login === undefined ? {} : { login: { ...options.login, store } }),
  }));
  return { ...started, store };
}

async function revocations(context: ScenarioContext): Promise<number> {
  const log = await context.server.control.requests();
  return log.filter((entry) => entry.path === '/oauth/revoke').length;
}

/** Whether the authorization server still honours a refresh token (a refresh grant with it). */
async function refreshTokenWorks(context: ScenarioContext, refreshToken: string): Promise<boolean> {
  const response = await fetch(context.server.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: KIT.clientId,
      client_secret: KIT.clientSecret,
    }),
  });
  await response.body?.cancel();
  return response.ok;
}

/** The session policies of the login routes: fixation, logout, a second sign-in, replicas. */
export const sessions = [
  scenario(
    'sess-01',
    G,
    'OWASP ASVS 4.0 V3.2.1 (session fixation)',
    'MUST renew the session id when a sign-in completes: an id known before it is worth nothing after',
    async ({ http, server }) => {
      const browser = http.session();
      const started = await browser.login(KIT.mfaUser, KIT.mfaPassword);
      expectEqual(started.status, 401, 'the MFA step starts');
      const beforeSignIn = browser.snapshot();
      const otp = totp(KIT.mfaSecret, await server.control.now());
      const done = await browser.send('/login/otp', { form: { otp } });
      expectEqual(done.status, 200, 'the MFA step completes');
      expectTrue(browser.cookieText !== beforeSignIn.cookieText, 'a new session cookie was set');
      expectEqual(
        (await browser.send('/call-api')).status,
        200,
        'the signed-in session calls the API',
      );
      const planted = await beforeSignIn.send('/call-api');
      expectEqual(planted.status, 401, 'the session id from before the sign-in calls the API');
    },
  ),
  scenario(
    'sess-02',
    G,
    'RFC 7009 section 2 / OWASP ASVS 4.0 V3.3.1',
    'MUST end the session at logout: a new session id, and no key and no tokens left in the token store',
    async (context) => {
      const { http, store } = await appWithStore(context);
      const browser = http.session();
      expectEqual((await browser.login(KIT.username, KIT.password)).status, 200, 'sign-in');
      const signedIn = browser.snapshot();
      expectEqual((await browser.send('/logout', { method: 'POST' })).status, 204, 'logout');
      expectEqual(await store.keysInUse(), [], 'keys still holding tokens in the store');
      expectEqual(
        (await signedIn.send('/call-api')).status,
        401,
        'the signed-in session id after logout',
      );
      expectEqual((await browser.send('/call-api')).status, 401, 'the browser after logout');
      expectEqual(await revocations(context), 1, 'revocation requests');
    },
  ),
  scenario(
    'sess-03',
    G,
    'RFC 7009 section 2',
    "MUST revoke the first sign-in's refresh token when a second sign-in in the same session replaces it",
    async (context) => {
      const { http, store } = await appWithStore(context);
      const browser = http.session();
      await browser.login(KIT.username, KIT.password);
      const [firstKey] = store.keys;
      const first = firstKey === undefined ? undefined : await store.get(firstKey);
      expectTrue(first?.refreshToken !== undefined, 'the first sign-in stored a refresh token');
      expectEqual((await browser.login(KIT.username, KIT.password)).status, 200, 'second sign-in');
      expectEqual((await store.keysInUse()).length, 1, 'sign-ins left in the store');
      expectEqual(await revocations(context), 1, 'revocation requests');
      const stillWorks = await refreshTokenWorks(context, first?.refreshToken ?? '');
      expectTrue(!stillWorks, 'the first refresh token is still accepted by the server');
    },
  ),
  scenario(
    'sess-04',
    G,
    'RFC 7009 section 2.2.1',
    'MUST sign the user out even when revoking the refresh token fails',
    async ({ http, server }) => {
      const browser = http.session();
      await browser.login(KIT.username, KIT.password);
      await server.control.queueFault({ endpoint: '/oauth/revoke', kind: 'status', status: 503 });
      const logout = await browser.send('/logout', { method: 'POST' });
      expectEqual(logout.status, 204, 'logout status while the revocation endpoint fails');
      expectEqual((await browser.send('/call-api')).status, 401, 'calling the API after logout');
    },
  ),
  scenario(
    'sess-05',
    G,
    'Auth0 MFA: mfa_token (one sign-in across replicas)',
    'MUST finish an MFA sign-in started on one instance on another that shares the token and session stores',
    async (context) => {
      const store = new RecordingStore();
      const shared = sharedSessions();
      const start = () =>
        context.startApp((options) => ({
          ...options,
          sessions: shared,
          ...(options.login === undefined ? {} : { login: { ...options.login, store } }),
        }));
      const [first, second] = [await start(), await start()];
      const onFirst = first.http.session();
      const started = await onFirst.login(KIT.mfaUser, KIT.mfaPassword);
      expectEqual(started.status, 401, 'the MFA step starts on the first instance');
      const onSecond = onFirst.via(second.http);
      const otp = totp(KIT.mfaSecret, await context.server.control.now());
      const done = await onSecond.send('/login/otp', { form: { otp } });
      expectEqual([done.status, done.json()], [200, { status: 'signed_in' }], 'OTP on the second');
      expectEqual((await onFirst.send('/call-api')).status, 200, 'the API called from the first');
    },
  ),
];
