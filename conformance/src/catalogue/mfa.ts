import { totpCodeForSecret as totp } from '@ropkit/mock-server';
import { check, describeAnswer, expectStatus } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import type { Answer, BrowserSession, ConformanceHttp } from '../http-client.js';
import type { ScenarioContext } from '../scenario.js';
import { expectOutcome, pushPolls, retryAfterOf, scenario, tokenAndMfaRequests } from './define.js';

const G = 'Multi-factor authentication' as const;

/** What the MFA routes are sent when the scenario does not care which code. */
const SOME_CODE = '123456';

/** A browser at the second-factor step of {@link KIT.oobUser} (SMS, push, a recovery code). */
async function atSecondFactor(http: ConformanceHttp): Promise<BrowserSession> {
  const browser = http.session();
  const answer = await browser.login(KIT.oobUser, KIT.oobPassword);
  expectOutcome(
    answer,
    401,
    'mfa_required',
    'with the password of a user enrolled in SMS and push',
  );
  return browser;
}

/** A browser at the enrolment step of {@link KIT.enrolUser} (MFA required, nothing enrolled). */
async function atEnrolment(http: ConformanceHttp): Promise<BrowserSession> {
  const browser = http.session();
  const answer = await browser.login(KIT.enrolUser, KIT.enrolPassword);
  expectOutcome(
    answer,
    401,
    'mfa_enrollment_required',
    'with the password of a user who must pass MFA and has no factor yet',
  );
  return browser;
}

/** The newest code the mock server sent `email` by SMS, voice or email, checked to exist. */
async function lastCodeSent(
  { server }: ScenarioContext,
  email: string,
  after: string,
): Promise<string> {
  const message = (await server.control.mfaMessages(KIT.connection, email)).at(-1);
  check(
    message !== undefined,
    after,
    "a code sent to the user's phone (the mock server's messages)",
    'no message',
  );
  return message?.code ?? '';
}

/** A code of the same length that is not `code`. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
}

/** Asks for a push notification; fails unless it is pending (202) with a Retry-After. */
async function startPush(browser: BrowserSession): Promise<number> {
  const answer = await browser.send('/login/challenge', { form: { factor: 'push' } });
  expectOutcome(answer, 202, 'push_pending', 'with factor=push');
  return retryAfterOf(answer, 'with factor=push');
}

/** Fails unless the sign-in completed and the session calls the API. */
async function expectSignedIn(
  browser: BrowserSession,
  answer: Answer,
  outcome: 'signed_in' | 'new_recovery_code',
  sent: string,
): Promise<void> {
  expectOutcome(answer, 200, outcome, sent);
  expectStatus(await browser.send('/call-api'), 200, `after ${answer.request} ${sent}`);
}

/**
 * A second factor after the password, through the login routes: Auth0's MFA for the Resource
 * Owner Password flow (challenge, `mfa-oob` with a code or a push, recovery codes, enrolment).
 */
export const mfa = [
  scenario({
    id: 'mfa-01',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: mfa_required with mfa_token and mfa_requirements',
    words:
      'the password grant of a user who must pass MFA answers mfa_required, an mfa_token and the factors in mfa_requirements; the mfa_token is a secret of the application',
    name: 'MUST answer mfa_required with the factors the user has, and no token in the body or a cookie',
    run: async ({ http }) => {
      const browser = http.session();
      const answer = await browser.login(KIT.oobUser, KIT.oobPassword);
      const sent = 'with the password of a user enrolled in SMS and push';
      expectOutcome(answer, 401, 'mfa_required', sent);
      const factors = answer.field('factors');
      check(
        Array.isArray(factors) && factors.includes('sms') && factors.includes('push'),
        `${answer.request} ${sent}`,
        'factors listing sms and push',
        answer,
      );
      const parsed = answer.json();
      const names = typeof parsed === 'object' && parsed !== null ? Object.keys(parsed) : [];
      const tokenField = names.find((name) => /token|oob_code/i.test(name));
      check(
        tokenField === undefined && !/[\w-]{32,}/.test(answer.body),
        `${answer.request} ${sent}`,
        'a body without the mfa_token or any other token',
        tokenField === undefined ? describeAnswer(answer) : `a body with "${tokenField}"`,
      );
      const cookies = browser.cookieText;
      check(
        !/eyJ[\w-]+\.[\w-]+\./.test(cookies) && cookies.length < 400,
        `${answer.request} ${sent}`,
        'cookies holding a session id only (no token, under 400 characters)',
        `cookies of ${cookies.length} characters`,
      );
    },
  }),
  scenario({
    id: 'mfa-02',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: /mfa/challenge (oob_channel sms) then the mfa-oob grant with binding_code',
    words:
      'an SMS challenge sends a code; the mfa-oob grant with the oob_code and the code as binding_code completes the sign-in; a wrong code is refused and may be tried again',
    name: 'MUST sign in with a code sent by SMS, refusing a wrong one, in a new session',
    requires: ['login', 'mfa', 'lifecycle'],
    run: async (context) => {
      const browser = await atSecondFactor(context.http);
      const challenge = await browser.send('/login/challenge', { form: { factor: 'sms' } });
      expectOutcome(challenge, 200, 'code_sent', 'with factor=sms');
      const code = await lastCodeSent(context, KIT.oobUser, 'POST /login/challenge factor=sms');
      const wrong = await browser.send('/login/oob', { form: { binding_code: wrongCode(code) } });
      expectOutcome(wrong, 401, 'invalid_otp', 'with a binding code that is not the one sent');
      const before = browser.snapshot();
      const right = await browser.send('/login/oob', { form: { binding_code: code } });
      check(
        browser.cookieText !== before.cookieText,
        `${right.request} with the code sent, completing the sign-in`,
        'a new session cookie',
        'the same cookies as before',
      );
      await expectSignedIn(browser, right, 'signed_in', 'with the code sent by SMS');
    },
  }),
  scenario({
    id: 'mfa-03',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (Auth0 attack protection: failed MFA attempts count towards blocking)',
    words:
      'a second factor that cannot succeed (a malformed code, a factor the user does not have) is refused without a request to Auth0',
    name: 'MUST refuse a malformed binding code or an unknown factor without a request to Auth0',
    run: async (context) => {
      const { http, server } = context;
      const browser = await atSecondFactor(http);
      const challenge = await browser.send('/login/challenge', { form: { factor: 'sms' } });
      expectOutcome(challenge, 200, 'code_sent', 'with factor=sms');
      const code = await lastCodeSent(context, KIT.oobUser, 'POST /login/challenge factor=sms');
      await server.control.clearRequests();
      const letters = await browser.send('/login/oob', { form: { binding_code: 'abc123' } });
      expectOutcome(letters, 401, 'invalid_otp', 'with binding_code=abc123');
      const short = await browser.send('/login/oob', { form: { binding_code: '12' } });
      expectOutcome(short, 401, 'invalid_otp', 'with binding_code=12');
      const unknown = await browser.send('/login/challenge', { form: { factor: 'pigeon' } });
      expectOutcome(unknown, 400, 'invalid_request', 'with factor=pigeon');
      const notEnrolled = await browser.send('/login/challenge', { form: { factor: 'email' } });
      expectOutcome(
        notEnrolled,
        400,
        'factor_unavailable',
        'with factor=email, which the user does not have',
      );
      const sent = await tokenAndMfaRequests(server.control);
      check(
        sent.length === 0,
        'a malformed binding code twice, factor=pigeon and factor=email',
        "no request to Auth0's token endpoint or MFA API",
        sent.join(', '),
      );
      const right = await browser.send('/login/oob', { form: { binding_code: code } });
      expectOutcome(right, 200, 'signed_in', 'then with the code sent (the step goes on)');
    },
  }),
  scenario({
    id: 'mfa-04',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: /mfa/challenge (oob_channel auth0) then polling the mfa-oob grant',
    words:
      'a push challenge is polled with the mfa-oob grant: authorization_pending until the user approves on the device, then the tokens',
    name: 'MUST answer a push as pending (202, Retry-After), then sign in once the user approved it',
    requires: ['login', 'mfa', 'lifecycle'],
    uses: ['login.clock'],
    run: async (context) => {
      const browser = await atSecondFactor(context.http);
      const wait = await startPush(browser);
      await context.server.control.approvePush(KIT.connection, KIT.oobUser);
      await context.advanceClock(wait);
      const poll = await browser.send('/login/push', { method: 'POST' });
      await expectSignedIn(
        browser,
        poll,
        'signed_in',
        `after the user approved the push and the ${wait} s of Retry-After passed`,
      );
    },
  }),
  scenario({
    id: 'mfa-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 8628 section 3.5, authorization_pending: polling an Auth0 push)',
    words:
      '"Before each new request, the client MUST wait at least the number of seconds specified by the "interval" parameter [...] or 5 seconds if none was provided"',
    name: 'MUST poll Auth0 for a push at most once per interval, however often the browser polls',
    uses: ['login.clock'],
    run: async (context) => {
      const { http, server } = context;
      const browser = await atSecondFactor(http);
      const wait = await startPush(browser);
      await context.advanceClock(wait);
      const polls = await Promise.all(
        Array.from({ length: 10 }, () => browser.send('/login/push', { method: 'POST' })),
      );
      for (const poll of polls) {
        expectOutcome(poll, 202, 'push_pending', 'ten times at once, the push not answered yet');
        retryAfterOf(poll, 'ten times at once');
      }
      const sent = await pushPolls(server.control);
      check(
        sent <= 1,
        `ten POST /login/push at once, ${wait} s (the Retry-After) after the push was sent`,
        'at most 1 mfa-oob request to Auth0',
        `${sent}`,
      );
    },
  }),
  scenario({
    id: 'mfa-06',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: the mfa-oob grant of a rejected push (access_denied)',
    words: 'a push the user denied on the device is refused, told apart from a wrong code',
    name: 'MUST answer a push the user denied as denied (403 push_denied)',
    uses: ['login.clock'],
    run: async (context) => {
      const browser = await atSecondFactor(context.http);
      const wait = await startPush(browser);
      await context.server.control.denyPush(KIT.connection, KIT.oobUser);
      await context.advanceClock(wait);
      const poll = await browser.send('/login/push', { method: 'POST' });
      expectOutcome(poll, 403, 'push_denied', 'after the user denied the push');
    },
  }),
  scenario({
    id: 'mfa-07',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: an oob_code lives 5 minutes (expired_token "oob_code is expired")',
    words:
      'a code sent past its lifetime is refused as expired, and a new one can be asked for in the same step',
    name: 'MUST answer a code sent past its lifetime as expired (challenge_expired), and send a new one',
    run: async (context) => {
      const { http } = context;
      const browser = await atSecondFactor(http);
      const challenge = await browser.send('/login/challenge', { form: { factor: 'sms' } });
      expectOutcome(challenge, 200, 'code_sent', 'with factor=sms');
      const code = await lastCodeSent(context, KIT.oobUser, 'POST /login/challenge factor=sms');
      // Both clocks: the app's engine checks the ID token of the sign-in below on its clock.
      await context.advanceClock(KIT.oobCodeLifetime + 1);
      const late = await browser.send('/login/oob', { form: { binding_code: code } });
      expectOutcome(
        late,
        401,
        'challenge_expired',
        `with the code sent, ${KIT.oobCodeLifetime + 1} s later (the oob_code expired)`,
      );
      const again = await browser.send('/login/challenge', { form: { factor: 'sms' } });
      expectOutcome(again, 200, 'code_sent', 'with factor=sms, after challenge_expired');
      const next = await lastCodeSent(context, KIT.oobUser, 'a second POST /login/challenge');
      const right = await browser.send('/login/oob', { form: { binding_code: next } });
      expectOutcome(right, 200, 'signed_in', 'with the new code');
    },
  }),
  scenario({
    id: 'mfa-08',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: the mfa-recovery-code grant answers a new recovery_code',
    words:
      'a recovery code is used once; the answer carries a new one, which the user must be shown',
    name: 'MUST sign in with a recovery code and show the new one Auth0 gives, refusing the used one',
    requires: ['login', 'mfa', 'lifecycle'],
    run: async ({ http }) => {
      const browser = await atSecondFactor(http);
      const used = await browser.send('/login/recovery', {
        form: { recovery_code: KIT.recoveryCode },
      });
      await expectSignedIn(browser, used, 'new_recovery_code', "with the user's recovery code");
      const answered = used.field('recoveryCode');
      const fresh = typeof answered === 'string' ? answered : '';
      check(
        fresh !== '' && fresh !== KIT.recoveryCode,
        `${used.request} with the user's recovery code`,
        'recoveryCode: a new code, not the one used',
        fresh === '' ? describeAnswer(used) : `recoveryCode ${fresh}`,
      );
      check(
        used.cacheControl?.includes('no-store') === true,
        `${used.request} with the user's recovery code`,
        'Cache-Control: no-store (the answer holds a secret)',
        `Cache-Control: ${used.cacheControl ?? 'none'}`,
      );
      const later = await atSecondFactor(http);
      const again = await later.send('/login/recovery', {
        form: { recovery_code: KIT.recoveryCode },
      });
      expectOutcome(again, 401, 'invalid_otp', 'with the recovery code used before');
      const next = await later.send('/login/recovery', { form: { recovery_code: fresh } });
      await expectSignedIn(later, next, 'new_recovery_code', 'with the new recovery code');
    },
  }),
  scenario({
    id: 'mfa-09',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: mfa_requirements.enroll, /mfa/associate (otp), then the mfa-otp grant',
    words:
      'a user with no factor enrols an authenticator app from the QR code; its first code confirms it, signs in and answers the first recovery code',
    name: 'MUST let a user with no factor set an authenticator app up and sign in with its first code',
    requires: ['login', 'mfa', 'lifecycle'],
    run: async ({ http, server }) => {
      const browser = await atEnrolment(http);
      const started = await browser.send('/login/enroll', { form: { factor: 'otp' } });
      expectOutcome(started, 200, 'enrollment_started', 'with factor=otp');
      const secret = started.field('secret');
      const barcodeUri = started.field('barcodeUri');
      check(
        typeof secret === 'string' &&
          typeof barcodeUri === 'string' &&
          barcodeUri.startsWith('otpauth://totp/') &&
          new URL(barcodeUri).searchParams.get('secret') === secret,
        `${started.request} with factor=otp`,
        'a barcodeUri otpauth://totp/... holding the secret answered beside it',
        `secret ${typeof secret}, barcodeUri ${typeof barcodeUri === 'string' ? barcodeUri.split('?')[0] : typeof barcodeUri}`,
      );
      const otp = totp(String(secret), await server.control.now());
      const first = await browser.send('/login/otp', { form: { otp } });
      await expectSignedIn(browser, first, 'new_recovery_code', 'with the first code of the app');
    },
  }),
  scenario({
    id: 'mfa-10',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: /mfa/associate (oob, sms) then the mfa-oob grant with binding_code',
    words:
      'a user with no factor enrols a phone: a code is sent to it, and the code confirms it and signs in',
    name: 'MUST let a user with no factor set SMS up and sign in with the code sent',
    requires: ['login', 'mfa', 'lifecycle'],
    run: async (context) => {
      const browser = await atEnrolment(context.http);
      const started = await browser.send('/login/enroll', {
        form: { factor: 'sms', phone_number: KIT.enrolPhone },
      });
      expectOutcome(started, 200, 'code_sent', `with factor=sms, phone_number=${KIT.enrolPhone}`);
      const code = await lastCodeSent(context, KIT.enrolUser, 'POST /login/enroll factor=sms');
      const first = await browser.send('/login/oob', { form: { binding_code: code } });
      await expectSignedIn(browser, first, 'new_recovery_code', 'with the code sent by SMS');
    },
  }),
  scenario({
    id: 'mfa-11',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (Auth0 mfa_token: a step of one sign-in, 10 minutes)',
    words:
      'a second-factor route without an open sign-in step (no session, or its step past its lifetime) answers mfa_expired without a request to Auth0',
    name: 'MUST answer every second-factor route without an open sign-in step as expired, without a request to Auth0',
    uses: ['login.clock'],
    run: async (context) => {
      const { http, server } = context;
      const routes: Array<[string, Record<string, string>]> = [
        ['/login/otp', { otp: SOME_CODE }],
        ['/login/challenge', { factor: 'sms' }],
        ['/login/oob', { binding_code: SOME_CODE }],
        ['/login/push', {}],
        ['/login/recovery', { recovery_code: KIT.recoveryCode }],
        ['/login/enroll', { factor: 'sms', phone_number: KIT.enrolPhone }],
      ];
      for (const [path, form] of routes) {
        const answer = await http.session().send(path, { method: 'POST', form });
        expectOutcome(answer, 401, 'mfa_expired', 'without a session');
      }
      const withoutSession = await tokenAndMfaRequests(server.control);
      check(
        withoutSession.length === 0,
        'every second-factor route without a session',
        "no request to Auth0's token endpoint or MFA API",
        withoutSession.join(', '),
      );
      const browser = await atSecondFactor(http);
      // Past the step's lifetime (10 minutes, the life of Auth0's mfa_token).
      await context.advanceClock(601);
      await server.control.clearRequests();
      for (const [path, form] of routes) {
        const answer = await browser.send(path, { method: 'POST', form });
        expectOutcome(answer, 401, 'mfa_expired', '601 s after the password was accepted');
      }
      const afterStep = await tokenAndMfaRequests(server.control);
      check(
        afterStep.length === 0,
        'every second-factor route 601 s into a sign-in step',
        "no request to Auth0's token endpoint or MFA API",
        afterStep.join(', '),
      );
    },
  }),
];
