import { html, type Html } from './html.ts';

/** The frame of every page. */
function layout(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ropkit password-login</title>
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.html;
}

function errorMessage(message: string | undefined): Html {
  return message === undefined ? html`` : html`<p role="alert" class="error">${message}</p>`;
}

/** The sign-in form (the tutorial's "get the user's credentials ... through an interactive form"). */
export function signInPage({ error, username = '' }: { error?: string; username?: string } = {}) {
  return layout(
    'Sign in',
    html`${errorMessage(error)}
      <form method="post" action="/login">
        <label for="username">Email or username</label>
        <input id="username" name="username" autocomplete="username" required value="${username}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" />
        <button type="submit">Sign in</button>
      </form>`,
  );
}

/** The second step of an MFA sign-in: the code from the user's authenticator app. */
export function otpPage({ username, error }: { username: string; error?: string }) {
  return layout(
    'Enter your code',
    html`${errorMessage(error)}
      <p>
        ${username} has multi-factor authentication: enter the code from your authenticator app.
      </p>
      <form method="post" action="/login/otp">
        <label for="otp">Code</label>
        <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required />
        <button type="submit">Verify</button>
      </form>
      <p><a href="/">Start again</a></p>`,
  );
}

/** The page of a signed-in user. */
export function homePage({ username }: { username: string }) {
  return layout(
    'Signed in',
    html`<p>Signed in as <strong>${username}</strong>. Your tokens are kept on the server.</p>
      <p><a href="/call-api">Call the API</a></p>
      ${signOutForm()}`,
  );
}

/** What the API answered to a call with the user's access token. */
export function apiAnswerPage({
  url,
  status,
  body,
}: {
  url: string;
  status: number;
  body: string;
}) {
  return layout(
    'The API answered',
    html`<p><code>GET ${url}</code> answered <strong>HTTP ${status}</strong>:</p>
      <pre id="api-answer">${body}</pre>
      <p><a href="/call-api">Call it again</a> · <a href="/">Home</a></p>
      ${signOutForm()}`,
  );
}

/** The API could not be reached at all. */
export function apiUnreachablePage({ url }: { url: string }) {
  return layout(
    'The API did not answer',
    html`<p><code>GET ${url}</code> failed before an answer came back.</p>
      <p><a href="/call-api">Try again</a> · <a href="/">Home</a></p>`,
  );
}

function signOutForm(): Html {
  return html`<form method="post" action="/logout"><button type="submit">Sign out</button></form>`;
}
