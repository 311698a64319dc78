import {
  forwardableIp,
  LOGIN_FIELDS_MISSING,
  PasswordLogin,
  ReauthenticationRequiredError,
  createAuthorizedFetch,
  loginTokenManager,
  newSessionKey,
  readLoginCredentials,
  readOtpField,
  rejectUnknownOptions,
  renderLoginResult,
  type LoginManagerOptions,
  type LoginResult,
  type TokenManager,
} from '@ropkit/core';
import type { Request, RequestHandler, Response } from 'express';
import { withFormOrJsonBody } from './form-or-json-body.js';
import {
  clearSessionKey,
  readSessionKey,
  regenerateSessionWithKey,
  writeSessionKey,
} from './session-key.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Writes the answer to a login, OTP or logout request: the `respond` option of {@link PasswordLoginOptions}. */
export type LoginResponder = (result: LoginResult, req: Request, res: Response) => void;

/** Settings shared by both ways of giving {@link passwordLogin} its tokens. */
interface PasswordLoginSettings {
  /**
   * The connection (user directory) for the password-realm grant; a `realm` field in the login
   * body overrides it. Default: none, `grant_type=password` with the tenant's default directory.
   */
  realm?: string;
  /**
   * Send the end user's IP (`req.ip`) as `auth0-forwarded-for` on logins and refreshes, so
   * Auth0's brute-force protection blocks the attacker's IP rather than your server's. `req.ip`
   * honours `app.set('trust proxy', ...)`: set it to your proxies only. Auth0 believes the header
   * only from a confidential client with "Trust Token Endpoint IP Header" on. Default `false`.
   */
  forwardUserIp?: boolean;
  /**
   * Writes the answer to each result. Default: core's `renderLoginResult`, the same bytes as
   * the Koa and Fastify adapters: JSON of the `LoginOutcome` with its status from
   * `LOGIN_OUTCOME_STATUS` (200, 400 for missing fields, 401, 403, 429 with `Retry-After`, 503)
   * and `Cache-Control: no-store`; `204` for `signed_out`. Give your own to redirect or render a
   * form.
   */
  respond?: LoginResponder;
}

/**
 * Options of {@link passwordLogin}: the token client (or a ready token manager, see core's
 * `LoginManagerOptions`) and settings.
 */
export type PasswordLoginOptions = PasswordLoginSettings & LoginManagerOptions;

const KNOWN_OPTIONS = new Set(['client', 'manager', 'realm', 'forwardUserIp', 'respond']);

/** The handlers {@link passwordLogin} returns. */
export interface PasswordLoginHandlers {
  /**
   * Middleware adding `req.accessToken()` and `req.apiFetch()`, bound to the session's tokens.
   * Mount it after the session middleware, before the routes that call your API.
   */
  tokens: RequestHandler;
  /**
   * `POST` handler: reads `username` (or `email`), `password` and an optional `realm` from a form
   * or JSON body, runs the password grant and, when signed in, renews the session and files the
   * tokens under a new random key kept in it.
   */
  login: RequestHandler;
  /** `POST` handler: finishes an MFA sign-in with the `otp` field of a form or JSON body. */
  verifyOtp: RequestHandler;
  /** `POST` handler: revokes the refresh token (RFC 7009) and removes the tokens and the key. */
  logout: RequestHandler;
  /** The token manager holding every session's tokens. */
  manager: TokenManager;
}

/**
 * The Resource Owner Password login flow for Express, on top of core's `PasswordLogin`. Needs a
 * session middleware with `regenerate()` (express-session) before the handlers: the session holds
 * only a random key, the tokens stay in the token manager's store on the server.
 *
 * @example
 * ```ts
 * const login = passwordLogin({
 *   client: {
 *     issuer: 'https://YOUR_DOMAIN/',
 *     clientId: 'YOUR_CLIENT_ID',
 *     clientSecret: 'YOUR_CLIENT_SECRET',
 *     audience: 'YOUR_API_IDENTIFIER',
 *     scope: 'openid offline_access read:sample',
 *   },
 * });
 * app.use(session({ secret: 'YOUR_SESSION_SECRET', resave: false, saveUninitialized: false }));
 * app.use(login.tokens);
 * app.post('/login', login.login);
 * app.post('/login/otp', login.verifyOtp);
 * app.post('/logout', login.logout);
 * app.get('/profile', async (req, res) => {
 *   const answer = await req.apiFetch('https://api.example.com/profile');
 *   res.status(answer.status).json(await answer.json());
 * });
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export function passwordLogin(options: PasswordLoginOptions): PasswordLoginHandlers {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('passwordLogin() options must be an object');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'passwordLogin()');
  const manager = loginTokenManager(options);
  const flow = new PasswordLogin({
    manager,
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    ...(options.forwardUserIp === undefined ? {} : { forwardUserIp: options.forwardUserIp }),
  });
  const forwardUserIp = options.forwardUserIp === true;
  const respond = options.respond ?? respondWithJson;
  if (typeof respond !== 'function') throw new TypeError('"respond" must be a function');

  /** The end user's IP for refreshes, as the login sent it. */
  const refreshOptions = (req: Request): { forwardedFor?: string } => {
    const ip = forwardUserIp ? forwardableIp(req.ip) : undefined;
    return ip === undefined ? {} : { forwardedFor: ip };
  };

  const tokens: RequestHandler = (req, _res, next) => {
    req.accessToken = async () => manager.getAccessToken(signedInKey(req), refreshOptions(req));
    req.apiFetch = async (input, init) =>
      createAuthorizedFetch({ manager, key: signedInKey(req), ...refreshOptions(req) })(
        input,
        init,
      );
    next();
  };

  const login = withFormOrJsonBody(async (req, res, next) => {
    try {
      const previousKey = readSessionKey(req);
      const credentials = readLoginCredentials(req.body);
      if (credentials === undefined) {
        respond(LOGIN_FIELDS_MISSING, req, res);
        return;
      }
      const key = newSessionKey();
      const outcome = await flow.login(key, credentials, req.ip);
      if (outcome.status === 'signed_in') await regenerateSessionWithKey(req, key);
      // The mfa_token stays in PasswordLogin under the key; the session learns only the key.
      else if (outcome.status === 'mfa_required') writeSessionKey(req, key);
      if (previousKey !== undefined && readSessionKey(req) === key) {
        await forgetPreviousSignIn(flow, previousKey);
      }
      respond(outcome, req, res);
    } catch (error) {
      next(error);
    }
  });

  const verifyOtp = withFormOrJsonBody(async (req, res, next) => {
    try {
      const key = readSessionKey(req);
      // A session without a key has no MFA step open: a fresh key makes core answer so.
      const outcome = await flow.verifyOtp(key ?? newSessionKey(), readOtpField(req.body), req.ip);
      if (outcome.status === 'signed_in' && key !== undefined) {
        await regenerateSessionWithKey(req, key);
      }
      respond(outcome, req, res);
    } catch (error) {
      next(error);
    }
  });

  const logout: RequestHandler = async (req, res, next) => {
    try {
      const key = readSessionKey(req);
      if (key !== undefined) {
        clearSessionKey(req);
        await flow.logout(key);
      }
      respond(SIGNED_OUT, req, res);
    } catch (error) {
      next(error);
    }
  };

  return { tokens, login, verifyOtp, logout, manager };
}

const SIGNED_OUT: LoginResult = { status: 'signed_out' };

/** The default {@link LoginResponder}: core's rendering, shared with the other adapters. */
function respondWithJson(result: LoginResult, _req: Request, res: Response): void {
  const answer = renderLoginResult(result);
  res.status(answer.status).set(answer.headers);
  if (answer.body === '') res.end();
  else res.send(answer.body);
}

/** The session's token key. @throws {ReauthenticationRequiredError} when it is not signed in. */
function signedInKey(req: Request): string {
  const key = readSessionKey(req);
  if (key === undefined) {
    throw new ReauthenticationRequiredError('This session is not signed in: sign in first');
  }
  return key;
}

/**
 * A new sign-in in a session that had one replaces it: the old refresh token is revoked and its
 * tokens forgotten. core's signOut forgets locally before revoking, so a failed revocation leaves
 * a refresh token no one holds any more; it must not fail the sign-in that just succeeded.
 */
async function forgetPreviousSignIn(flow: PasswordLogin, previousKey: string): Promise<void> {
  try {
    await flow.logout(previousKey);
  } catch {
    // Deliberately ignored; see above.
  }
}
