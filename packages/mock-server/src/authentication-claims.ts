/**
 * The `acr` of a multi-factor authentication, the OpenID Provider Authentication Policy Extension's
 * "Multi-Factor" policy: the value Auth0 puts in `acr` after MFA and the one its step-up Action
 * looks for in `acr_values` ("Configure Step-up Authentication for Web Apps"), and the value RFC
 * 9470's examples use.
 */
export const MFA_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/**
 * How and when the user authenticated, for the tokens of a grant: the password check, or the MFA
 * step that completed it. Stored with a refresh token, since a refresh is no authentication: its
 * tokens keep the original values (OpenID Connect Core section 12.2 keeps `auth_time` for a
 * refreshed ID token "the time of the original authentication").
 */
export interface Authentication {
  /** When, in epoch seconds of the mock's clock. */
  readonly authTime: number;
  /** Whether a second factor was passed (an MFA grant completed the authentication). */
  readonly multiFactor: boolean;
}

/** The claims {@link Authentication} gives an access or ID token. */
export interface AuthenticationClaims {
  auth_time: number;
  acr?: string;
  amr?: string[];
}

/**
 * `auth_time` on every token (OpenID Connect Core section 2; RFC 9068 section 2.2.1 for access
 * tokens), and after MFA `acr` and `amr`. Auth0 ("Configure Step-up Authentication for Web Apps"):
 * `amr` "must contain the value mfa" after MFA, and "if you log in with username/password the claim
 * will not be included"; `mfa` is RFC 8176 section 2's value for "Multiple-factor authentication".
 */
export function authenticationClaims(authentication: Authentication): AuthenticationClaims {
  return authentication.multiFactor
    ? { auth_time: authentication.authTime, acr: MFA_ACR, amr: ['mfa'] }
    : { auth_time: authentication.authTime };
}
