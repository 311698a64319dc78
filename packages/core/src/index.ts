/**
 * @ropkit/core: the framework-neutral half of ropkit.
 *
 * Validation of bearer access tokens (RFC 6750, RFC 9068, Auth0 access tokens) with jose, and
 * token acquisition and refresh for the Resource Owner Password flow over undici.
 *
 * @packageDocumentation
 */
export {
  BearerError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  MissingCredentialsError,
  type BearerErrorBody,
  type BearerErrorCode,
  type BearerErrorOptions,
} from './errors.js';
export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from './validation/algorithms.js';
export {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from './validation/access-token-verifier.js';
export {
  extractBearerToken,
  isB64Token,
  type BearerRequest,
  type ExtractOptions,
  type TokenLocation,
} from './validation/bearer-token.js';
export { bearerChallenge } from './validation/challenge.js';
export {
  assertRequiredScopes,
  checkScopes,
  grantedScopes,
  isScopeToken,
  parseScopeClaim,
  type ScopeMatch,
  type ScopeSource,
} from './validation/scopes.js';
export type { TokenProfile } from './validation/token-profile.js';
export type { RemoteKeySetLimits } from './validation/remote-key-set.js';
export type {
  AccessTokenPayload,
  VerifiedAccessToken,
} from './validation/verified-access-token.js';
export {
  DEFAULT_KEY_SET_LIMITS,
  type AccessTokenVerifierOptions,
  type ClaimCheck,
  type ResolvedVerifierOptions,
} from './validation/verifier-options.js';
export { isLoopbackHost } from './http/url-policy.js';

// Token acquisition and lifecycle (the Resource Owner Password flow).
export {
  createAuthorizedFetch,
  bearerChallengeError,
  type AuthorizedFetch,
  type AuthorizedFetchOptions,
} from './client/authorized-fetch.js';
export type { ClientAuthenticationMethod } from './client/client-authentication.js';
export { GRANT_TYPES } from './client/grant-types.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './client/retry-policy.js';
export {
  TokenClient,
  type ForwardedFor,
  type MfaChallenge,
  type PasswordGrantParameters,
  type RefreshParameters,
} from './client/token-client.js';
export type { TokenClientOptions } from './client/token-client-options.js';
export {
  InvalidTokenResponseError,
  MfaRequiredError,
  OAuthError,
  ReauthenticationRequiredError,
  TokenError,
  TokenRequestError,
  type OAuthErrorInit,
  type TokenErrorCode,
} from './client/token-errors.js';
export { TOKEN_CHANNELS, type TokenEvents, type TokenLogger } from './client/token-events.js';
export {
  TokenManager,
  type GetAccessTokenOptions,
  type TokenManagerOptions,
} from './client/token-manager.js';
export type { TokenSet } from './client/token-set.js';
export {
  MemoryTokenStore,
  type ManagedTokenSet,
  type RefreshLock,
  type TokenStore,
} from './client/token-store.js';
export {
  bearerTokenInterceptor,
  type BearerTokenInterceptorOptions,
} from './client/bearer-interceptor.js';

// Framework glue shared by the adapters.
export { authenticateRequest } from './http-api/authenticate-request.js';
export {
  renderBearerError,
  type ErrorResponse,
  type HttpAnswer,
} from './http-api/error-response.js';
export { renderLoginResult, type LoginResult } from './http-api/login-answer.js';
export { loginTokenManager, type LoginManagerOptions } from './http-api/login-token-manager.js';
export { rejectUnknownOptions } from './option-checks.js';
export {
  LOGIN_FIELDS_MISSING,
  LOGIN_OUTCOME_STATUS,
  PasswordLogin,
  newSessionKey,
  readLoginCredentials,
  readOtpField,
  type LoginCredentials,
  type LoginOutcome,
  type PasswordLoginOptions,
} from './http-api/password-login.js';
export {
  claimEquals,
  claimIncludes,
  claimRequirement,
  scopeRequirement,
  type AuthRequirement,
} from './http-api/requirements.js';
export type { StartTestApp, TestApp, TestAppOptions } from './http-api/test-app.js';
export { anonymousRealmOf, markAnonymous } from './http-api/anonymous-realm.js';
export { forwardableIp } from './http-api/forwardable-ip.js';
