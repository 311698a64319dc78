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
  type AuthorizedFetch,
  type GetAccessTokenOptions,
  type LoginManagerOptions,
  type LoginOutcome,
  type TokenManager,
} from '@ropkit/core';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
import { assertSession, readSessionKey, renewSession } from './session-key.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Settings of {@link passwordLogin} besides its token client or manager. */
interface PasswordLoginSettings {
  /**
   * Connection (user directory) for Auth0's password-realm grant. A `realm` field in the login
   * body takes precedence. Default: none, the tenant's default directory (`grant_type=password`).
   */
  realm?: string;
  /**
   * Send the end user's IP (`request.ip`, which honours Fastify's `trustProxy`) as
   * `auth0-forwarded-for` on sign-in, OTP and refresh, so Auth0's brute-force protection counts
   * per user IP and not per server. Needs a confidential client with "Trust Token Endpoint IP
   * Header" on. Default `false`.
   */
  forwardUserIp?: boolean;
}

/**
 * Options of {@link passwordLogin}: the token client (or a ready token manager, see core's
 * `LoginManagerOptions`) and settings.
 */
export type PasswordLoginOptions = PasswordLoginSettings & LoginManagerOptions;

const KNOWN_OPTIONS = new Set(['client', 'manager', 'realm', 'forwardUserIp']);

/** A route handler of {@link passwordLogin}. */
export type LoginRouteHandler = (
  request: AnyFastifyRequest,
  reply: AnyFastifyReply,
) => Promise<LoginOutcome>;

/** What {@link passwordLogin} returns: three route handlers and the per-request token access. */
export interface PasswordLoginHandlers {
  /**
   * `POST` handler: reads `username` (or `email`), `password` and optional `realm` from a JSON or
   * form body (form bodies need @fastify/formbody), runs the password grant, and answers the
   * `LoginOutcome` as JSON with its status from `LOGIN_OUTCOME_STATUS` (200, 400
   * `invalid_request` for missing fields, 401 `mfa_required`, 401, 403, 429 with `Retry-After`,
   * 503) and the headers of core's `renderLoginResult`: the same bytes as the other adapters.
   */
  readonly login: LoginRouteHandler;
  /** `POST` handler: finishes an MFA sign-in with the `otp` field of the body. */
  readonly verifyOtp: LoginRouteHandler;
  /** `POST` handler: revokes the refresh token, forgets the tokens, renews the session; 204. */
  readonly logout: (request: AnyFastifyRequest, reply: AnyFastifyReply) => Promise<AnyFastifyReply>;
  /** The token manager holding every session's tokens. */
  readonly manager: TokenManager;
  /**
   * A valid access token for the request's session, refreshed first when due.
   *
   * @throws {ReauthenticationRequiredError} not signed in, or the refresh token was refused.
   */
  readonly accessToken: (request: AnyFastifyRequest) => Promise<string>;
  /** A `fetch` bound to the request's session tokens (see core's `createAuthorizedFetch`). */
  readonly apiFetch: (request: AnyFastifyRequest) => AuthorizedFetch;
}

/**
 * The sign-in half of ropkit for Fastify: route handlers for Auth0's Resource Owner Password
 * flow, backed by core's `PasswordLogin` and `TokenManager`. Tokens stay server-side in the
 * manager's store; the session (from @fastify/session, registered with @fastify/cookie) holds
 * only a random key, so no token is ever put in a cookie.
 *
 * Register `fastifyRopkit` with `{ login }` to get `request.accessToken()` and
 * `request.apiFetch()` in every route.
 *
 * @example
 * ```ts
 * const login = passwordLogin({
 *   client: { issuer: 'https://YOUR_DOMAIN/', clientId, clientSecret, audience, scope: 'openid offline_access' },
 * });
 * await app.register(fastifyRopkit, { login });
 * app.post('/login', login.login);
 * app.post('/login/otp', login.verifyOtp);
 * app.post('/logout', login.logout);
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export function passwordLogin(options: PasswordLoginOptions): PasswordLoginHandlers {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('passwordLogin() options must be an object');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'passwordLogin()');
  const { realm, forwardUserIp = false } = options;
  const manager = loginTokenManager(options);
  const flow = new PasswordLogin({
    manager,
    forwardUserIp,
    ...(realm === undefined ? {} : { realm }),
  });

  const tokenOptions = (request: AnyFastifyRequest): GetAccessTokenOptions => {
    const ip = forwardUserIp ? forwardableIp(request.ip) : undefined;
    return ip === undefined ? {} : { forwardedFor: ip };
  };

  /** Signs a key out; a failed revocation is logged (without any token) and passed over. */
  const signOut = async (request: AnyFastifyRequest, key: string): Promise<void> => {
    try {
      await flow.logout(key);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      request.log.warn({ code: error.code }, '@ropkit/fastify: revoking the refresh token failed');
    }
  };

  return {
    manager,

    async login(request, reply) {
      assertSession(request);
      const credentials = readLoginCredentials(request.body);
      if (credentials === undefined) return answer(reply, LOGIN_FIELDS_MISSING);
      const key = newSessionKey();
      const outcome = await flow.login(key, credentials, request.ip);
      if (outcome.status === 'signed_in' || outcome.status === 'mfa_required') {
        const previous = readSessionKey(request);
        await renewSession(request, key);
        if (previous !== undefined) await signOut(request, previous);
      }
      return answer(reply, outcome);
    },

    async verifyOtp(request, reply) {
      assertSession(request);
      // A fresh key has no MFA step open: core then answers its own "sign in again" outcome.
      const key = readSessionKey(request) ?? newSessionKey();
      const outcome = await flow.verifyOtp(key, readOtpField(request.body), request.ip);
      if (outcome.status === 'signed_in') await renewSession(request, key);
      return answer(reply, outcome);
    },

    async logout(request, reply) {
      const key = readSessionKey(request);
      if (key !== undefined) {
        await signOut(request, key);
        await renewSession(request, undefined);
      }
      const signedOut = renderLoginResult({ status: 'signed_out' });
      return reply.code(signedOut.status).headers(signedOut.headers).send();
    },

    async accessToken(request) {
      return manager.getAccessToken(signedInKey(request), tokenOptions(request));
    },

    apiFetch(request) {
      return async (input, init) => {
        const authorized = createAuthorizedFetch({
          manager,
          key: signedInKey(request),
          ...tokenOptions(request),
        });
        return authorized(input, init);
      };
    },
  };
}

/** The key of a signed-in session. */
function signedInKey(request: AnyFastifyRequest): string {
  const key = readSessionKey(request);
  if (key === undefined) throw new ReauthenticationRequiredError('This session is not signed in');
  return key;
}

/**
 * Sets the status and headers of a login or OTP answer from core's rendering and returns the
 * outcome, which Fastify serializes with JSON.stringify: the same bytes as the other adapters.
 */
function answer(reply: AnyFastifyReply, outcome: LoginOutcome): LoginOutcome {
  const rendered = renderLoginResult(outcome);
  reply.code(rendered.status).headers(rendered.headers);
  return outcome;
}
