/**
 * @ropkit/core: the framework-neutral half of ropkit, for applications.
 *
 * - Protecting an API: {@link createAccessTokenVerifier} validates bearer access tokens (RFC 6750,
 *   RFC 9068, Auth0 access tokens); failures are {@link BearerError}s ready to answer.
 * - Signing users in and calling an API: {@link TokenClient} runs the Resource Owner Password
 *   flow's grants over undici, {@link TokenManager} keeps the tokens fresh per session, and
 *   {@link createAuthorizedFetch} calls your API with them.
 *
 * Framework adapters (and their authors) also use `@ropkit/core/adapter`.
 *
 * @packageDocumentation
 */
export { RopkitError, type RopkitErrorCode } from './ropkit-error.js';

// Protecting an API.
export {
  BearerError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  MissingCredentialsError,
  TemporarilyUnavailableError,
  UseDpopNonceError,
  type BearerErrorBody,
  type BearerErrorCode,
} from './errors.js';
export type {
  DpopMode,
  DpopNonceOptions,
  DpopOptions,
  ResolvedDpopOptions,
} from './validation/dpop-options.js';
export { MemoryDpopReplayStore, type DpopReplayStore } from './dpop/dpop-replay-store.js';
export { accessTokenHash, jwkThumbprint } from './dpop/jwk-thumbprint.js';
export {
  DpopProofSigner,
  DPOP_SIGNING_ALGORITHMS,
  type DpopKeyOptions,
  type DpopProofInput,
  type DpopSigningAlgorithm,
} from './dpop/dpop-proof-signer.js';
export { DpopHandle, type DpopResponseHeaders } from './dpop/dpop-handle.js';
export { DpopNonceMemory } from './dpop/dpop-nonce-memory.js';
export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from './validation/algorithms.js';
export {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from './validation/access-token-verifier.js';
export type { BearerRequest, TokenLocation, TokenScheme } from './validation/bearer-token.js';
export {
  checkScopes,
  parseScopeClaim,
  type ScopeMatch,
  type ScopeSource,
} from './validation/scopes.js';
export type { TokenProfile } from './validation/token-profile.js';
export type { RemoteKeySetLimits } from './validation/remote-key-set.js';
export { KEY_SET_CHANNELS, type KeySetEvents } from './validation/key-set-events.js';
export type {
  AccessTokenPayload,
  VerifiedAccessToken,
} from './validation/verified-access-token.js';
export type { PublicKeyOption } from './validation/static-key-set.js';
export {
  HMAC_ALGORITHMS,
  type HmacAlgorithm,
  type VerifierAlgorithm,
} from './validation/algorithms.js';
export type {
  AccessTokenVerifierOptions,
  ClaimCheck,
  IssuerEntry,
  ResolvedIssuer,
  ResolvedVerifierOptions,
} from './validation/verifier-options.js';
export type { AuthOptions } from './http-api/protect.js';

// Signing users in and calling an API (the Resource Owner Password flow).
export {
  createAuthorizedFetch,
  bearerChallengeError,
  type AuthorizedFetch,
  type AuthorizedFetchOptions,
} from './client/authorized-fetch.js';
export {
  bearerTokenInterceptor,
  type BearerTokenInterceptorOptions,
} from './client/bearer-interceptor.js';
export type { ClientAuthenticationMethod } from './client/client-authentication.js';
export type { RetryPolicy } from './client/retry-policy.js';
export {
  readStepUpChallenge,
  StepUpFailedError,
  StepUpRequiredError,
  type StepUpChallenge,
} from './client/step-up-challenge.js';
export {
  TokenClient,
  type ForwardedFor,
  type MfaGrantParameters,
  type PasswordGrantParameters,
  type RefreshParameters,
  type WaitForMfaPushOptions,
} from './client/token-client.js';
export type {
  MfaAuthenticator,
  MfaAuthenticatorToEnrol,
  MfaChallenge,
  MfaEnrolment,
  MfaPushPoll,
  OobChannel,
  RecoveryCodeSignIn,
} from './client/mfa-api.js';
export { SecretText } from './client/secret-text.js';
export type { TokenClientOptions } from './client/token-client-options.js';
export type { IdTokenAlgorithm, IdTokenOptions } from './client/id-token-options.js';
export type { IdTokenClaims, StandardClaims, UserinfoClaims } from './client/oidc-claims.js';
export type { UserinfoCacheOptions } from './client/userinfo-cache.js';
export {
  IdTokenError,
  InvalidTokenResponseError,
  MfaDeniedError,
  MfaExpiredError,
  MfaPushTimeoutError,
  MfaRequiredError,
  OAuthError,
  ReauthenticationRequiredError,
  TokenError,
  TokenRequestError,
  UserinfoError,
  type IdTokenErrorReason,
  type MfaFactorType,
  type MfaRequirements,
  type TokenErrorCode,
  type UserinfoErrorReason,
} from './client/token-errors.js';
export { TOKEN_CHANNELS, type TokenEvents, type TokenLogger } from './client/token-events.js';
export {
  TokenManager,
  type GetAccessTokenOptions,
  type RefreshOptions,
  type TokenManagerOptions,
} from './client/token-manager.js';
export type { TokenSet } from './client/token-set.js';
export {
  MemoryTokenStore,
  type ManagedTokenSet,
  type RefreshLock,
  type TokenStore,
} from './client/token-store.js';

// What the adapters' login routes take and answer (the engine is on `@ropkit/core/adapter`).
export { LOGIN_CHANNELS, type LoginEvents } from './sign-in/login-events.js';
export type { LoginOptions, LoginSettings } from './sign-in/login-options.js';
export {
  LOGIN_OUTCOME_STATUS,
  type LoginOutcome,
  type LoginResult,
} from './sign-in/login-outcome.js';
export {
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  type LoginRouteName,
} from './sign-in/login-route-names.js';
export type { LoginManagerOptions } from './sign-in/login-token-manager.js';
export {
  isPendingSignIn,
  normalizePendingSignIn,
  type LoginEnrolFactor,
  type LoginFactor,
  type OobFactor,
  type PendingEnrolment,
  type PendingOob,
  type PendingSignIn,
  type PendingSignInStore,
  type PendingStepUp,
} from './sign-in/pending-sign-in.js';
