import { totpCodeForSecret as totp } from '@ropkit/mock-server';
import { check, expectStatus } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import { RecordingStore, sharedSessions } from '../recording-store.js';
import type { ScenarioContext } from '../scenario.js';
import { expectOutcome, pushPolls, retryAfterOf, scenario } from './define.js';

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

/** Two instances of the app sharing one token store and one session store, as replicas do. */
async function twoInstances(context: ScenarioContext) {
  const store = new RecordingStore();
  const shared = sharedSessions();
  const start = () =>
    context.startApp((options) => ({
      ...options,
      sessions: shared,
      ...(options.login === undefined ? {} : { login: { ...options.login, store } }),
    }));
  return [await start(), await start()] as const;
}

/** Whether the authorization server still honours a refresh token (a refresh grant with it). */
async function refreshTokenWorks(context: ScenarioContext, refreshToken: string): Promise<boolean> {
  const response = await context.fetch(context.server.tokenEndpoint, {
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
  scenario({
    id: 'sess-01',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (OWASP ASVS 4.0 V3.2.1, session fixation)',
    words: '"Verify the application generates a new session token on user authentication"',
    name: 'MUST renew the session id when a sign-in completes: an id known before it is worth nothing after',
    requires: ['login', 'lifecycle'],
    run: async ({ http, server }) => {
      const browser = http.session();
      const started = await browser.login(KIT.mfaUser, KIT.mfaPassword);
      expectStatus(started, 401, 'with the password of a user enrolled in MFA (the MFA step)');
      const beforeSignIn = browser.snapshot();
      const otp = totp(KIT.mfaSecret, await server.control.now());
      const done = await browser.send('/login/otp', { form: { otp } });
      expectStatus(done, 200, 'with a valid one-time password');
      check(
        browser.cookieText !== beforeSignIn.cookieText,
        'POST /login/otp completing the sign-in',
        'a new session cookie',
        'the same cookies as before the sign-in',
      );
      expectStatus(await browser.send('/call-api'), 200, 'with the signed-in session');
      const planted = await beforeSignIn.send('/call-api');
      expectStatus(planted, 401, 'with the session id from before the sign-in');
    },
  }),
  scenario({
    id: 'sess-02',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (OWASP ASVS 4.0 V3.3.1)',
    words: '"Verify that logout and expiration invalidate the session token"',
    name: 'MUST end the session at logout: a new session id, and no key and no tokens left in the token store',
    requires: ['login', 'lifecycle', 'sessions'],
    uses: ['login.store'],
    run: async (context) => {
      const { http, store } = await appWithStore(context);
      const browser = http.session();
      expectStatus(await browser.login(KIT.username, KIT.password), 200, 'with the right password');
      const signedIn = browser.snapshot();
      expectStatus(await browser.send('/logout', { method: 'POST' }), 204, 'after the sign-in');
      const left = await store.keysInUse();
      check(
        left.length === 0,
        'POST /logout',
        'no key holding tokens in login.store',
        `${left.length} key(s) still holding tokens`,
      );
      expectStatus(
        await signedIn.send('/call-api'),
        401,
        'with the signed-in session id, after logout',
      );
      expectStatus(await browser.send('/call-api'), 401, 'from the browser, after logout');
      const revoked = await revocations(context);
      check(revoked === 1, 'POST /logout', '1 revocation request', `${revoked}`);
    },
  }),
  scenario({
    id: 'sess-03',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 7009 section 1)',
    words: 'a sign-in that replaces another in the same session revokes the first refresh token',
    name: "MUST revoke the first sign-in's refresh token when a second sign-in in the same session replaces it",
    requires: ['login', 'sessions'],
    uses: ['login.store'],
    run: async (context) => {
      const { http, store } = await appWithStore(context);
      const browser = http.session();
      await browser.login(KIT.username, KIT.password);
      const [firstKey] = store.keys;
      const first = firstKey === undefined ? undefined : await store.get(firstKey);
      check(
        first?.refreshToken !== undefined,
        'POST /login with the right password',
        'a refresh token in login.store',
        'none',
      );
      expectStatus(await browser.login(KIT.username, KIT.password), 200, 'a second time');
      const inUse = (await store.keysInUse()).length;
      check(
        inUse === 1,
        'a second POST /login in the same session',
        '1 sign-in in login.store',
        `${inUse}`,
      );
      const revoked = await revocations(context);
      check(
        revoked === 1,
        'a second POST /login in the same session',
        '1 revocation request',
        `${revoked}`,
      );
      const stillWorks = await refreshTokenWorks(context, first?.refreshToken ?? '');
      check(
        !stillWorks,
        "a refresh grant with the first sign-in's refresh token",
        'a refusal',
        'new tokens (the first refresh token still works)',
      );
    },
  }),
  scenario({
    id: 'sess-04',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 7009 section 2.2.1)',
    words: 'a revocation answered 503 does not keep the user signed in',
    name: 'MUST sign the user out even when revoking the refresh token fails',
    requires: ['login', 'lifecycle'],
    run: async ({ http, server }) => {
      const browser = http.session();
      await browser.login(KIT.username, KIT.password);
      await server.control.queueFault({ endpoint: '/oauth/revoke', kind: 'status', status: 503 });
      const logout = await browser.send('/logout', { method: 'POST' });
      expectStatus(logout, 204, 'while the revocation endpoint answers 503');
      expectStatus(await browser.send('/call-api'), 401, 'after that logout');
    },
  }),
  scenario({
    id: 'sess-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (Auth0 mfa_token: one sign-in across replicas)',
    words:
      'an MFA step started on one instance finishes on another sharing the token and session stores',
    name: 'MUST finish an MFA sign-in started on one instance on another that shares the token and session stores',
    requires: ['login', 'lifecycle', 'sessions'],
    uses: ['login.store', 'sessions'],
    run: async (context) => {
      const [first, second] = await twoInstances(context);
      const onFirst = first.http.session();
      const started = await onFirst.login(KIT.mfaUser, KIT.mfaPassword);
      expectStatus(
        started,
        401,
        'to the first instance with the password of a user enrolled in MFA',
      );
      const onSecond = onFirst.via(second.http);
      const otp = totp(KIT.mfaSecret, await context.server.control.now());
      const done = await onSecond.send('/login/otp', { form: { otp } });
      check(
        done.status === 200 && done.field('status') === 'signed_in',
        `${done.request} to the second instance with a valid one-time password`,
        '200 {"status":"signed_in"}',
        done,
      );
      expectStatus(
        await onFirst.send('/call-api'),
        200,
        'to the first instance, signed in on the second',
      );
    },
  }),
  scenario({
    id: 'sess-06',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 8628 section 3.5 across replicas sharing the token store)',
    words:
      'a push started on one instance is polled on any instance sharing the stores, and Auth0 at most once per interval in all',
    name: 'MUST poll a push once per interval across instances sharing the token and session stores, and sign in on either',
    requires: ['login', 'mfa', 'lifecycle', 'sessions'],
    uses: ['login.store', 'sessions', 'login.clock'],
    run: async (context) => {
      const [first, second] = await twoInstances(context);
      const onFirst = first.http.session();
      const started = await onFirst.login(KIT.oobUser, KIT.oobPassword);
      expectOutcome(
        started,
        401,
        'mfa_required',
        'to the first instance with the password of a user enrolled in push',
      );
      const onSecond = onFirst.via(second.http);
      const push = await onFirst.send('/login/challenge', { form: { factor: 'push' } });
      expectOutcome(push, 202, 'push_pending', 'to the first instance with factor=push');
      await context.advanceClock(retryAfterOf(push, 'with factor=push'));
      const polls = await Promise.all(
        [onFirst, onSecond, onFirst, onSecond, onFirst, onSecond].map((browser) =>
          browser.send('/login/push', { method: 'POST' }),
        ),
      );
      for (const poll of polls) {
        expectOutcome(
          poll,
          202,
          'push_pending',
          'to both instances at once, the push not answered',
        );
      }
      const once = await pushPolls(context.server.control);
      check(
        once === 1,
        'six POST /login/push at once, three to each instance, once the Retry-After passed',
        '1 mfa-oob request to Auth0 (one per interval, across instances)',
        `${once}`,
      );
      await context.server.control.approvePush(KIT.connection, KIT.oobUser);
      const waits = polls.map((poll) => retryAfterOf(poll, 'to both instances'));
      await context.advanceClock(Math.max(...waits));
      const done = await onSecond.send('/login/push', { method: 'POST' });
      expectOutcome(
        done,
        200,
        'signed_in',
        'to the second instance, once the user approved and the Retry-After passed',
      );
      const twice = await pushPolls(context.server.control);
      check(
        twice === 2,
        'the polls above, over two intervals',
        '2 mfa-oob requests to Auth0',
        `${twice}`,
      );
      expectStatus(
        await onFirst.send('/call-api'),
        200,
        'to the first instance, signed in on the second',
      );
    },
  }),
];
