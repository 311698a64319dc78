import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import session from 'express-session';
import { StepUpFailedError, StepUpRequiredError, type LoginFactor } from '@ropkit/core';
import {
  LOGIN_OUTCOME_STATUS,
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  ReauthenticationRequiredError,
  passwordLogin,
  type LoginResult,
  type PasswordLoginHandlers,
} from '@ropkit/express';
import type { LoginAppConfig } from './config.ts';
import { csrfToken, hasValidCsrfToken } from './csrf.ts';
import {
  apiAnswerPage,
  apiUnreachablePage,
  codePage,
  csrfFailedPage,
  enrolPage,
  homePage,
  otpEnrolmentPage,
  pushPage,
  recoveryCodePage,
  signInPage,
  verifyMethods,
  verifyPage,
  type PageContext,
} from './pages.ts';
import { qrCodeSvg } from './qr-code.ts';
import { SESSION_COOKIE, type SignInStep } from './session.ts';

/** The app and the handlers holding every session's tokens (its `manager`). */
export interface LoginApp {
  app: Express;
  login: PasswordLoginHandlers;
}

/**
 * The Content-Security-Policy of every page: this origin's stylesheet and script (the push page
 * polls with it), its own forms, nothing inline, no plugin, no framing (clickjacking), no `<base>`.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The stylesheet, the push page's script and the icon. */
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** Seconds the push page waits before its first poll when no `Retry-After` was answered. */
const DEFAULT_PUSH_WAIT = 5;

/**
 * A server-rendered app where a user signs in with a form: the server runs the password grant
 * (the tutorial's "Request tokens" step) and every MFA step after it, keeps the tokens
 * server-side under a random key held in the express-session, refreshes them in the background
 * ("Refresh tokens") and calls the API with them ("Call API"). Every POST must carry the
 * session's CSRF token; every page is sent with {@link CONTENT_SECURITY_POLICY}.
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
  app.use((_req, res, next) => {
    res.set({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    next();
  });
  app.use(
    '/static',
    express.static(PUBLIC_DIR, {
      index: false,
      // Revalidated on each use (ETag): a changed stylesheet or script is picked up at once.
      cacheControl: true,
      maxAge: 0,
    }),
  );
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      resave: false,
      // A session starts with the first page that has a form (it holds the CSRF token).
      saveUninitialized: false,
      // httpOnly: no script reads it; sameSite lax: no cross-site form posts in most browsers
      // (the CSRF token covers the rest); secure 'auto': Secure whenever the request is HTTPS.
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' },
    }),
    login.tokens,
  );

  // Every POST is a form of this app: parsed here (16 kB, as the adapter would), then refused
  // unless it carries the session's CSRF token, before anything reaches Auth0.
  app.post('/{*path}', express.urlencoded({ extended: false, limit: '16kb' }), (req, res, next) => {
    if (hasValidCsrfToken(req)) {
      // The engine renews the session when a sign-in completes: the step is kept here for
      // the page that follows.
      res.locals['signIn'] = req.session.signIn;
      next();
      return;
    }
    sendPage(
      res,
      403,
      req.path === LOGIN_ROUTE_PATHS.login
        ? signInPage(pageContext(req), { error: 'The form expired: sign in again' })
        : csrfFailedPage(),
    );
  });

  app.get('/', (req, res) => {
    const { username } = req.session;
    const ctx = pageContext(req);
    sendPage(res, 200, username === undefined ? signInPage(ctx) : homePage(ctx, { username }));
  });

  // The open MFA step's page: a method (`?method=`), or the set-up choices.
  app.get('/login/mfa', (req, res) => {
    const step = req.session.signIn;
    if (step === undefined) {
      res.redirect(303, '/');
      return;
    }
    const { notice } = step;
    delete step.notice;
    sendStepPage(req, res, 200, { method: methodParameter(req, step), notice });
  });

  // The code sent by SMS, voice or email.
  app.get('/login/code', (req, res) => {
    const step = req.session.signIn;
    if (step?.codeSentBy === undefined) {
      res.redirect(303, step === undefined ? '/' : '/login/mfa');
      return;
    }
    sendPage(res, 200, codePage(pageContext(req), { step, sentBy: step.codeSentBy }));
  });

  // The page waiting for a push (the script on it polls POST /login/push).
  app.get(LOGIN_ROUTE_PATHS.pollPush, (req, res) => {
    const step = req.session.signIn;
    if (step?.push !== 'challenge') {
      res.redirect(303, step === undefined ? '/' : '/login/mfa');
      return;
    }
    const retryAfter = step.pushRetryAfter ?? DEFAULT_PUSH_WAIT;
    sendPage(res, 200, pushPage(pageContext(req), { step, retryAfter }));
  });

  // Stops waiting for a push: later polls are refused here, without a request to Auth0.
  app.post('/login/push/cancel', (req, res) => {
    const step = req.session.signIn;
    if (step === undefined) {
      res.redirect(303, '/');
      return;
    }
    delete step.push;
    delete step.pushRetryAfter;
    step.notice = 'You cancelled the notification. Choose how to verify.';
    res.redirect(303, '/login/mfa');
  });

  // A poll of a push the user cancelled (or never asked for) never reaches the engine.
  app.post(LOGIN_ROUTE_PATHS.pollPush, (req, res, next) => {
    const step = req.session.signIn;
    if (step === undefined || step.push !== undefined) {
      next();
      return;
    }
    sendStepPage(req, res, 400, {
      method: step.mode === 'challenge' ? 'push' : undefined,
      error: 'No notification is waiting: send a new one, or choose another method',
    });
  });

  // Every step of a sign-in, MFA included, at core's paths (/login, /login/otp, /login/challenge,
  // /login/oob, /login/push, /login/recovery, /login/enroll, /logout); `respond` renders them.
  for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);

  app.get('/call-api', (req, res, next) => {
    callApi(config.apiUrl, req, res).catch(next);
  });

  return { app, login };
}

/** The "Call API" step: the API's answer to a call with the session's access token. */
async function callApi(apiUrl: string, req: Request, res: Response): Promise<void> {
  if (req.session.username === undefined) {
    sendPage(res, 200, signInPage(pageContext(req), { error: 'Sign in to call the API' }));
    return;
  }
  let answer: globalThis.Response;
  try {
    // The session's access token, refreshed first if due; once more after a 401 invalid_token.
    answer = await req.apiFetch(apiUrl);
  } catch (error) {
    if (error instanceof StepUpRequiredError) {
      // RFC 9470: the API wants a stronger or more recent sign-in. The session keeps what the
      // engine remembered (the requirement, and this page to come back to), so it is not renewed:
      // the next sign-in asks for MFA and then lands back here. The form is for the same user.
      sendPage(
        res,
        200,
        signInPage(pageContext(req), {
          error: 'This needs a stronger sign-in: sign in again',
          username: req.session.username,
        }),
      );
      return;
    }
    if (error instanceof StepUpFailedError) {
      // The API answered 401 insufficient_user_authentication again, right after a step-up:
      // the page shows the API's answer; this application answers 403 (no sign-in helps now).
      const body = 'Signing in again did not give this action the authentication it needs';
      sendPage(res, 403, apiAnswerPage(pageContext(req), { url: apiUrl, status: 401, body }));
      return;
    }
    if (error instanceof ReauthenticationRequiredError) {
      // The refresh token stopped working: the user must type the password again, in a new
      // session (a new id, nothing of the old one).
      await renewSession(req);
      sendPage(
        res,
        200,
        signInPage(pageContext(req), { error: 'Your session has ended: sign in again' }),
      );
      return;
    }
    sendPage(res, 502, apiUnreachablePage(pageContext(req), { url: apiUrl }));
    return;
  }
  const body = await answer.text();
  sendPage(res, 200, apiAnswerPage(pageContext(req), { url: apiUrl, status: answer.status, body }));
}

/**
 * Renders each result of the login routes as a page (the adapter's default is JSON). A step
 * moves on with a redirect (303: a reload posts nothing again); a result that carries something
 * to show once (a recovery code, an enrolment's QR code) or an error is rendered in place.
 */
function respond(result: LoginResult, req: Request, res: Response): void {
  const step = req.session.signIn;
  switch (result.status) {
    case 'signed_in':
      finishSignIn(req, res);
      // RFC 9110 section 15.4.4: 303 makes the browser GET the page, so a reload re-posts nothing.
      // After a step-up the engine names the page that asked for it (a path of this site).
      res.redirect(303, result.returnTo ?? '/');
      return;
    case 'new_recovery_code':
      finishSignIn(req, res);
      sendPage(
        res,
        200,
        recoveryCodePage({
          message: result.message,
          code: result.recoveryCode.reveal(),
          // After a step-up, "continue" goes back to the page that asked for it.
          continueTo: result.returnTo ?? '/',
        }),
      );
      return;
    case 'step_up_failed':
      // Signed in again for a step-up (the engine stored the tokens and renewed the session), but
      // the ID token shows the sign-in missed what the API asked: going back to the page would
      // only be refused again. The user is signed in all the same.
      finishSignIn(req, res);
      sendPage(
        res,
        403,
        homePage(pageContext(req), {
          username: req.session.username ?? '',
          error: result.message,
        }),
      );
      return;
    case 'mfa_required':
    case 'mfa_enrollment_required':
      // The engine renewed the session: the step starts in the new one.
      req.session.signIn = {
        username: submittedUsername(req),
        mode: result.status === 'mfa_required' ? 'challenge' : 'enroll',
        factors: [...result.factors],
      };
      res.redirect(303, '/login/mfa');
      return;
    case 'code_sent':
      if (step !== undefined) {
        step.codeSentBy = result.factor;
        delete step.push;
      }
      res.redirect(303, '/login/code');
      return;
    case 'push_pending':
      res.setHeader('retry-after', String(result.retryAfter));
      if (step === undefined) break;
      step.pushRetryAfter = result.retryAfter;
      if (req.path === LOGIN_ROUTE_PATHS.challenge) {
        step.push = 'challenge';
        res.redirect(303, LOGIN_ROUTE_PATHS.pollPush);
        return;
      }
      // A poll: 202 (RFC 9110 section 15.3.3), the same page; the script polls again.
      sendPage(res, 202, pushPage(pageContext(req), { step, retryAfter: result.retryAfter }));
      return;
    case 'enrollment_started': {
      if (step === undefined) break;
      const label =
        result.factor === 'otp'
          ? 'QR code to scan with your authenticator app'
          : 'QR code to scan with Auth0 Guardian';
      const qrCode = qrCodeSvg(result.barcodeUri.reveal(), label);
      if (result.factor === 'otp') {
        delete step.push;
        sendPage(
          res,
          200,
          otpEnrolmentPage(pageContext(req), { step, qrCode, secret: result.secret.reveal() }),
        );
      } else {
        step.push = 'enrolment';
        step.pushRetryAfter = result.retryAfter;
        res.setHeader('retry-after', String(result.retryAfter));
        sendPage(
          res,
          200,
          pushPage(pageContext(req), { step, retryAfter: result.retryAfter, qrCode }),
        );
      }
      return;
    }
    case 'signed_out':
      // The adapter revoked the refresh token and forgot the tokens; drop the rest too.
      req.session.destroy(() => {
        res.clearCookie(SESSION_COOKIE);
        res.redirect(303, '/');
      });
      return;
    default:
      break;
  }
  if (result.status === 'rate_limited' && result.retryAfter !== undefined) {
    res.setHeader('retry-after', String(result.retryAfter)); // RFC 6585 section 4
  }
  const message = 'message' in result ? result.message : 'Something went wrong: sign in again';
  sendFailure(req, res, result.status, message);
}

/** A result that did not move the sign-in on: the page it came from, with the message. */
function sendFailure(
  req: Request,
  res: Response,
  status: LoginResult['status'],
  message: string,
): void {
  const httpStatus = formStatus(status);
  const step = req.session.signIn;
  if (req.path === LOGIN_ROUTE_PATHS.login || step === undefined || status === 'mfa_expired') {
    // The password was refused, or the MFA step is gone: start again.
    delete req.session.signIn;
    const username = req.path === LOGIN_ROUTE_PATHS.login ? submittedUsername(req) : step?.username;
    sendPage(res, httpStatus, signInPage(pageContext(req), { error: message, username }));
    return;
  }
  const ctx = pageContext(req);
  switch (req.path) {
    case LOGIN_ROUTE_PATHS.verifyOob:
      if (status === 'invalid_otp' && step.codeSentBy !== undefined) {
        // The same code may be tried again.
        sendPage(res, httpStatus, codePage(ctx, { step, sentBy: step.codeSentBy, error: message }));
        return;
      }
      if (status === 'challenge_expired') delete step.codeSentBy;
      break;
    case LOGIN_ROUTE_PATHS.verifyOtp:
      if (step.mode === 'enroll') {
        sendPage(res, httpStatus, otpEnrolmentPage(ctx, { step, error: message }));
        return;
      }
      break;
    case LOGIN_ROUTE_PATHS.pollPush:
      // Denied or expired: the push is over; the page offers to send another.
      delete step.push;
      break;
    default:
      break;
  }
  sendStepPage(req, res, httpStatus, { method: methodOfRoute(req, step), error: message });
}

/** The step's page: a method's (challenge) or the set-up choices (enroll). */
function sendStepPage(
  req: Request,
  res: Response,
  status: number,
  {
    method,
    error,
    notice,
  }: { method: LoginFactor | undefined; error?: string; notice?: string | undefined },
): void {
  const step = req.session.signIn;
  const ctx = pageContext(req);
  if (step === undefined) {
    sendPage(res, status, signInPage(ctx, error === undefined ? {} : { error }));
    return;
  }
  const shown = { ...(error === undefined ? {} : { error }), ...(notice ? { notice } : {}) };
  if (step.mode === 'enroll') {
    sendPage(res, status, enrolPage(ctx, { step, ...shown, values: enrolValues(req) }));
    return;
  }
  const methods = verifyMethods(step);
  const chosen = method !== undefined && methods.includes(method) ? method : methods[0];
  sendPage(res, status, verifyPage(ctx, { step, method: chosen ?? 'otp', ...shown }));
}

/** The method a failed MFA route was about, to show its form again. */
function methodOfRoute(req: Request, step: SignInStep): LoginFactor | undefined {
  switch (req.path) {
    case LOGIN_ROUTE_PATHS.verifyOtp:
      return 'otp';
    case LOGIN_ROUTE_PATHS.verifyRecoveryCode:
      return 'recovery-code';
    case LOGIN_ROUTE_PATHS.pollPush:
      return 'push';
    case LOGIN_ROUTE_PATHS.verifyOob:
      return step.codeSentBy;
    default:
      return factorField(req);
  }
}

/** `?method=` of GET /login/mfa, when it names a factor. */
function methodParameter(req: Request, step: SignInStep): LoginFactor | undefined {
  const method: unknown = req.query['method'];
  return verifyMethods(step).find((factor) => factor === method);
}

/** The `factor` field of a posted form, when it names a factor. */
function factorField(req: Request): LoginFactor | undefined {
  const factor = bodyField(req, 'factor');
  const all: LoginFactor[] = ['otp', 'push', 'sms', 'voice', 'email', 'recovery-code'];
  return all.find((known) => known === factor);
}

/** What the set-up form had, to show it again with its error. */
function enrolValues(req: Request): { phoneNumber?: string; email?: string } {
  return { phoneNumber: bodyField(req, 'phone_number'), email: bodyField(req, 'email') };
}

/** The sign-in completed: who is signed in, for the pages; the step is over. */
function finishSignIn(req: Request, res: Response): void {
  // The engine renewed the session when the sign-in completed: the step read before that is in
  // res.locals; a sign-in without MFA has the submitted username.
  const step =
    req.path === LOGIN_ROUTE_PATHS.login
      ? undefined
      : (res.locals['signIn'] as SignInStep | undefined);
  req.session.username = step?.username ?? submittedUsername(req);
  delete req.session.signIn;
}

/**
 * The status of a page that shows a failed step. The adapter's JSON answers use 401, but a 401
 * must carry a WWW-Authenticate challenge (RFC 9110 section 15.5.2), which a form has not: 400.
 */
function formStatus(status: LoginResult['status']): number {
  const code = LOGIN_OUTCOME_STATUS[status];
  return code === 401 ? 400 : code;
}

function submittedUsername(req: Request): string {
  return bodyField(req, 'username') ?? '';
}

function bodyField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  const value: unknown =
    typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}

function pageContext(req: Request): PageContext {
  return { csrf: csrfToken(req) };
}

async function renewSession(req: Request): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error === undefined || error === null) resolve();
      else reject(error instanceof Error ? error : new Error('The session could not be renewed'));
    });
  });
}

function sendPage(res: Response, status: number, page: string): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      // Pages show who is signed in, what the API answered, a recovery code or a QR code holding
      // an authenticator's secret: never from a cache, and not from the back button's either.
      'cache-control': 'no-store',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    })
    .send(page);
}
