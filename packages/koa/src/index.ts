/**
 * @ropkit/koa: the Koa adapter of ropkit.
 *
 * - Protecting an API: {@link auth} verifies bearer access tokens (RFC 6750) into
 *   `ctx.state.auth`; {@link requireScopes}, {@link requireAnyScope}, {@link claimCheck},
 *   {@link claimEquals} and {@link claimIncludes} add route rules; {@link authErrorHandler} writes
 *   the RFC 6750 answer every ropkit adapter writes.
 * - Signing users in and calling the API: {@link passwordLogin} (Resource Owner Password flow,
 *   tokens kept server-side), with `ctx.state.accessToken()`, `ctx.state.apiFetch()`,
 *   `ctx.state.identity()` and `ctx.state.userinfo()`.
 *
 * Importing this module is enough to type `ctx.state` (declaration merging below).
 *
 * @packageDocumentation
 */
import type {
  AuthorizedFetch,
  IdTokenClaims,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';

declare module 'koa' {
  interface DefaultState {
    /**
     * The verified access token, set by {@link auth}. `undefined` on a route without `auth()`,
     * and on an `optional` route for a request without credentials.
     */
    auth?: VerifiedAccessToken;
    /**
     * A valid access token of the session's user, refreshed first when due. Set by
     * `passwordLogin().tokens`; rejects with `ReauthenticationRequiredError` when no one is
     * signed in on the session or the refresh token stopped working.
     */
    accessToken: () => Promise<string>;
    /**
     * `fetch` with `Authorization: Bearer <the session's access token>`; refreshes when due, and
     * once more on a 401 `invalid_token` for an idempotent request. Set by
     * `passwordLogin().tokens`; rejects like {@link accessToken}.
     */
    apiFetch: AuthorizedFetch;
    /**
     * Who is signed in on the session: the verified claims of its ID token (standard claims, and
     * the namespaced ones your rules or actions add), after a refresh when one is due; `undefined`
     * when the sign-in asked for no `openid`. Set by `passwordLogin().tokens`; rejects like
     * {@link accessToken}, and with `IdTokenError` when a refresh answered a refused ID token
     * ({@link authErrorHandler}: 502).
     */
    identity: () => Promise<Readonly<IdTokenClaims> | undefined>;
    /**
     * The session user's profile from Auth0's `/userinfo` (OpenID Connect), cached per session;
     * its `sub` is the ID token's. Set by `passwordLogin().tokens`; rejects like
     * {@link accessToken}, and with `UserinfoError` when `/userinfo` failed
     * ({@link authErrorHandler}: 502, or 503).
     */
    userinfo: () => Promise<UserinfoClaims>;
  }
}

export { auth } from './auth.js';
export { authErrorHandler } from './errors.js';
export {
  passwordLogin,
  type LoginResponder,
  type PasswordLoginHandlers,
  type PasswordLoginOptions,
} from './login.js';
export {
  claimCheck,
  claimEquals,
  claimIncludes,
  requireAnyScope,
  requireScopes,
  requireStepUp,
  requirement,
} from './requirements.js';

// The core names a Koa user meets, so one import is enough.
export type { AuthRequirement } from '@ropkit/core/adapter';
export {
  BearerError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  LOGIN_OUTCOME_STATUS,
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  MissingCredentialsError,
  ReauthenticationRequiredError,
  RopkitError,
  TokenError,
  type AccessTokenPayload,
  type AuthOptions,
  type AuthorizedFetch,
  type IdTokenClaims,
  type LoginOptions,
  type LoginOutcome,
  type LoginResult,
  type TokenClientOptions,
  type UserinfoClaims,
  type VerifiedAccessToken,
} from '@ropkit/core';
