import type { LoginEnrolFactor, LoginFactor } from '@ropkit/core';
import { CSRF_FIELD } from './csrf.ts';
import { escapeHtml, html, type Html } from './html.ts';
import type { SignInStep } from './session.ts';

/** What every page with a form needs: the session's CSRF token. */
export interface PageContext {
  csrf: string;
}

/** The stylesheet and the push page's script: files from this origin, as the CSP allows. */
export const STYLESHEET_PATH = '/static/style.css';
export const PUSH_SCRIPT_PATH = '/static/push.js';

/** The frame of every page: one stylesheet, no inline style or script. */
function layout(
  title: string,
  body: Html,
  { script, error }: { script?: boolean; error?: boolean } = {},
): string {
  // An error in the title too: it is the first thing a screen reader reads of a new page.
  const fullTitle = `${error === true ? 'Error: ' : ''}${title} · ropkit password-login`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${fullTitle}</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        ${script === true ? html`<script src="${PUSH_SCRIPT_PATH}" defer></script>` : html``}
      </head>
      <body>
        <header class="site">ropkit · password sign-in example</header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.html;
}

/** An error or a notice at the top of a page; errors are announced at once (role=alert). */
function messages({ error, notice }: { error?: string | undefined; notice?: string | undefined }) {
  return html`${
    error === undefined
      ? html``
      : html`<p id="form-error" class="message error" role="alert" aria-live="assertive">
          ${error}
        </p>`
  }${notice === undefined ? html`` : html`<p class="message notice" role="status">${notice}</p>`}`;
}

/** The hidden CSRF field every form carries. */
function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}" />`;
}

/** A POST form to this app with its CSRF token, and `extra` attributes. */
function form(ctx: PageContext, action: string, fields: Html, extra?: Html): Html {
  const attributes = extra === undefined ? '' : ` ${extra.html}`;
  const start: Html = { html: `<form method="post" action="${escapeHtml(action)}"${attributes}>` };
  return html`${start}${csrfField(ctx)}${fields}</form>`;
}

/** What a one-time code input needs: digits, the OS's code autofill, no spell checking. */
function codeInput({
  name,
  label,
  hint,
  minLength,
  maxLength,
  error,
}: {
  name: string;
  label: string;
  hint: string;
  minLength: number;
  maxLength: number;
  error: string | undefined;
}): Html {
  const invalid =
    error === undefined
      ? html`aria-describedby="${name}-hint"`
      : html`aria-describedby="form-error ${name}-hint" aria-invalid="true"`;
  return html`<label for="${name}">${label}</label>
    <input
      id="${name}"
      name="${name}"
      inputmode="numeric"
      autocomplete="one-time-code"
      pattern="[0-9]{${minLength},${maxLength}}"
      minlength="${minLength}"
      maxlength="${maxLength}"
      spellcheck="false"
      required
      autofocus
      ${invalid}
    />
    <p id="${name}-hint" class="hint">${hint}</p>`;
}

/** How each factor is named, and what its link says among the other ways to verify. */
const FACTOR_TEXT: Readonly<Record<LoginFactor, { title: string; other: string }>> = {
  otp: { title: 'Authenticator app', other: 'Use your authenticator app' },
  push: { title: 'Push notification', other: 'Get a notification on your phone' },
  sms: { title: 'Text message', other: 'Get a code by text message' },
  voice: { title: 'Phone call', other: 'Get a code by phone call' },
  email: { title: 'Email', other: 'Get a code by email' },
  'recovery-code': { title: 'Recovery code', other: 'Use a recovery code' },
};

/** The sign-in form (the tutorial's "get the user's credentials ... through an interactive form"). */
export function signInPage(
  ctx: PageContext,
  { error, notice, username = '' }: { error?: string; notice?: string; username?: string } = {},
): string {
  const described = error === undefined ? html`` : html`aria-describedby="form-error"`;
  return layout(
    'Sign in',
    html`${messages({ error, notice })}
    ${form(
      ctx,
      '/login',
      html`<label for="username">Email or username</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          autocapitalize="none"
          spellcheck="false"
          required
          value="${username}"
          ${described}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          ${described}
        />
        <button type="submit">Sign in</button>`,
    )}`,
    { error: error !== undefined },
  );
}

/**
 * The page of a signed-in user; with `error`, what went wrong with the sign-in that just
 * completed (a step-up that did not give what the API asked).
 */
export function homePage(
  ctx: PageContext,
  { username, error }: { username: string; error?: string },
): string {
  return layout(
    'Signed in',
    html`${messages({ error })}
      <p>Signed in as <strong id="username">${username}</strong>.</p>
      <p>Your tokens are kept on the server; this browser holds only a session cookie.</p>
      <p><a class="button" href="/call-api">Call the API</a></p>
      ${signOutForm(ctx)}`,
    { error: error !== undefined },
  );
}

/** What the API answered to a call with the user's access token. */
export function apiAnswerPage(
  ctx: PageContext,
  { url, status, body }: { url: string; status: number; body: string },
): string {
  return layout(
    'The API answered',
    html`<p><code>GET ${url}</code> answered <strong>HTTP ${status}</strong>:</p>
      <pre id="api-answer">${body}</pre>
      <p><a href="/call-api">Call it again</a> · <a href="/">Home</a></p>
      ${signOutForm(ctx)}`,
  );
}

/** The API could not be reached at all. */
export function apiUnreachablePage(ctx: PageContext, { url }: { url: string }): string {
  return layout(
    'The API did not answer',
    html`${messages({ error: 'The API could not be reached: try again later' })}
      <p><code>GET ${url}</code> failed before an answer came back.</p>
      <p><a href="/call-api">Try again</a> · <a href="/">Home</a></p>
      ${signOutForm(ctx)}`,
    { error: true },
  );
}

function signOutForm(ctx: PageContext): Html {
  return form(ctx, '/logout', html`<button type="submit" class="secondary">Sign out</button>`);
}

/** Ends a sign-in half-way: the engine forgets its MFA step. */
function cancelSignInForm(ctx: PageContext): Html {
  return form(
    ctx,
    '/logout',
    html`<button type="submit" class="link">Cancel and sign in as someone else</button>`,
    html`class="cancel"`,
  );
}

/** "Signing in as ..." above each step. */
function signingInAs(step: SignInStep): Html {
  return html`<p>Signing in as <strong>${step.username}</strong>.</p>`;
}

/**
 * The methods a user with MFA can verify with: what Auth0 offered, and a recovery code, which
 * Auth0 accepts but lists only when nothing else is left.
 */
export function verifyMethods(step: SignInStep): LoginFactor[] {
  return step.factors.includes('recovery-code') ? step.factors : [...step.factors, 'recovery-code'];
}

/** The second step of an MFA sign-in, with one method, and links to the other ones. */
export function verifyPage(
  ctx: PageContext,
  {
    step,
    method,
    error,
    notice,
  }: { step: SignInStep; method: LoginFactor; error?: string; notice?: string },
): string {
  const others = verifyMethods(step).filter((factor) => factor !== method);
  return layout(
    'Verify it’s you',
    html`${messages({ error, notice })} ${signingInAs(step)}
      <section aria-labelledby="method-title" class="method">
        <h2 id="method-title">${FACTOR_TEXT[method].title}</h2>
        ${methodForm(ctx, method, error)}
      </section>
      ${
        others.length === 0
          ? html``
          : html`<nav aria-labelledby="other-ways" class="other-ways">
              <h2 id="other-ways">Other ways to verify</h2>
              <ul>
                ${others.map(
                  (factor) =>
                    html`<li>
                      <a href="/login/mfa?method=${factor}">${FACTOR_TEXT[factor].other}</a>
                    </li>`,
                )}
              </ul>
            </nav>`
      }
      ${cancelSignInForm(ctx)}`,
    { error: error !== undefined },
  );
}

function methodForm(ctx: PageContext, method: LoginFactor, error: string | undefined): Html {
  const send = (factor: string, what: Html, button: string) =>
    html`<p>${what}</p>
      ${form(
        ctx,
        '/login/challenge',
        html`<input type="hidden" name="factor" value="${factor}" />
          <button type="submit">${button}</button>`,
      )}`;
  switch (method) {
    case 'otp':
      return form(
        ctx,
        '/login/otp',
        html`${codeInput({
            name: 'otp',
            label: 'Code from your authenticator app',
            hint: 'Open the app and type the 6-digit code it shows for this account.',
            minLength: 6,
            maxLength: 8,
            error,
          })} <button type="submit">Verify</button>`,
      );
    case 'push':
      return send(
        'push',
        html`We will send a notification to the Auth0 Guardian app on your phone: approve it to sign
        in.`,
        'Send a notification',
      );
    case 'sms':
      return send('sms', html`We will text a code to your phone.`, 'Text me a code');
    case 'voice':
      return send('voice', html`We will call your phone and read you a code.`, 'Call me');
    case 'email':
      return send('email', html`We will email you a code.`, 'Email me a code');
    default: {
      // 'recovery-code'
      const invalid =
        error === undefined
          ? html`aria-describedby="recovery_code-hint"`
          : html`aria-describedby="form-error recovery_code-hint" aria-invalid="true"`;
      return form(
        ctx,
        '/login/recovery',
        html`<label for="recovery_code">Recovery code</label>
          <input
            id="recovery_code"
            name="recovery_code"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck="false"
            pattern="[A-Za-z0-9\\-]{4,64}"
            maxlength="64"
            required
            autofocus
            ${invalid}
          />
          <p id="recovery_code-hint" class="hint">
            The code you saved when you set up two-step verification. It works once: you will get a
            new one.
          </p>
          <button type="submit">Verify</button>`,
      );
    }
  }
}

/** A user with no second factor sets one up (Auth0's `mfa_requirements.enroll`). */
export function enrolPage(
  ctx: PageContext,
  {
    step,
    error,
    notice,
    values = {},
  }: {
    step: SignInStep;
    error?: string;
    notice?: string;
    values?: { phoneNumber?: string; email?: string };
  },
): string {
  const offered = (factor: LoginEnrolFactor) => step.factors.includes(factor);
  const enrol = (factor: string, text: Html, button: string) =>
    form(
      ctx,
      '/login/enroll',
      html`<p>${text}</p>
        <input type="hidden" name="factor" value="${factor}" />
        <button type="submit">${button}</button>`,
    );
  const sections: Html[] = [];
  if (offered('otp')) {
    sections.push(
      html`<section aria-labelledby="enrol-otp" class="method">
        <h2 id="enrol-otp">Authenticator app</h2>
        ${enrol(
          'otp',
          html`Google Authenticator, Microsoft Authenticator, 1Password or any app that shows
          6-digit codes.`,
          'Set up an authenticator app',
        )}
      </section>`,
    );
  }
  if (offered('push')) {
    sections.push(
      html`<section aria-labelledby="enrol-push" class="method">
        <h2 id="enrol-push">Push notifications</h2>
        ${enrol(
          'push',
          html`Approve each sign-in with a tap in the Auth0 Guardian app.`,
          'Set up Auth0 Guardian',
        )}
      </section>`,
    );
  }
  const phone = offered('sms') || offered('voice');
  if (phone) {
    sections.push(
      html`<section aria-labelledby="enrol-phone" class="method">
        <h2 id="enrol-phone">Phone</h2>
        ${form(
          ctx,
          '/login/enroll',
          html`<label for="phone_number">Mobile phone number</label>
            <input
              id="phone_number"
              name="phone_number"
              type="tel"
              autocomplete="tel"
              inputmode="tel"
              required
              value="${values.phoneNumber ?? ''}"
              aria-describedby="phone_number-hint"
            />
            <p id="phone_number-hint" class="hint">
              With the country code, such as +15555550100. We send a code to check it.
            </p>
            <div class="buttons">
              ${
                offered('sms')
                  ? html`<button type="submit" name="factor" value="sms">Text me a code</button>`
                  : html``
              }
              ${
                offered('voice')
                  ? html`<button type="submit" name="factor" value="voice">
                      Call me with a code
                    </button>`
                  : html``
              }
            </div>`,
        )}
      </section>`,
    );
  }
  if (offered('email')) {
    sections.push(
      html`<section aria-labelledby="enrol-email" class="method">
        <h2 id="enrol-email">Email</h2>
        ${form(
          ctx,
          '/login/enroll',
          html`<label for="email">Email address</label>
            <input
              id="email"
              name="email"
              type="email"
              autocomplete="email"
              value="${values.email ?? ''}"
              aria-describedby="email-hint"
            />
            <p id="email-hint" class="hint">Leave it empty to use your account’s address.</p>
            <input type="hidden" name="factor" value="email" />
            <button type="submit">Email me a code</button>`,
        )}
      </section>`,
    );
  }
  return layout(
    'Set up two-step verification',
    html`${messages({ error, notice })} ${signingInAs(step)}
      <p>Your account needs a second way to prove it is you. Choose one:</p>
      ${sections} ${cancelSignInForm(ctx)}`,
    { error: error !== undefined },
  );
}

/** The code sent by SMS, voice call or email: the form that takes it. */
export function codePage(
  ctx: PageContext,
  { step, sentBy, error }: { step: SignInStep; sentBy: 'sms' | 'voice' | 'email'; error?: string },
): string {
  const sent = {
    sms: 'We sent a code by text message.',
    voice: 'We are calling you with a code.',
    email: 'We sent a code by email.',
  }[sentBy];
  const again =
    step.mode === 'challenge'
      ? form(
          ctx,
          '/login/challenge',
          html`<input type="hidden" name="factor" value="${sentBy}" />
            <button type="submit" class="link">Send a new code</button>`,
          html`class="inline"`,
        )
      : html``;
  return layout(
    'Enter the code we sent',
    html`${messages({ error })} ${signingInAs(step)}
      <p>${sent}</p>
      ${form(
        ctx,
        '/login/oob',
        html`${codeInput({
            name: 'binding_code',
            label: 'Code',
            hint: 'The code is 6 digits. It expires after a few minutes.',
            minLength: 4,
            maxLength: 10,
            error,
          })} <button type="submit">Verify</button>`,
      )}
      <div class="aside">
        ${step.mode === 'challenge' ? html`Didn’t get it? ${again} ·` : html``}
        <a href="/login/mfa">Choose another method</a>
      </div>
      ${cancelSignInForm(ctx)}`,
    { error: error !== undefined },
  );
}

/**
 * A push notification waits for the user. `push.js` (from this origin, as the CSP allows) polls
 * `POST /login/push` with this page's form after `Retry-After` seconds, again after each `202`,
 * and shows whatever ends the wait. Without script, "I approved it" posts the same form.
 */
export function pushPage(
  ctx: PageContext,
  {
    step,
    retryAfter,
    qrCode,
    error,
  }: { step: SignInStep; retryAfter: number; qrCode?: Html; error?: string },
): string {
  let intro: Html;
  if (qrCode !== undefined) {
    intro = html`<p>
        Scan this QR code with the Auth0 Guardian app, then approve the sign-in it shows.
      </p>
      <figure class="qr">${qrCode}</figure>`;
  } else if (step.push === 'enrolment') {
    intro = html`<p>
      Approve the sign-in in the Auth0 Guardian app once you have scanned the QR code.
    </p>`;
  } else {
    intro = html`<p>
      We sent a notification to the Auth0 Guardian app on your phone. Open it and tap
      <strong>Allow</strong>.
    </p>`;
  }
  return layout(
    step.push === 'enrolment' ? 'Set up Auth0 Guardian' : 'Approve the notification',
    html`${messages({ error })} ${signingInAs(step)} ${intro}
      <p id="push-status" class="status" role="status" aria-live="polite">
        <span class="spinner" aria-hidden="true"></span> Waiting for your approval…
      </p>
      <div class="buttons">
        ${form(
          ctx,
          '/login/push',
          html`<button type="submit" class="secondary">I approved it</button>`,
          html`id="push-poll" data-retry-after="${retryAfter}"`,
        )}
        ${form(
          ctx,
          '/login/push/cancel',
          html`<button type="submit" class="secondary">Cancel</button>`,
        )}
      </div>`,
    { script: true, error: error !== undefined },
  );
}

/** The QR code (and the key, for typing) of an authenticator app being set up, and its first code. */
export function otpEnrolmentPage(
  ctx: PageContext,
  {
    step,
    qrCode,
    secret,
    error,
  }: { step: SignInStep; qrCode?: Html; secret?: string; error?: string },
): string {
  const scan =
    qrCode === undefined
      ? html`<p>Enter the code the authenticator app you just set up shows for this account.</p>`
      : html`<ol class="steps">
          <li>
            <p>Scan this QR code with your authenticator app.</p>
            <figure class="qr">${qrCode}</figure>
            ${
              secret === undefined
                ? html``
                : html`<details>
                    <summary>Can’t scan it? Type this key instead</summary>
                    <p><code id="otp-secret" class="secret">${groupsOfFour(secret)}</code></p>
                  </details>`
            }
          </li>
          <li><p>Enter the 6-digit code the app shows.</p></li>
        </ol>`;
  return layout(
    'Set up your authenticator app',
    html`${messages({ error })} ${signingInAs(step)} ${scan}
      ${form(
        ctx,
        '/login/otp',
        html`${codeInput({
            name: 'otp',
            label: 'Code from the app',
            hint: 'Codes change every 30 seconds.',
            minLength: 6,
            maxLength: 8,
            error,
          })} <button type="submit">Verify and finish</button>`,
      )}
      <p class="aside"><a href="/login/mfa">Choose another method</a></p>
      ${cancelSignInForm(ctx)}`,
    { error: error !== undefined },
  );
}

/**
 * Shown once, right after the sign-in that produced it: Auth0 never answers it again. "Continue"
 * goes to `continueTo` (the home page, or the page a step-up sign-in came from).
 */
export function recoveryCodePage({
  message,
  code,
  continueTo = '/',
}: {
  message: string;
  code: string;
  continueTo?: string;
}): string {
  return layout(
    'Save your recovery code',
    html`<p class="message notice" role="status">${message}</p>
      <p class="recovery-code"><code id="recovery-code">${code}</code></p>
      <p>
        Write it down or keep it in your password manager. If you lose your device, it is the only
        way into your account. <strong>This page will not show it again.</strong>
      </p>
      <p><a class="button" href="${continueTo}">I saved it: continue</a></p>`,
  );
}

/** A POST without the session's CSRF token: a form from another site, or an expired page. */
export function csrfFailedPage(): string {
  return layout(
    'This form has expired',
    html`${messages({
        error:
          'The form was sent without a valid security token: it expired, or it came from another site',
      })}
      <p>Nothing was done. Go back to the start and try again.</p>
      <p><a class="button" href="/">Start again</a></p>`,
    { error: true },
  );
}

/** A secret as `ABCD EFGH ...`, easier to read and type. */
function groupsOfFour(secret: string): string {
  return secret.replaceAll(/(.{4})(?=.)/g, '$1 ');
}
