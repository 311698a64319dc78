/** Grant type values the token client sends. Auth0's extension grants are absolute URIs. */
export const GRANT_TYPES = {
  /** RFC 6749 section 4.3.2. */
  password: 'password',
  /** Auth0's password grant naming the user directory (connection) in `realm`. */
  passwordRealm: 'http://auth0.com/oauth/grant-type/password-realm',
  /** RFC 6749 section 6. */
  refreshToken: 'refresh_token',
  /** Auth0: finish an MFA sign-in with a one-time password. */
  mfaOtp: 'http://auth0.com/oauth/grant-type/mfa-otp',
  /** Auth0: finish an MFA sign-in with an out-of-band code (SMS, voice, email) or a push. */
  mfaOob: 'http://auth0.com/oauth/grant-type/mfa-oob',
  /** Auth0: finish an MFA sign-in with a recovery code. */
  mfaRecoveryCode: 'http://auth0.com/oauth/grant-type/mfa-recovery-code',
} as const;
