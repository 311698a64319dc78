import express, { type Express, type Request, type Response } from 'express';
import session from 'express-session';
import {
  LOGIN_OUTCOME_STATUS,
  ReauthenticationRequiredError,
  passwordLogin,
  type LoginResult,
  type PasswordLoginHandlers,
} from '@ropkit/express';
import type { LoginAppConfig } from './config.ts';
import { apiAnswerPage, apiUnreachablePage, homePage, otpPage, signInPage } from './pages.ts';
import { SESSION_COOKIE } from './session.ts';

/** The app and the handlers holding every session's tokens (its `manager`). */
export interface LoginApp {
  app: Express;
  login: PasswordLoginHandlers;
}

/**
 * A server-rendered app where a user signs in with a form: the server runs the password grant
 * (the tutorial's "Request tokens" step), keeps the tokens server-side under a random key held in
 * the express-session, refreshes them in the background ("Refresh tokens") and calls the API with
 * them ("Call API").
 */
export function createApp(config: LoginAppConfig): LoginApp {
  const login = passwordLogin({
    client: {
      ...config.authorizationServer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      audience: config.audience,
      scope: config.scope,
    },
    // Refresh each session's tokens on a timer before they expire, not only on the next request.
    manager: { backgroundRefresh: true },
    respond,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false, // no cookie before a sign-in attempt
      // httpOnly: no script reads it; sameSite lax: no cross-site form posts (login CSRF);
      // secure 'auto': Secure whenever the request came over HTTPS.
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' },
    }),
    login.tokens,
  );

  app.get('/', (req, res) => {
    const { username } = req.session;
    sendPage(res, 200, username === undefined ? signInPage() : homePage({ username }));
  });

  // The form is parsed here so the responder can show the username again; 16 kB, as the adapter.
  app.post('/login', express.urlencoded({ extended: false, limit: '16kb' }), login.login);
  app.post(
    '/login/otp',
    (req, res, next) => {
      // The session is renewed when the code is right: keep who is signing in for the responder.
      res.locals['pendingUsername'] = req.session.pendingUsername;
      next();
    },
    login.verifyOtp,
  );
  app.post('/logout', login.logout);

  app.get('/call-api', (req, res, next) => {
    callApi(config.apiUrl, req, res).catch(next);
  });

  return { app, login };
}

/** The "Call API" step: the API's answer to a call with the session's access token. */
async function callApi(apiUrl: string, req: Request, res: Response): Promise<void> {
  if (req.session.username === undefined) {
    sendPage(res, 200, signInPage({ error: 'Sign in to call the API' }));
    return;
  }
  let answer: globalThis.Response;
  try {
    // The session's access token, refreshed first if due; once more after a 401 invalid_token.
    answer = await req.apiFetch(apiUrl);
  } catch (error) {
    if (error instanceof ReauthenticationRequiredError) {
      // The refresh token stopped working: the user must type the password again.
      await destroySession(req);
      res.clearCookie(SESSION_COOKIE);
      sendPage(res, 200, signInPage({ error: 'Your session has ended: sign in again' }));
      return;
    }
    sendPage(res, 502, apiUnreachablePage({ url: apiUrl }));
    return;
  }
  const body = await answer.text();
  sendPage(res, 200, apiAnswerPage({ url: apiUrl, status: answer.status, body }));
}

/** Renders each login, OTP and logout result as a page (the adapter's default is JSON). */
function respond(result: LoginResult, req: Request, res: Response): void {
  switch (result.status) {
    case 'signed_in': {
      const pending: unknown = res.locals['pendingUsername'];
      req.session.username = typeof pending === 'string' ? pending : submittedUsername(req);
      delete req.session.pendingUsername;
      // RFC 9110 section 15.4.4: 303 makes the browser GET the page, so a reload re-posts nothing.
      res.redirect(303, '/');
      return;
    }
    case 'mfa_required':
      req.session.pendingUsername = submittedUsername(req);
      sendPage(res, 200, otpPage({ username: req.session.pendingUsername }));
      return;
    case 'signed_out':
      // The adapter revoked the refresh token and forgot the tokens; drop the rest too.
      req.session.destroy(() => {
        res.clearCookie(SESSION_COOKIE);
        res.redirect(303, '/');
      });
      return;
    case 'invalid_otp': {
      const username = req.session.pendingUsername;
      sendPage(
        res,
        400,
        username === undefined
          ? signInPage({ error: result.message })
          : otpPage({ username, error: result.message }),
      );
      return;
    }
    default:
      if (result.status === 'rate_limited' && result.retryAfter !== undefined) {
        res.setHeader('retry-after', String(result.retryAfter)); // RFC 6585 section 4
      }
      sendPage(
        res,
        formStatus(result.status),
        signInPage({ error: result.message, username: submittedUsername(req) }),
      );
  }
}

/**
 * The status of a page that shows a failed sign-in. The adapter's JSON answers use 401, but a 401
 * must carry a WWW-Authenticate challenge (RFC 9110 section 15.5.2), which a form has not: 400.
 */
function formStatus(status: keyof typeof LOGIN_OUTCOME_STATUS): number {
  const code = LOGIN_OUTCOME_STATUS[status];
  return code === 401 ? 400 : code;
}

function submittedUsername(req: Request): string {
  const body: unknown = req.body;
  const username: unknown =
    typeof body === 'object' && body !== null ? Reflect.get(body, 'username') : undefined;
  return typeof username === 'string' ? username : '';
}

async function destroySession(req: Request): Promise<void> {
  await new Promise<void>((resolve) => {
    // A store that fails to delete leaves a session without tokens: nothing to clean up here.
    req.session.destroy(() => resolve());
  });
}

function sendPage(res: Response, status: number, page: string): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      // Pages show who is signed in and what the API answered: never from a shared cache.
      'cache-control': 'no-store',
      // Nothing but this document, its forms posting to itself, and no framing (clickjacking).
      'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
    })
    .send(page);
}
