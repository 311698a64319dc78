/**
 * @ropkit/express: the Express adapter of ropkit.
 *
 * Protect routes with bearer access tokens (`auth()`, `requireScopes()`, `authErrorHandler()`,
 * RFC 6750) and sign users in with the Resource Owner Password flow (`passwordLogin()`), keeping
 * their tokens server-side. Everything that is not Express glue lives in `@ropkit/core`.
 *
 * Importing this module is enough to type `req.auth`, `req.accessToken()` and `req.apiFetch()`.
 *
 * @packageDocumentation
 */
import type { AuthorizedFetch, VerifiedAccessToken } from '@ropkit/core';

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
  type LoginOptions,
  type LoginOutcome,
  type LoginResult,
  type TokenClientOptions,
  type VerifiedAccessToken,
} from '@ropkit/core';
