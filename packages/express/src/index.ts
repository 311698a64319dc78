/**
 * @ropkit/express: the Express adapter of ropkit.
 *
 * Protect routes with bearer access tokens (`auth()`, `requireScopes()`, `authErrorHandler()`,
 * RFC 6750) and sign users in with the Resource Owner Password flow (`passwordLogin()`), keeping
 * their tokens server-side. Everything that is not Express glue lives in `@ropkit/core`.
 *
 * Importing this module is enough to type `req.auth`, `req.accessToken()`, `req.apiFetch()`,
 * `req.identity()` and `req.userinfo()`.
 *
 * @packageDocumentation
 */
import type {
  AuthorizedFetch,
  IdTokenClaims,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';

declare global {
  // Express's request type is the global `Express.Request` interface (express-serve-static-core),
  // so merging into it types `req` in every handler, with no cast.
  namespace Express {
    interface Request {
      /**
       * The verified access token, set by {@link auth}: `token`, `header`, `payload`, granted
       * `scopes` and `realm`. `undefined` on an `optional` route called without credentials, and
       * on routes without `auth()`.
       */
      auth?: VerifiedAccessToken;
      /**
       * A valid access token of the signed-in session, refreshed first when due. Present after
       * {@link PasswordLoginHandlers.tokens}.
       *
       * @throws {ReauthenticationRequiredError} (401) the session is not signed in, or its refresh
       *   token stopped working; {@link authErrorHandler} answers it 401 `login_required`.
       */
      accessToken: () => Promise<string>;
      /**
       * A `fetch` that calls your API with the session's access token (refreshed when due, and
       * once more after a `401 invalid_token`). Present after {@link PasswordLoginHandlers.tokens}.
       */
      apiFetch: AuthorizedFetch;
      /**
       * Who is signed in on the session: the verified claims of its ID token (standard claims,
       * and the namespaced ones your rules or actions add), after a refresh when one is due;
       * `undefined` when the sign-in asked for no `openid`. Present after
       * {@link PasswordLoginHandlers.tokens}.
       *
       * @throws {ReauthenticationRequiredError} (401) as {@link accessToken}.
       * @throws {IdTokenError} a refresh answered an ID token that was refused
       *   ({@link authErrorHandler}: 502).
       */
      identity: () => Promise<Readonly<IdTokenClaims> | undefined>;
      /**
       * The session user's profile from Auth0's `/userinfo` (OpenID Connect), cached per session;
       * its `sub` is the ID token's. Present after {@link PasswordLoginHandlers.tokens}.
       *
       * @throws {ReauthenticationRequiredError} (401) as {@link accessToken}.
       * @throws {UserinfoError} `/userinfo` failed ({@link authErrorHandler}: 502, or 503).
       */
      userinfo: () => Promise<UserinfoClaims>;
    }
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

// The core names an Express user meets, so one import is enough.
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
