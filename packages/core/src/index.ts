/**
 * @ropkit/core: the framework-neutral half of ropkit.
 *
 * Validation of bearer access tokens (RFC 6750, RFC 9068, Auth0 access tokens) with jose.
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
