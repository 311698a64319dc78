/**
 * Grant type names as Auth0 spells them, in a client's `grant_types` and in the `grant_type`
 * request parameter.
 */
export const GrantType = {
  password: 'password',
  passwordRealm: 'http://auth0.com/oauth/grant-type/password-realm',
  refreshToken: 'refresh_token',
  mfaOtp: 'http://auth0.com/oauth/grant-type/mfa-otp',
  mfaOob: 'http://auth0.com/oauth/grant-type/mfa-oob',
  mfaRecoveryCode: 'http://auth0.com/oauth/grant-type/mfa-recovery-code',
} as const;

/**
 * Every grant type an Auth0 application can list (Auth0 docs, "Application Grant Types"). A client
 * configuration naming anything else is a typo and is rejected at start.
 */
export const KNOWN_GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'implicit',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba',
  ...Object.values(GrantType),
];

/** Auth0's grant types for a new Regular Web Application: note that `password` is not among them. */
export const DEFAULT_CLIENT_GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
];
