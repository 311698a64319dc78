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
     * A valid access token for this session, refreshed first when due (needs the plugin's
     * `login` option).
     *
     * @throws {ReauthenticationRequiredError} not signed in, or the refresh token was refused.
     */
    accessToken: () => Promise<string>;
    /**
     * `fetch` with `Authorization: Bearer <this session's access token>`; refreshes and repeats
     * once on `401 invalid_token` (needs the plugin's `login` option).
     */
    apiFetch: AuthorizedFetch;
  }
}

export { auth, type AuthHook, type AuthOptions } from './auth.js';
export type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
export { sendBearerError } from './errors.js';
export {
  passwordLogin,
  type PasswordLoginOptions,
  type LoginRouteHandler,
  type PasswordLoginHandlers,
} from './login.js';
export { fastifyRopkit, type FastifyRopkitOptions } from './plugin.js';
export {
  claimEquals,
  claimIncludes,
  requireAnyScope,
  claimCheck,
  requireScopes,
  requirement,
} from './requirements.js';
export { SESSION_KEY_FIELD } from './session-key.js';

// What route code and error handlers use, so one import is enough.
export {
  BearerError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  LOGIN_OUTCOME_STATUS,
  MissingCredentialsError,
  ReauthenticationRequiredError,
  TokenClient,
  renderLoginResult,
  type AccessTokenPayload,
  type AuthorizedFetch,
  type LoginOutcome,
  type LoginResult,
  type TokenClientOptions,
  type VerifiedAccessToken,
} from '@ropkit/core';

export default fastifyRopkit;
