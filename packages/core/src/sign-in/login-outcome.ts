import { OAuthError, TokenError } from '../client/token-errors.js';

/**
 * What a login form needs to show, with no secret in it. `status` says which case it is:
 * - `signed_in`: tokens are stored server-side under the session's key;
 * - `invalid_request`: the form had no username or password; nothing was sent to the server;
 * - `mfa_required`: ask for a one-time password (the mfa_token is kept server-side);
 * - `invalid_credentials`: wrong email or password (Auth0 does not say which);
 * - `invalid_otp`: the one-time password was wrong or the MFA step expired;
 * - `blocked`: an administrator blocked the user;
 * - `too_many_attempts`: brute-force protection blocked this user from this IP;
 * - `rate_limited`: too many requests; try again after `retryAfter` seconds;
 * - `access_denied`: a rule or the API refused the user;
 * - `unavailable`: the authorization server failed or did not answer.
 */
export type LoginOutcome =
  | { status: 'signed_in' }
  | { status: 'mfa_required' }
  | {
      status:
        | 'invalid_request'
        | 'invalid_credentials'
        | 'invalid_otp'
        | 'blocked'
        | 'too_many_attempts'
        | 'access_denied'
        | 'unavailable';
      message: string;
    }
  | { status: 'rate_limited'; message: string; retryAfter: number | undefined };

/** What a login, OTP or logout request ended in: a {@link LoginOutcome}, or signed out. */
export type LoginResult = LoginOutcome | { status: 'signed_out' };

/** The HTTP status each login result is answered with. */
export const LOGIN_OUTCOME_STATUS: Readonly<Record<LoginResult['status'], number>> = {
  signed_in: 200,
  invalid_request: 400,
  mfa_required: 401,
  invalid_credentials: 401,
  invalid_otp: 401,
  blocked: 403,
  too_many_attempts: 429,
  rate_limited: 429,
  access_denied: 403,
  unavailable: 503,
  signed_out: 204,
};

/**
 * The answer when a login body has no username or password. Nothing is sent to the
 * authorization server: an empty form must not count as a failed login in its brute-force
 * protection.
 */
export const LOGIN_FIELDS_MISSING: LoginOutcome = Object.freeze({
  status: 'invalid_request',
  message: 'Enter your email and password',
});

/** The answer when an OTP arrives for a session with no MFA step open (or one that expired). */
export const MFA_STEP_EXPIRED: LoginOutcome = Object.freeze({
  status: 'invalid_otp',
  message: 'The sign-in step expired: sign in again',
});

/** The answer to an OTP that is not 6 to 8 digits; nothing is sent to the server. */
export const OTP_MALFORMED: LoginOutcome = Object.freeze({
  status: 'invalid_otp',
  message: 'Enter the code from your authenticator app',
});

/**
 * Maps a failed grant to what the form shows; messages are fixed sentences. Errors that are not
 * token errors (bugs) are thrown again.
 */
export function outcomeOf(
  error: unknown,
  wrongSecret: 'invalid_credentials' | 'invalid_otp',
): LoginOutcome {
  if (error instanceof OAuthError) {
    switch (error.error) {
      case 'invalid_grant':
        return wrongSecret === 'invalid_otp'
          ? { status: 'invalid_otp', message: 'The code is not valid' }
          : { status: 'invalid_credentials', message: 'Wrong email or password' };
      case 'unauthorized':
        return { status: 'blocked', message: 'This account is blocked' };
      case 'too_many_attempts':
        return {
          status: 'too_many_attempts',
          message: 'This account is blocked after too many attempts',
        };
      case 'too_many_requests':
        return {
          status: 'rate_limited',
          message: 'Too many requests: try again later',
          retryAfter: error.retryAfter,
        };
      case 'access_denied':
        return { status: 'access_denied', message: 'Access denied' };
      default:
        break;
    }
  }
  if (error instanceof TokenError) {
    return {
      status: 'unavailable',
      message: 'The sign-in service is unavailable: try again later',
    };
  }
  throw error;
}
