/**
 * @ropkit/fastify: the Fastify plugin of ropkit.
 *
 * Protect routes with bearer access tokens (RFC 6750) through `auth()` hooks, and sign users in
 * with Auth0's Resource Owner Password flow through `passwordLogin()`. Everything that is not
 * Fastify glue lives in `@ropkit/core`.
 *
 * @packageDocumentation
 */
import type {
  AuthorizedFetch,
  IdTokenClaims,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';

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
    /**
     * Who is signed in on this session: the verified claims of its ID token (standard claims, and
     * the namespaced ones your rules or actions add), after a refresh when one is due; `undefined`
     * when the sign-in asked for no `openid` (registered by `passwordLogin().tokens`).
     *
     * @throws {ReauthenticationRequiredError} not signed in, or the refresh token was refused.
     * @throws {IdTokenError} a refresh answered a refused ID token (`authErrorHandler()`: 502).
     */
    identity: () => Promise<Readonly<IdTokenClaims> | undefined>;
    /**
     * This session user's profile from Auth0's `/userinfo` (OpenID Connect), cached per session;
     * its `sub` is the ID token's (registered by `passwordLogin().tokens`).
     *
     * @throws {ReauthenticationRequiredError} not signed in, or the refresh token was refused.
     * @throws {UserinfoError} `/userinfo` failed (`authErrorHandler()`: 502, or 503).
     */
    userinfo: () => Promise<UserinfoClaims>;
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
  requireStepUp,
  requirement,
} from './requirements.js';
export type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
export { fastifyRopkit, fastifyRopkit as default } from './plugin.js';

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
  type LoginOptions,
  type LoginOutcome,
  type LoginResult,
  type TokenClientOptions,
} from '@ropkit/core';
// The types of the request members above, imported once for both.
export type { AuthorizedFetch, IdTokenClaims, UserinfoClaims, VerifiedAccessToken };
