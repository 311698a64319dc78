/**
 * @ropkit/fastify: the Fastify plugin of ropkit.
 *
 * Protect routes with bearer access tokens (RFC 6750) through `auth()` hooks, and sign users in
 * with Auth0's Resource Owner Password flow through `passwordLogin()`. Everything that is not
 * Fastify glue lives in `@ropkit/core`.
 *
 * @packageDocumentation
 */
import type { AuthorizedFetch, VerifiedAccessToken } from '@ropkit/core';
import { fastifyRopkit } from './plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified access token (`{ token, header, payload, scopes, realm }`), set by an
     * `auth()` hook; `undefined` on routes without one and on optional routes called without
     * credentials.
     */
    auth: VerifiedAccessToken | undefined;
    /**
     * A valid access token for this session, refreshed first when due (registered by
     * `passwordLogin().tokens`).
     *
     * @throws {ReauthenticationRequiredError} not signed in, or the refresh token was refused.
     */
    accessToken: () => Promise<string>;
    /**
     * `fetch` with `Authorization: Bearer <this session's access token>`; refreshes and repeats
     * once on `401 invalid_token` (registered by `passwordLogin().tokens`).
     */
    apiFetch: AuthorizedFetch;
  }
}

export { auth, type AuthHook } from './auth.js';
export { authErrorHandler } from './errors.js';
export {
  passwordLogin,
  type LoginResponder,
  type LoginRouteHandler,
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
export type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
export { fastifyRopkit } from './plugin.js';

// The core names a Fastify user meets, so one import is enough.
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

export default fastifyRopkit;
