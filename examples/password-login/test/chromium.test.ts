/**
 * The login pages in a real browser: Debian's Chromium, driven by playwright-core, clicks through
 * every way of signing in as a person would (labels, buttons, links; no request made by hand),
 * with the pages' own Content-Security-Policy in force. Each step leaves a screenshot in
 * reports/screenshots/. Without Chromium, skipped with the reason (see support/chromium.ts).
 */
import { TUTORIAL } from '@ropkit/mock-server';
import type { Page } from 'playwright-core';
import { decodeQR } from 'qr/decode.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  browserSkipReason,
  launchChromium,
  Screenshots,
  type ChromiumSession,
} from './support/chromium.ts';
import { decodePng } from './support/png.ts';
import { startStack, tokenRequests, USERS, type Stack } from './support/stack.ts';
import { addStepUpUser, MFA_ACR, startStepUpStack, type StepUpStack } from './support/step-up.ts';
import { totp } from './support/totp.ts';

const MFA_OOB = 'http://auth0.com/oauth/grant-type/mfa-oob';
/** A push is polled once per 5 s interval (core's engine): room for two polls and a page load. */
const PUSH_TIMEOUT = 20_000;
/** The push tests wait for a poll; the other tests take a few seconds. */
const PUSH_TEST = { timeout: 40_000 };
const PACKAGE_DIR = new URL('..', import.meta.url).pathname;

if (browserSkipReason !== undefined) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== undefined)('the login pages in Chromium', () => {
  let stack: Stack;
  let chromium: ChromiumSession;
  let page: Page;
  /** What the page reported that it should not have: CSP violations, script errors. */
  let problems: string[];
  const screenshots = new Screenshots();
  const started = Date.now();

  beforeAll(async () => {
    await screenshots.clear();
    chromium = await launchChromium();
    stack = await startStack();
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.stop();
    const files = screenshots.list(PACKAGE_DIR);
    if (files.length > 0) {
      console.log(
        `${files.length} screenshots (browser tests took ${((Date.now() - started) / 1000).toFixed(1)} s):\n  ${files.join('\n  ')}`,
      );
    }
  });

  beforeEach(async () => {
    await chromium.context.clearCookies();
    page = await chromium.context.newPage();
    problems = [];
    page.on('console', (message) => {
      // An error page's own status is logged too; subresources are checked below instead.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource:')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // A load that a navigation cut short (the favicon, as a form is posted) is not a problem.
      const reason = request.failure()?.errorText ?? '';
      if (reason !== 'net::ERR_ABORTED') problems.push(`${request.url()}: ${reason}`);
    });
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (type !== 'document' && type !== 'fetch' && response.status() >= 400) {
        problems.push(`${type} ${response.url()}: HTTP ${response.status()}`);
      }
    });
  });

  afterEach(async () => {
    await page.close();
    // A stylesheet or script the CSP refused, or a script that threw, fails the test.
    if (problems.length > 0) throw new Error(`the page reported:\n${problems.join('\n')}`);
  });

  const url = (path: string) => `${stack.app.url}${path}`;
  const heading = async () => (await page.getByRole('heading', { level: 1 }).textContent())?.trim();
  const alert = async () => (await page.getByRole('alert').textContent())?.trim();

  async function signIn(user: { email: string; password: string }, shot?: string) {
    await page.goto(url('/'));
    await page.getByLabel('Email or username').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    if (shot !== undefined) await screenshots.take(page, shot);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
  }

  async function expectSignedIn(email: string) {
    await page.waitForURL(url('/'));
    expect(await heading()).toBe('Signed in');
    expect(await page.locator('#username').textContent()).toBe(email);
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(url('/'));
    expect(await heading()).toBe('Sign in');
  }

  it('signs in with the password, calls the API and signs out', async () => {
    await page.goto(url('/'));
    // The stylesheet was loaded (from this origin, as the CSP allows) and applies.
    expect(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")).toBe(
      '544px',
    );
    await signIn(USERS.plain, 'sign-in');
    await expectSignedIn(USERS.plain.email);
    await screenshots.take(page, 'signed-in');

    await page.getByRole('link', { name: 'Call the API' }).click();
    await page.waitForURL(url('/call-api'));
    expect(await heading()).toBe('The API answered');
    expect(await page.locator('#api-answer').textContent()).toContain('read:sample');
    await screenshots.take(page, 'api-answer');

    await signOut();
    await screenshots.take(page, 'signed-out');
  });

  it('says what went wrong with a wrong password and keeps the username', async () => {
    await signIn({ email: USERS.plain.email, password: 'not-the-password' });
    expect(await alert()).toBe('Wrong email or password');
    expect(await page.title()).toMatch(/^Error: Sign in/);
    expect(await page.getByLabel('Email or username').inputValue()).toBe(USERS.plain.email);
    expect(await page.getByLabel('Password').getAttribute('aria-describedby')).toBe('form-error');
    await screenshots.take(page, 'wrong-password');
  });

  it('signs in with the code of an authenticator app, after a wrong one', async () => {
    await signIn(USERS.otp);
    await page.waitForURL(url('/login/mfa'));
    expect(await heading()).toBe('Verify it’s you');
    const code = page.getByLabel('Code from your authenticator app');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await screenshots.take(page, 'otp');

    const right = totp(USERS.otp.totpSecret, await stack.mock.control.now());
    await code.fill(String((Number(right) + 500_000) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForLoadState();
    expect(await alert()).toBe('The code is not valid');
    expect(
      await page.getByLabel('Code from your authenticator app').getAttribute('aria-invalid'),
    ).toBe('true');
    await screenshots.take(page, 'otp-wrong-code');

    await page
      .getByLabel('Code from your authenticator app')
      .fill(totp(USERS.otp.totpSecret, await stack.mock.control.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn(USERS.otp.email);
    await signOut();
  });

  it('signs in with a code sent by text message', async () => {
    await signIn(USERS.sms);
    await page.waitForURL(url('/login/mfa'));
    await screenshots.take(page, 'sms');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await page.waitForURL(url('/login/code'));
    expect(await heading()).toBe('Enter the code we sent');
    await screenshots.take(page, 'sms-code');

    const messages = await stack.mock.control.mfaMessages(TUTORIAL.connection, USERS.sms.email);
    const sent = messages.at(-1);
    expect(sent).toMatchObject({ channel: 'sms', to: USERS.sms.phone, purpose: 'challenge' });
    await page.getByLabel('Code', { exact: true }).fill(sent?.code ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn(USERS.sms.email);
    await signOut();
  });

  it(
    'waits for a push, polling by itself, and signs in when it is approved',
    PUSH_TEST,
    async () => {
      await stack.mock.control.clearRequests();
      await signIn(USERS.push);
      await page.waitForURL(url('/login/mfa'));
      await page.getByRole('button', { name: 'Send a notification' }).click();
      const polls: Array<{ at: number; body: string }> = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url() === url('/login/push')) {
          polls.push({ at: Date.now(), body: request.postData() ?? '' });
        }
      });
      await page.waitForURL(url('/login/push'));
      const shown = Date.now();
      expect(await heading()).toBe('Approve the notification');
      expect(await page.getByRole('status').textContent()).toContain('Waiting for your approval');
      await screenshots.take(page, 'push-waiting');

      await stack.mock.control.approvePush(TUTORIAL.connection, USERS.push.email);
      // No click: the page's script polls /login/push after Retry-After and follows the sign-in.
      await page.waitForURL(url('/'), { timeout: PUSH_TIMEOUT });
      await expectSignedIn(USERS.push.email);
      expect(await tokenRequests(stack.mock, MFA_OOB)).toBeGreaterThanOrEqual(1);
      // It waited the 5 s of Retry-After before its first poll, and posted the page's CSRF token.
      expect(polls.length).toBeGreaterThanOrEqual(1);
      expect(polls.length).toBeLessThanOrEqual(3);
      expect((polls[0]?.at ?? 0) - shown).toBeGreaterThanOrEqual(4_500);
      expect(polls[0]?.body).toMatch(/^_csrf=[\w-]{43}$/);
      await signOut();
    },
  );

  it('stops waiting for a push when the user cancels', async () => {
    await stack.mock.control.clearRequests();
    await signIn(USERS.push);
    await page.waitForURL(url('/login/mfa'));
    await page.getByRole('button', { name: 'Send a notification' }).click();
    await page.waitForURL(url('/login/push'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(url('/login/mfa'));
    expect(await page.locator('.message.notice').textContent()).toContain(
      'You cancelled the notification',
    );
    await screenshots.take(page, 'push-cancelled');
    // The poll never ran: the push was not polled at Auth0.
    expect(await tokenRequests(stack.mock, MFA_OOB)).toBe(0);

    await page.getByRole('button', { name: 'Cancel and sign in as someone else' }).click();
    await page.waitForURL(url('/'));
    expect(await heading()).toBe('Sign in');
  });

  it('shows a push denied on the device, in place of the waiting page', PUSH_TEST, async () => {
    await signIn(USERS.push);
    await page.waitForURL(url('/login/mfa'));
    await page.getByRole('button', { name: 'Send a notification' }).click();
    await page.waitForURL(url('/login/push'));
    await stack.mock.control.denyPush(TUTORIAL.connection, USERS.push.email);
    await page.getByRole('alert').waitFor({ timeout: PUSH_TIMEOUT });
    expect(await alert()).toBe('The sign-in was denied on your device');
    expect(await page.getByRole('button', { name: 'Send a notification' }).count()).toBe(1);
    await screenshots.take(page, 'push-denied');
  });

  it('signs in with a recovery code and shows the new one once', async () => {
    const before = await stack.mock.control.authenticators(TUTORIAL.connection, USERS.otp.email);
    const old = before.find((authenticator) => authenticator.type === 'recovery-code')?.codes?.[0];
    await signIn(USERS.otp);
    await page.waitForURL(url('/login/mfa'));
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await page.getByRole('textbox', { name: 'Recovery code' }).fill(old ?? '');
    await screenshots.take(page, 'recovery-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForLoadState();

    expect(await heading()).toBe('Save your recovery code');
    const after = await stack.mock.control.authenticators(TUTORIAL.connection, USERS.otp.email);
    const fresh = after.find((authenticator) => authenticator.type === 'recovery-code')?.codes?.[0];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(old);
    expect(await page.locator('#recovery-code').textContent()).toBe(fresh);
    await screenshots.take(page, 'new-recovery-code');

    await page.getByRole('link', { name: 'I saved it: continue' }).click();
    await expectSignedIn(USERS.otp.email);
    expect(await page.content()).not.toContain(fresh);
    await signOut();
  });

  it('sets up an authenticator app from the QR code on the screen', async () => {
    await signIn(USERS.enrol);
    await page.waitForURL(url('/login/mfa'));
    expect(await heading()).toBe('Set up two-step verification');
    expect(await page.getByLabel('Mobile phone number').getAttribute('autocomplete')).toBe('tel');
    await screenshots.take(page, 'enrol-choices');

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.waitForLoadState();
    expect(await heading()).toBe('Set up your authenticator app');
    await page.getByText('Can’t scan it? Type this key instead').click();
    await screenshots.take(page, 'enrol-qr-code');

    // Read the QR code off the screen, as the phone's camera would.
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    const uri = decodeQR(decodePng(await qr.screenshot()));
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const secret = new URL(uri).searchParams.get('secret') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const typed = (await page.locator('#otp-secret').textContent())?.replaceAll(' ', '');
    expect(typed).toBe(secret);

    await page.getByLabel('Code from the app').fill(totp(secret, await stack.mock.control.now()));
    await page.getByRole('button', { name: 'Verify and finish' }).click();
    await page.waitForLoadState();
    expect(await heading()).toBe('Save your recovery code');
    const codes = (
      await stack.mock.control.authenticators(TUTORIAL.connection, USERS.enrol.email)
    ).find((authenticator) => authenticator.type === 'recovery-code')?.codes;
    expect(await page.locator('#recovery-code').textContent()).toBe(codes?.[0]);
    await screenshots.take(page, 'enrol-recovery-code');

    await page.getByRole('link', { name: 'I saved it: continue' }).click();
    await expectSignedIn(USERS.enrol.email);
    await signOut();
  });
  describe('step-up (RFC 9470): the API wants a sign-in with MFA', () => {
    /** This app calling an API whose `GET /api/transfer` needs MFA (`requireStepUp`). */
    let stepUp: StepUpStack;
    const at = (path: string) => `${stepUp.app.url}${path}`;

    beforeAll(async () => {
      stepUp = await startStepUpStack(stack);
    }, 30_000);

    afterAll(async () => {
      await stepUp?.stop();
    });

    beforeEach(() => {
      stepUp.api.policy = 'mfa';
    });

    /** The session cookie's value, to see whether the session was renewed. */
    async function sessionCookie() {
      const cookies = await chromium.context.cookies(at('/'));
      return cookies.find((cookie) => cookie.name === 'password-login.sid')?.value;
    }

    /** Signs in with the password alone, then clicks "Call the API": the sign-in form again. */
    async function askedToStepUp(user: { email: string; password: string }, shot?: string) {
      await page.goto(at('/'));
      await page.getByLabel('Email or username').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(at('/'));
      expect(await page.locator('#username').textContent()).toBe(user.email);
      const before = await sessionCookie();

      await page.getByRole('link', { name: 'Call the API' }).click();
      await page.waitForURL(at('/call-api'));
      expect(await heading()).toBe('Sign in');
      expect(await alert()).toBe('This needs a stronger sign-in: sign in again');
      // The same session (not renewed: it holds the step-up), and the form is for the same user.
      expect(await sessionCookie()).toBe(before);
      expect(await page.getByLabel('Email or username').inputValue()).toBe(user.email);
      if (shot !== undefined) await screenshots.take(page, shot);
    }

    it('signs in again with the app and lands back on the API page, answered', async () => {
      const user = await addStepUpUser(stack.mock, 'browser-step-up');
      await askedToStepUp(user, 'step-up-sign-in');

      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The grant carried acr_values: the tenant's Action asks this user for its second factor.
      await page.waitForURL(at('/login/mfa'));
      expect(await heading()).toBe('Verify it’s you');
      await page
        .getByLabel('Code from your authenticator app')
        .fill(totp(user.totpSecret, await stack.mock.control.now()));
      await screenshots.take(page, 'step-up-otp');
      await page.getByRole('button', { name: 'Verify' }).click();

      // returnTo: back on the page that called the API, which now answers.
      await page.waitForURL(at('/call-api'));
      expect(await heading()).toBe('The API answered');
      expect(await page.locator('main').textContent()).toContain('HTTP 200');
      const answer = JSON.parse((await page.locator('#api-answer').textContent()) ?? '') as {
        transferred?: boolean;
        acr?: string;
        amr?: string[];
      };
      expect(answer).toMatchObject({ transferred: true, acr: MFA_ACR, amr: ['mfa'] });
      await screenshots.take(page, 'step-up-api-answer');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(at('/'));
      expect(await heading()).toBe('Sign in');
    });

    it(
      'signs in again with a push the page polls for, and calls the API once for the page',
      PUSH_TEST,
      async () => {
        const user = await addStepUpUser(stack.mock, 'browser-step-up-push', 'push');
        await askedToStepUp(user);
        const calls = stepUp.api.calls;

        await page.getByLabel('Password').fill(user.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(at('/login/mfa'));
        await page.getByRole('button', { name: 'Send a notification' }).click();
        await page.waitForURL(at('/login/push'));
        await stack.mock.control.approvePush(TUTORIAL.connection, user.email);
        // The page's script polls, and shows where the finished sign-in sends it: /call-api.
        await page.waitForURL(at('/call-api'), { timeout: PUSH_TIMEOUT });
        await page.locator('#api-answer').waitFor();
        expect(await heading()).toBe('The API answered');
        expect(await page.locator('#api-answer').textContent()).toContain(`"acr":"${MFA_ACR}"`);
        // One call for the page the user came back to, not one more for a second load of it.
        expect(stepUp.api.calls - calls).toBe(1);
      },
    );

    it('shows 403 when the sign-in made for the API does not satisfy it: no second round', async () => {
      // The API wants an acr the tenant never gives: the second sign-in is a password-only one.
      stepUp.api.policy = 'unattainable';
      const user = await addStepUpUser(stack.mock, 'browser-step-up-refused');
      await stack.mock.control.clearRequests();
      await askedToStepUp(user);

      await page.getByLabel('Password').fill(user.password);
      const answered = page.waitForResponse(
        (response) => response.url() === at('/call-api') && response.request().method() === 'GET',
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect((await answered).status()).toBe(403);
      await page.waitForURL(at('/call-api'));
      expect(await heading()).toBe('The API answered');
      expect(await page.locator('main').textContent()).toContain('HTTP 401');
      expect(await page.locator('#api-answer').textContent()).toBe(
        'Signing in again did not give this action the authentication it needs',
      );
      expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
      expect(await tokenRequests(stack.mock, 'password')).toBe(2);
      await screenshots.take(page, 'step-up-refused');
    });
  });
});
