export { MFA_ACR } from './authentication-claims.js';
export { defineTenant } from './config.js';
export type {
  ApiConfig,
  ApiSigningAlgorithm,
  BruteForceConfig,
  ClientAuthMethod,
  ClientConfig,
  Compatibility,
  ConnectionConfig,
  DpopConfig,
  MfaEnrolment,
  MfaFactor,
  MockServerConfig,
  ProofOfPossessionPolicy,
  RateLimitConfig,
  RefreshTokenSettings,
  RuleConfig,
  SigningAlgorithm,
  SigningKeyConfig,
  TenantConfig,
  TokenProfile,
  UserConfig,
} from './config.js';
export type {
  AuthenticatorEnrolment,
  EnrolledAuthenticator,
  FaultKind,
  FaultSpec,
  MfaMessage,
  MockServerControl,
  RequestLogEntry,
  RotateSigningKeyOptions,
  RotatedSigningKey,
} from './control.js';
export { MockServerControlClient, MockServerControlError } from './control-client.js';
export { GrantType } from './grant-types.js';
export { ID_TOKEN_DEFECTS, type IdTokenDefect } from './id-token-defects.js';
export { runCli, CONFIG_ENV_VAR, type CliIo, type CliOutcome } from './run-cli.js';
export { startMockServer, type MockServer } from './start-mock-server.js';
export { totpCode, totpCodeForSecret } from './totp.js';
export { TUTORIAL, tutorialTenant } from './tutorial-tenant.js';
