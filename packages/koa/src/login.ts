import {
  forwardableIp,
  LOGIN_FIELDS_MISSING,
  PasswordLogin,
  ReauthenticationRequiredError,
  TokenError,
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
import type { Context, Middleware } from 'koa';
import { destroySession, readTokenKey, storeTokenKey } from './session.js';

/** Settings of {@link passwordLogin} besides its token client or manager. */
interface PasswordLoginSettings {
  /** Default connection (user directory) for the password-realm grant. Default: none, the tenant's default directory. */
  realm?: string;
  /**
   * Send the end user's IP (`ctx.ip`) as `auth0-forwarded-for` on sign-in, OTP and refresh, so
   * brute-force protection counts each user's IP rather than your server's. `ctx.ip` honours
   * `app.proxy`: behind a reverse proxy set `app.proxy = true` (and `app.maxIpsCount = 1` for one
   * proxy hop), never on a server clients reach directly, or they choose their own IP. Auth0
   * trusts the header only from a confidential client with "Trust Token Endpoint IP Header" on.
   * Default `false`.
   */
  forwardUserIp?: boolean;
}

/**
 * Options of {@link passwordLogin}: the token client (or a ready token manager, see core's
 * `LoginManagerOptions`) and settings.
 */
export type PasswordLoginOptions = PasswordLoginSettings & LoginManagerOptions;

/** The middleware {@link passwordLogin} returns. */
export interface PasswordLoginHandlers {
  /** The manager holding every session's tokens (for background jobs, or to close it). */
  readonly manager: TokenManager;
  /**
   * `app.use()` it after the session middleware: it puts `ctx.state.accessToken()` and
   * `ctx.state.apiFetch()` on every request.
   */
  readonly middleware: Middleware;
  /**
   * `POST` handler: reads `username` (or `email`), `password` and an optional `realm` from a
   * JSON or form body (parse it first, e.g. `@koa/bodyparser`), runs the password grant and
   * answers the outcome as JSON with its status. Then sets `ctx.state.loginOutcome` and calls
   * `next()`, so a following middleware may answer differently (a redirect for a form).
   */
  readonly login: Middleware;
  /** `POST` handler finishing an MFA sign-in with `otp` from the body; answers like `login`. */
  readonly verifyOtp: Middleware;
  /** `POST` handler: revokes the refresh token, forgets the tokens, ends the session; 204. */
  readonly logout: Middleware;
}

const KNOWN_OPTIONS = new Set(['client', 'realm', 'forwardUserIp', 'manager']);

/**
 * Signs users in with the Resource Owner Password flow and keeps their tokens server-side, in
 * the token manager, under a random key that is the only thing put in the session
 * (koa-session's `ctx.session`). Route handlers then call `ctx.state.accessToken()` or
 * `ctx.state.apiFetch(url)`, which refresh the tokens when due.
 *
 * The password grant is only for highly trusted first-party applications (RFC 9700 section 2.4).
 *
 * @example
 * ```ts
 * const signIn = passwordLogin({ client: { issuer, clientId, clientSecret, audience, scope } });
 * app.use(session(app));
 * app.use(bodyParser());
 * app.use(signIn.middleware);
 * router.post('/login', signIn.login);
 * router.post('/login/otp', signIn.verifyOtp);
 * router.post('/logout', signIn.logout);
 * router.get('/orders', async (ctx) => { ctx.body = await (await ctx.state.apiFetch(url)).json(); });
 * ```
 *
 * @throws {TypeError} at declaration, for an invalid option.
 */
export function passwordLogin(options: PasswordLoginOptions): PasswordLoginHandlers {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('passwordLogin() options must be an object');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'passwordLogin()');
  const manager = loginTokenManager(options);
  const forwardUserIp = options.forwardUserIp ?? false;
  const flow = new PasswordLogin({
    manager,
    forwardUserIp,
    ...(options.realm === undefined ? {} : { realm: options.realm }),
  });

  /** Refreshes carry the user's IP too: Auth0 applies the same protections to them. */
  const refreshOptions = (ctx: Context): { forwardedFor?: string } => {
    const ip = forwardUserIp ? forwardableIp(ctx.ip) : undefined;
    return ip === undefined ? {} : { forwardedFor: ip };
  };

  const middleware: Middleware = async function ropkitTokens(ctx, next) {
    ctx.state.accessToken = async () =>
      manager.getAccessToken(signedInKey(ctx), refreshOptions(ctx));
    ctx.state.apiFetch = async (input, init) =>
      createAuthorizedFetch({ manager, key: signedInKey(ctx), ...refreshOptions(ctx) })(
        input,
        init,
      );
    await next();
  };

  const login: Middleware = async function ropkitLogin(ctx, next) {
    const credentials = readLoginCredentials(requestBody(ctx));
    if (credentials === undefined) {
      answer(ctx, LOGIN_FIELDS_MISSING);
      await next();
      return;
    }
    const previousKey = readTokenKey(ctx);
    // A fresh key per sign-in: tokens of an earlier sign-in on this session are never reused.
    const key = newSessionKey();
    const outcome = await flow.login(key, credentials, ctx.ip);
    if (outcome.status === 'signed_in' || outcome.status === 'mfa_required') {
      await storeTokenKey(ctx, key);
      if (previousKey !== undefined) await signOutQuietly(ctx, previousKey);
    }
    answer(ctx, outcome);
    await next();
  };

  const verifyOtp: Middleware = async function ropkitVerifyOtp(ctx, next) {
    const key = readTokenKey(ctx);
    // No key: no MFA step was started on this session. A key no step was filed under gets
    // core's own "sign in again" outcome, so the answer does not tell the two cases apart.
    const outcome = await flow.verifyOtp(
      key ?? newSessionKey(),
      readOtpField(requestBody(ctx)),
      ctx.ip,
    );
    // The sign-in completes here: issue a new session id again (session fixation).
    if (outcome.status === 'signed_in' && key !== undefined) await storeTokenKey(ctx, key);
    answer(ctx, outcome);
    await next();
  };

  const logout: Middleware = async function ropkitLogout(ctx, next) {
    const key = readTokenKey(ctx);
    destroySession(ctx);
    if (key !== undefined) await signOutQuietly(ctx, key);
    answer(ctx, SIGNED_OUT);
    await next();
  };

  /**
   * Revokes (RFC 7009) and forgets a key's tokens. The tokens are forgotten before the
   * revocation request, so a failed revocation only leaves a refresh token nobody holds any
   * more: it is reported on the app's `'error'` event, and the user is signed out all the same.
   */
  async function signOutQuietly(ctx: Context, key: string): Promise<void> {
    try {
      await flow.logout(key);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      ctx.app.emit('error', error, ctx);
    }
  }

  return { manager, middleware, login, verifyOtp, logout };
}

/** The session's token key; without one, the user has to sign in. */
function signedInKey(ctx: Context): string {
  const key = readTokenKey(ctx);
  if (key === undefined) {
    throw new ReauthenticationRequiredError('No one is signed in on this session: sign in first');
  }
  return key;
}

/** The body parsed by a body parser (`@koa/bodyparser` puts it on `ctx.request.body`). */
function requestBody(ctx: Context): unknown {
  return Reflect.get(ctx.request, 'body');
}

const SIGNED_OUT: LoginResult = { status: 'signed_out' };

/**
 * Answers a login, OTP or logout result with core's rendering, the same bytes as the Express and
 * Fastify adapters, and keeps the outcome on `ctx.state.loginOutcome` for the next middleware.
 */
function answer(ctx: Context, result: LoginResult): void {
  if (result.status !== 'signed_out') ctx.state.loginOutcome = result;
  const rendered = renderLoginResult(result);
  ctx.status = rendered.status;
  ctx.set(rendered.headers);
  // A string body keeps the content-type set above; 204 has none.
  if (rendered.body !== '') ctx.body = rendered.body;
}
