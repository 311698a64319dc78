import { TUTORIAL } from '@ropkit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Browser, type FetchedPage } from './support/browser.ts';
import { PASSWORD_LOGIN_DIR, runToExit, startProgram } from './support/program.ts';
import { startStack, tokenRequests, USERS, type Stack } from './support/stack.ts';
import { addStepUpUser, MFA_ACR, startStepUpStack, type StepUpStack } from './support/step-up.ts';
import { totp } from './support/totp.ts';

const SESSION_COOKIE = 'password-login.sid';
const CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/**
 * Access tokens live 2 seconds on this mock API, so the background refresh (at about 80% of the
 * lifetime) happens while the test waits, without moving any clock.
 */
const TOKEN_LIFETIME_SECONDS = 2;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ tokenLifetime: TOKEN_LIFETIME_SECONDS });
});

afterAll(async () => {
  await stack?.stop();
});

async function revocations(): Promise<number> {
  const log = await stack.mock.control.requests();
  return log.filter((entry) => entry.path === '/oauth/revoke').length;
}

/**
 * Requests the mock saw at the token endpoint or the MFA API since its log was cleared, but for
 * refresh grants: the app refreshes the sessions of earlier tests in the background (short token
 * lifetimes, `backgroundRefresh`), at any moment, which says nothing about the request under test.
 */
async function authorizationRequests(): Promise<string[]> {
  const log = await stack.mock.control.requests();
  return log
    .filter((entry) => entry.grantType !== 'refresh_token')
    .map((entry) => entry.path)
    .filter((path) => path === '/oauth/token' || path.startsWith('/mfa/'));
}

/** Follows a 303 as a browser does, with a GET. */
async function follow(browser: Browser, page: FetchedPage): Promise<FetchedPage> {
  expect(page.status).toBe(303);
  return browser.get(page.location ?? '');
}

/** A new user with MFA required and nothing set up yet: its first sign-in enrols a factor. */
async function newUserToEnrol(name: string): Promise<{ email: string; password: string }> {
  const user = { email: `${name}@example.com`, password: `${name}-pwd` };
  await stack.mock.control.setUser(TUTORIAL.connection, { ...user, mfa: {} });
  return user;
}

/** A browser that signed in as `user` and stands at the second step (GET /login/mfa). */
async function atSecondStep(
  user: { email: string; password: string },
  origin: string = stack.app.url,
) {
  const browser = new Browser(origin);
  await browser.get('/');
  const step = await follow(
    browser,
    await browser.submit('/login', { username: user.email, password: user.password }),
  );
  expect(step.status).toBe(200);
  return { browser, step };
}

describe('the password-login example', () => {
  it('prints one line with its URL, the issuer, the client and the API, and no secret', () => {
    const { app, mock, api } = stack;
    expect(app.logLine).toBe(
      `password-login example listening on ${app.url} (issuer ${mock.issuer}, client ${TUTORIAL.clientId}, API ${api.url}/api/private-scoped)`,
    );
    expect(app.logLine).not.toContain(TUTORIAL.clientSecret);
  });

  it('signs in with the form, calls the API, refreshes in the background and signs out', async () => {
    const { mock } = stack;
    await mock.control.clearRequests();
    const browser = new Browser(stack.app.url);

    const home = await browser.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('<form method="post" action="/login">');
    expect(home.text).toContain('name="username"');
    expect(home.text).toContain('name="password"');
    // The form's session: its cookie holds the signed session id, for the CSRF token.
    const formCookie = browser.cookie(SESSION_COOKIE);
    expect(formCookie).toMatch(/^s%3A[\w-]+\.[\w%+/-]+$/);
    expect(browser.csrfToken()).toMatch(/^[\w-]{43}$/);

    const signIn = await browser.submit('/login', {
      username: USERS.plain.email,
      password: USERS.plain.password,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/');
    expect(await tokenRequests(mock, 'password')).toBe(1);

    // A new session id once signed in (session fixation); still nothing but the signed id.
    const cookie = browser.cookie(SESSION_COOKIE) ?? '';
    expect(cookie).not.toBe(formCookie);
    expect(cookie).toMatch(/^s%3A[\w-]+\.[\w%+/-]+$/);
    expect(cookie.length).toBeLessThan(100);
    expect(cookie).not.toContain('eyJ'); // how every JWT (its header, base64url JSON) begins

    const signedIn = await browser.get('/');
    expect(signedIn.text).toContain(
      `Signed in as <strong id="username">${USERS.plain.email}</strong>`,
    );

    const called = await browser.get('/call-api');
    expect(called.status).toBe(200);
    expect(called.text).toContain('answered <strong>HTTP 200</strong>');
    expect(called.text).toContain('have a scope of read:sample to see this.');

    // The tokens are refreshed by the server's timer: no request reaches the app meanwhile.
    await vi.waitFor(
      async () => {
        expect(await tokenRequests(mock, 'refresh_token')).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const afterRefresh = await browser.get('/call-api');
    expect(afterRefresh.text).toContain('answered <strong>HTTP 200</strong>');
    expect(await tokenRequests(mock, 'password')).toBe(1); // refreshed, never signed in again

    const signedInCookies = browser.cookies();
    const signOut = await browser.submit('/logout', {});
    expect(signOut.status).toBe(303);
    expect(signOut.location).toBe('/');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
    expect(await revocations()).toBe(1); // RFC 7009: the refresh token is revoked
    expect((await browser.get('/')).text).toContain('action="/login"');

    // The old cookie is worth nothing now.
    browser.setCookies(signedInCookies);
    const replayed = await browser.get('/call-api');
    expect(replayed.text).toContain('Sign in to call the API');
  });

  it('shows an error for a wrong password, escapes what was typed and signs no one in', async () => {
    const browser = new Browser(stack.app.url);
    const typed = '<script>alert(1)</script>@example.com';
    const response = await browser.submit('/login', { username: typed, password: 'wrong' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('role="alert"');
    expect(response.text).toContain('Wrong email or password');
    expect(response.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;@example.com"');
    expect(response.text).not.toContain('<script>');
    expect((await browser.get('/')).text).toContain('<h1>Sign in</h1>');
  });

  it('asks a user with MFA for the code, refuses a wrong one and signs in with the right one', async () => {
    const { mock } = stack;
    const { browser, step } = await atSecondStep(USERS.otp);
    expect(step.text).toContain('<form method="post" action="/login/otp">');
    expect(step.text).toMatch(
      /<input\s+id="otp"\s+name="otp"\s+inputmode="numeric"\s+autocomplete="one-time-code"/,
    );
    expect(step.text).toContain('<label for="otp">');
    // Auth0 lists only the app, but a recovery code is accepted: it is offered too.
    expect(step.text).toContain('href="/login/mfa?method=recovery-code"');

    const code = totp(USERS.otp.totpSecret, await mock.control.now());
    // Another six digits: valid in no step the server accepts (one step of drift either way).
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    const refused = await browser.submit('/login/otp', { otp: wrong });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The code is not valid');
    expect(refused.text).toContain('aria-invalid="true"');
    expect(refused.text).toContain('action="/login/otp"');

    const verified = await browser.submit('/login/otp', {
      otp: totp(USERS.otp.totpSecret, await mock.control.now()),
    });
    expect(verified.status).toBe(303);
    expect((await browser.get('/')).text).toContain(
      `Signed in as <strong id="username">${USERS.otp.email}</strong>`,
    );
    expect((await browser.get('/call-api')).text).toContain('answered <strong>HTTP 200</strong>');
    expect((await browser.submit('/logout', {})).status).toBe(303);
  });

  it('signs in with a code by SMS: a wrong code may be corrected', async () => {
    const { mock } = stack;
    const { browser, step } = await atSecondStep(USERS.sms);
    expect(step.text).toContain('<h2 id="method-title">Text message</h2>');
    const sent = await follow(browser, await browser.submit('/login/challenge', { factor: 'sms' }));
    expect(sent.text).toContain('We sent a code by text message.');
    expect(sent.text).toMatch(
      /<input\s+id="binding_code"\s+name="binding_code"\s+inputmode="numeric"/,
    );
    const [message] = (await mock.control.mfaMessages(TUTORIAL.connection, USERS.sms.email)).slice(
      -1,
    );
    expect(message?.to).toBe(USERS.sms.phone);
    const code = message?.code ?? '';

    const wrong = await browser.submit('/login/oob', {
      binding_code: code === '111111' ? '222222' : '111111',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('The code is not valid');
    expect(wrong.text).toContain('action="/login/oob"');
    const right = await browser.submit('/login/oob', { binding_code: code });
    expect(right.status).toBe(303);
    expect((await browser.get('/')).text).toContain(USERS.sms.email);
  });

  it('refuses to poll a push the user cancelled, without asking Auth0', async () => {
    const { mock } = stack;
    const { browser } = await atSecondStep(USERS.push);
    const waiting = await follow(
      browser,
      await browser.submit('/login/challenge', { factor: 'push' }),
    );
    expect(waiting.text).toContain('Approve the notification');
    expect(waiting.text).toMatch(/id="push-poll" data-retry-after="5"/);
    expect(waiting.text).toContain('<script src="/static/push.js" defer></script>');
    expect(waiting.text).toContain('action="/login/push/cancel"');

    const cancelled = await follow(browser, await browser.submit('/login/push/cancel', {}));
    expect(cancelled.text).toContain('You cancelled the notification');
    await mock.control.clearRequests();
    const poll = await browser.submit('/login/push', {});
    expect(poll.status).toBe(400);
    expect(poll.text).toContain('No notification is waiting');
    expect(await authorizationRequests()).toEqual([]);
    expect((await browser.get('/login/push')).location).toBe('/login/mfa');
  });

  it(
    'shows the push denied on the device, with the button to send another',
    { timeout: 30_000 },
    async () => {
      const { mock } = stack;
      const { browser } = await atSecondStep(USERS.push);
      await follow(browser, await browser.submit('/login/challenge', { factor: 'push' }));
      await mock.control.denyPush(TUTORIAL.connection, USERS.push.email);
      // The engine polls Auth0 once per 5 s interval; sooner, it answers 202 with the wait left.
      let answer = await browser.submit('/login/push', {});
      expect(answer.status).toBe(202);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await vi.waitFor(
        async () => {
          answer = await browser.submit('/login/push', {});
          expect(answer.status).not.toBe(202);
        },
        { timeout: 20_000, interval: 500 },
      );
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('The sign-in was denied on your device');
      expect(answer.text).toContain('value="push"');
    },
  );

  it('shows a new recovery code once, with no-store, after a sign-in with a recovery code', async () => {
    const { mock } = stack;
    const before = await mock.control.authenticators(TUTORIAL.connection, USERS.otp.email);
    const [old] =
      before.find((authenticator) => authenticator.type === 'recovery-code')?.codes ?? [];
    const { browser } = await atSecondStep(USERS.otp);
    const form = await browser.get('/login/mfa?method=recovery-code');
    expect(form.text).toContain('<label for="recovery_code">Recovery code</label>');
    const shown = await browser.submit('/login/recovery', { recovery_code: old ?? '' });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    const after = await mock.control.authenticators(TUTORIAL.connection, USERS.otp.email);
    const [fresh] =
      after.find((authenticator) => authenticator.type === 'recovery-code')?.codes ?? [];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    expect(shown.text).toContain(`<code id="recovery-code">${fresh}</code>`);
    // Signed in; the code is not shown again.
    const home = await browser.get('/');
    expect(home.text).toContain(USERS.otp.email);
    expect(home.text).not.toContain(fresh);
  });

  it('sets up a first factor by email for a user who has none', async () => {
    const { mock } = stack;
    const user = await newUserToEnrol('email-enrol');
    const { browser, step } = await atSecondStep(user);
    expect(step.text).toContain('Set up two-step verification');
    expect(step.text).toContain('<input type="hidden" name="factor" value="otp" />');
    expect(step.text).toMatch(
      /id="phone_number"\s+name="phone_number"\s+type="tel"\s+autocomplete="tel"/,
    );

    const badPhone = await browser.submit('/login/enroll', { factor: 'sms', phone_number: '555' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.text).toContain('Enter your phone number with its country code');
    expect(badPhone.text).toContain('value="555"');

    const sent = await follow(
      browser,
      await browser.submit('/login/enroll', { factor: 'email', email: '' }),
    );
    expect(sent.text).toContain('We sent a code by email.');
    expect(sent.text).not.toContain('Send a new code'); // an enrolment cannot ask again
    const [message] = (await mock.control.mfaMessages(TUTORIAL.connection, user.email)).slice(-1);
    expect(message).toMatchObject({ channel: 'email', to: user.email, purpose: 'enrolment' });
    const done = await browser.submit('/login/oob', { binding_code: message?.code ?? '' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Save your recovery code');
    const codes = (await mock.control.authenticators(TUTORIAL.connection, user.email)).find(
      (authenticator) => authenticator.type === 'recovery-code',
    )?.codes;
    expect(done.text).toContain(`<code id="recovery-code">${codes?.[0] ?? 'none'}</code>`);
  });

  it('answers a second step with no sign-in open with the sign-in form', async () => {
    const browser = new Browser(stack.app.url);
    const answer = await browser.submit('/login/otp', { otp: '123456' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('The sign-in step expired: sign in again');
    expect(answer.text).toContain('action="/login"');
    expect((await browser.get('/login/mfa')).location).toBe('/');
  });

  it('sends a visitor who is not signed in to the sign-in form instead of calling the API', async () => {
    const page = await new Browser(stack.app.url).get('/call-api');
    expect(page.text).toContain('Sign in to call the API');
    expect(page.text).toContain('action="/login"');
  });
});

describe('step-up (RFC 9470): an API that wants a stronger sign-in', () => {
  /** This app calling an API whose `GET /api/transfer` needs MFA (`requireStepUp`). */
  let stepUp: StepUpStack;
  const STEP_UP_MESSAGE = 'This needs a stronger sign-in: sign in again';
  const REFUSED_AGAIN = 'Signing in again did not give this action the authentication it needs';

  beforeAll(async () => {
    stepUp = await startStepUpStack(stack);
  });

  afterAll(async () => {
    await stepUp?.stop();
  });

  beforeEach(() => {
    stepUp.api.policy = 'mfa';
  });

  /** A browser signed in as `user` with the password alone (303 to `/`). */
  async function signedInWithPassword(user: { email: string; password: string }) {
    const browser = new Browser(stepUp.app.url);
    const signIn = await browser.submit('/login', {
      username: user.email,
      password: user.password,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/');
    return browser;
  }

  /** GET /call-api is answered with the sign-in form, in the same session, for the same user. */
  async function askedToSignInAgain(browser: Browser, email: string) {
    const cookie = browser.cookie(SESSION_COOKIE);
    const page = await browser.get('/call-api');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Sign in</h1>');
    expect(page.text).toContain(STEP_UP_MESSAGE);
    expect(page.text).toContain(`value="${email}"`);
    // Not renewed: the session still holds the step-up the engine remembered, and the user.
    expect(browser.cookie(SESSION_COOKIE)).toBe(cookie);
    expect((await browser.get('/')).text).toContain(
      `Signed in as <strong id="username">${email}</strong>`,
    );
    expect(browser.cookie(SESSION_COOKIE)).toBe(cookie);
  }

  it('signs a password-only user in again with its app, then shows the API page it was on', async () => {
    const { mock } = stack;
    const user = await addStepUpUser(mock, 'step-up-otp');
    const browser = await signedInWithPassword(user);
    await askedToSignInAgain(browser, user.email);

    // The same password: the grant carries acr_values, and the tenant's Action wants MFA.
    const signIn = await browser.submit('/login', {
      username: user.email,
      password: user.password,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/login/mfa');
    const step = await browser.get('/login/mfa');
    expect(step.text).toContain(`Signing in as <strong>${user.email}</strong>`);
    expect(step.text).toContain('action="/login/otp"');

    const verified = await browser.submit('/login/otp', {
      otp: totp(user.totpSecret, await mock.control.now()),
    });
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/call-api'); // returnTo: the page that called the API
    const answered = await browser.get('/call-api');
    expect(answered.status).toBe(200);
    expect(answered.text).toContain('answered <strong>HTTP 200</strong>');
    expect(answered.text).toContain('&quot;transferred&quot;:true');
    expect(answered.text).toContain(`&quot;acr&quot;:&quot;${MFA_ACR}&quot;`);
    expect(answered.text).toContain('&quot;amr&quot;:[&quot;mfa&quot;]');
    // Once more: the token is the stepped-up one, no sign-in asked.
    expect((await browser.get('/call-api')).text).toContain('answered <strong>HTTP 200</strong>');
    expect((await browser.get('/')).text).toContain(
      `Signed in as <strong id="username">${user.email}</strong>`,
    );
    expect((await browser.submit('/logout', {})).status).toBe(303);
  });

  it('goes back to the API page from the new recovery code after a step-up with a recovery code', async () => {
    const { mock } = stack;
    const user = await addStepUpUser(mock, 'step-up-recovery');
    const browser = await signedInWithPassword(user);
    await askedToSignInAgain(browser, user.email);
    await follow(
      browser,
      await browser.submit('/login', { username: user.email, password: user.password }),
    );
    const shown = await browser.submit('/login/recovery', { recovery_code: user.recoveryCode });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Save your recovery code');
    expect(shown.text).toContain('<a class="button" href="/call-api">I saved it: continue</a>');
    expect((await browser.get('/call-api')).text).toContain('answered <strong>HTTP 200</strong>');
  });

  it('shows 403, not another sign-in, when the API refuses the sign-in made for it again', async () => {
    const { mock } = stack;
    // The API wants an acr the tenant never gives: the second sign-in is a password-only one.
    stepUp.api.policy = 'unattainable';
    const user = await addStepUpUser(mock, 'step-up-refused');
    const browser = await signedInWithPassword(user);
    await mock.control.clearRequests();
    await askedToSignInAgain(browser, user.email);
    const signIn = await browser.submit('/login', {
      username: user.email,
      password: user.password,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/call-api');

    const refused = await browser.get('/call-api');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('answered <strong>HTTP 401</strong>');
    expect(refused.text).toContain(REFUSED_AGAIN);
    expect(refused.text).not.toContain('action="/login"');
    expect(await tokenRequests(mock, 'password')).toBe(1);
    // Still signed in, as that user.
    expect((await browser.get('/')).text).toContain(
      `Signed in as <strong id="username">${user.email}</strong>`,
    );
  });

  it('shows 403 at once when the sign-in made for the API visibly misses what it asked', async () => {
    const { mock } = stack;
    stepUp.api.policy = 'unattainable';
    // A user who always passes MFA: its ID token's acr is MFA, not the one the API asked for.
    const { browser } = await atSecondStep(USERS.otp, stepUp.app.url);
    await browser.submit('/login/otp', {
      otp: totp(USERS.otp.totpSecret, await mock.control.now()),
    });
    await askedToSignInAgain(browser, USERS.otp.email);
    await follow(
      browser,
      await browser.submit('/login', { username: USERS.otp.email, password: USERS.otp.password }),
    );
    const missed = await browser.submit('/login/otp', {
      otp: totp(USERS.otp.totpSecret, await mock.control.now()),
    });
    expect(missed.status).toBe(403);
    expect(missed.text).toContain('You are signed in, but not in the way this action requires');
    expect(missed.text).toContain(`Signed in as <strong id="username">${USERS.otp.email}</strong>`);
    expect(missed.text).not.toContain('action="/login"');
    // Signed in all the same (the engine stored the tokens), as that user.
    expect((await browser.get('/')).text).toContain(
      `Signed in as <strong id="username">${USERS.otp.email}</strong>`,
    );
  });
});

describe('CSRF protection', () => {
  /** Every POST route of the app, with fields that would do something with a valid token. */
  const routes: Array<[string, Record<string, string>]> = [
    ['/login', { username: USERS.otp.email, password: USERS.otp.password }],
    ['/login/otp', { otp: '123456' }],
    ['/login/challenge', { factor: 'sms' }],
    ['/login/oob', { binding_code: '123456' }],
    ['/login/push', {}],
    ['/login/push/cancel', {}],
    ['/login/recovery', { recovery_code: USERS.otp.recoveryCode }],
    ['/login/enroll', { factor: 'otp' }],
    ['/logout', {}],
  ];

  it.each(routes)(
    'POST %s without the token is refused before Auth0 is asked',
    async (path, fields) => {
      // A session in the middle of an MFA sign-in, where each route would act.
      const { browser } = await atSecondStep(USERS.otp);
      await stack.mock.control.clearRequests();
      for (const csrf of [null, '', 'x'.repeat(43)]) {
        const answer = await browser.submit(path, fields, { csrf });
        expect(answer.status).toBe(403);
        expect(answer.text).toMatch(/form (has )?expired/);
      }
      expect(await authorizationRequests()).toEqual([]);
      // The step is still there, untouched.
      expect((await browser.get('/login/mfa')).text).toContain('action="/login/otp"');
    },
  );

  it('refuses the token of another session', async () => {
    const other = new Browser(stack.app.url);
    await other.get('/');
    const browser = new Browser(stack.app.url);
    await browser.get('/');
    expect(other.csrfToken()).not.toBe(browser.csrfToken());
    const answer = await browser.submit(
      '/login',
      { username: USERS.plain.email, password: USERS.plain.password },
      { csrf: other.csrfToken() ?? null },
    );
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('The form expired: sign in again');
  });

  it('refuses a JSON body, even one with the right token, and keeps a signed-in user signed in', async () => {
    const browser = new Browser(stack.app.url);
    await browser.submit('/login', { username: USERS.plain.email, password: USERS.plain.password });
    const home = await browser.get('/');
    expect(home.text).toContain('Signed in as');
    const json = await browser.post(
      '/logout',
      JSON.stringify({ _csrf: browser.csrfToken() }),
      'application/json',
    );
    expect(json.status).toBe(403);
    expect((await browser.submit('/logout', {}, { csrf: null })).status).toBe(403);
    expect((await browser.get('/')).text).toContain('Signed in as');
    expect((await browser.submit('/logout', {})).status).toBe(303);
  });

  it('renews the token with the session when a sign-in starts and completes', async () => {
    const browser = new Browser(stack.app.url);
    await browser.get('/');
    const first = browser.csrfToken();
    const { mock } = stack;
    await follow(
      browser,
      await browser.submit('/login', { username: USERS.otp.email, password: USERS.otp.password }),
    );
    const second = browser.csrfToken();
    expect(second).not.toBe(first);
    await browser.submit('/login/otp', {
      otp: totp(USERS.otp.totpSecret, await mock.control.now()),
    });
    await browser.get('/');
    expect(browser.csrfToken()).not.toBe(second);
    // The token of the earlier session is worth nothing in the new one.
    expect((await browser.submit('/logout', {}, { csrf: second ?? null })).status).toBe(403);
  });
});

describe('Content-Security-Policy', () => {
  it('sends every page with the policy, and no inline script or style in any', async () => {
    const { browser, step } = await atSecondStep(await newUserToEnrol('csp'));
    const pages = [
      step,
      await browser.get('/'),
      await browser.submit('/login/enroll', { factor: 'otp' }),
      await browser.submit('/login/otp', { otp: '000000' }),
      await new Browser(stack.app.url).get('/call-api'),
    ];
    expect(pages[2]?.text).toContain('<svg');
    for (const page of pages) {
      expect(page.headers.get('content-security-policy')).toBe(CSP);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.text).toContain('<link rel="stylesheet" href="/static/style.css" />');
      expect(page.text).not.toMatch(/<script(?![^>]*\ssrc="\/static\/)/);
      expect(page.text).not.toMatch(/\sstyle=|<style|\son[a-z]+=/);
    }
  });

  it('serves the stylesheet and the script from this origin with their types', async () => {
    const browser = new Browser(stack.app.url);
    const css = await browser.get('/static/style.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.text).toContain('.message.error');
    const js = await browser.get('/static/push.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(js.text).toContain('fetch(form.action');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('TOKEN_ENDPOINT instead of ISSUER_BASE_URL', () => {
  it('signs in through that endpoint, with no discovery request', async () => {
    const { mock } = stack;
    const { ISSUER_BASE_URL: _issuer, ...environment } = stack.environment();
    const byEndpoint = await startProgram(PASSWORD_LOGIN_DIR, {
      ...environment,
      TOKEN_ENDPOINT: mock.tokenEndpoint,
    });
    try {
      expect(byEndpoint.logLine).toContain(`(token endpoint ${mock.tokenEndpoint}, `);
      await mock.control.clearRequests();
      const browser = new Browser(byEndpoint.url);
      const signIn = await browser.submit('/login', {
        username: USERS.plain.email,
        password: USERS.plain.password,
      });
      expect(signIn.status).toBe(303);
      const paths = (await mock.control.requests()).map((entry) => entry.path);
      expect(paths).toContain('/oauth/token');
      expect(paths).not.toContain('/.well-known/openid-configuration');
      await browser.get('/');
      expect((await browser.submit('/logout', {})).status).toBe(303);
    } finally {
      await byEndpoint.stop();
    }
  });
});

describe('a missing or bad variable', () => {
  it.each([
    ['ISSUER_BASE_URL', { ISSUER_BASE_URL: '' }, 'ISSUER_BASE_URL (or TOKEN_ENDPOINT) is required'],
    [
      'TOKEN_ENDPOINT',
      { TOKEN_ENDPOINT: 'http://127.0.0.1:1/oauth/token' },
      'Set ISSUER_BASE_URL or TOKEN_ENDPOINT, not both',
    ],
    [
      'SCOPE',
      { ISSUER_BASE_URL: '', TOKEN_ENDPOINT: 'http://127.0.0.1:1/oauth/token', SCOPE: 'openid' },
      'SCOPE asks for openid, whose ID token is validated with the issuer',
    ],
    ['CLIENT_SECRET', { CLIENT_SECRET: '' }, 'CLIENT_SECRET is required'],
    ['API_URL', { API_URL: 'file:///etc/passwd' }, 'API_URL must be an absolute http'],
    ['SESSION_SECRET', { SESSION_SECRET: 'short' }, 'SESSION_SECRET must be at least 32'],
    ['PORT', { PORT: '99999' }, 'PORT must be'],
  ])('%s (%j) exits 1 with a message naming it', async (_name, override, message) => {
    const run = await runToExit(PASSWORD_LOGIN_DIR, { ...stack.environment(), ...override });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`password-login example: ${message}`);
  });
});
