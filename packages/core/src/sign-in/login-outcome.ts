import type { SecretText } from '../client/secret-text.js';
import { IdTokenError, MfaExpiredError, OAuthError, TokenError } from '../client/token-errors.js';
import type { LoginEnrolFactor, LoginFactor } from './pending-sign-in.js';

/** The outcomes that carry a fixed, secret-free sentence to show, and nothing else. */
type MessageStatus =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_otp'
  | 'mfa_expired'
  | 'challenge_expired'
  | 'push_denied'
  | 'factor_unavailable'
  | 'blocked'
  | 'too_many_attempts'
  | 'access_denied'
  | 'invalid_id_token'
  | 'unavailable'
  | 'step_up_failed';

/**
 * What a login page needs to show, with no secret the user did not ask to see. `status` says
 * which case it is:
 *
 * - `signed_in`: tokens are stored server-side under the session's key; after a step-up (RFC
 *   9470: `apiFetch` was refused `insufficient_user_authentication`), `returnTo` is the page the
 *   user was on, to send it back to (a path of this site);
 * - `new_recovery_code`: signed in, and Auth0 answered a recovery code (the one just used was
 *   spent, or a first enrolment was confirmed): show `recoveryCode` to the user now, it is never
 *   answered again (`returnTo` as for `signed_in`);
 * - `mfa_required`: ask for a second factor, one of `factors` (the mfa_token stays server-side);
 * - `mfa_enrollment_required`: the user has no second factor yet: set one of `factors` up;
 * - `code_sent`: a code went out by `factor` (SMS, voice, email): ask for it (`/login/oob`);
 * - `push_pending`: a push notification is waiting for the user: poll `/login/push` after
 *   `retryAfter` seconds;
 * - `enrollment_started`: show the QR code `barcodeUri` (`otp`: then ask for the app's first code;
 *   `push`: then poll `/login/push`);
 * - `invalid_request`: the form lacked a field, or asked for a step that was not started; nothing
 *   was sent to the server;
 * - `invalid_credentials`: wrong email or password (Auth0 does not say which);
 * - `invalid_otp`: the one-time, binding or recovery code was wrong or malformed;
 * - `mfa_expired`: the sign-in step expired (or never started): sign in again;
 * - `challenge_expired`: the code or push sent expired: ask for a new one;
 * - `push_denied`: the user denied the push notification;
 * - `factor_unavailable`: that factor is not set up (or cannot be set up) for this user;
 * - `blocked`: an administrator blocked the user;
 * - `too_many_attempts`: brute-force protection blocked this user from this IP;
 * - `rate_limited`: too many requests; try again after `retryAfter` seconds;
 * - `access_denied`: a rule or the API refused the user;
 * - `invalid_id_token`: the authorization server answered an ID token that failed validation
 *   (OpenID Connect Core 1.0 section 3.1.3.7): nothing was stored, the user is not signed in;
 * - `unavailable`: the authorization server failed or did not answer (or its key set, needed to
 *   check the ID token, could not be fetched);
 * - `step_up_failed`: signed in again for a step-up, but the ID token shows the requirement was
 *   not met (another `acr`, an `auth_time` older than `max_age`): the user is signed in, and
 *   going back would only be refused again.
 */
export type LoginOutcome =
  | { status: 'signed_in'; returnTo?: string }
  | { status: 'new_recovery_code'; message: string; recoveryCode: SecretText; returnTo?: string }
  | { status: 'mfa_required'; factors: readonly LoginFactor[] }
  | { status: 'mfa_enrollment_required'; message: string; factors: readonly LoginEnrolFactor[] }
  | { status: 'code_sent'; message: string; factor: 'sms' | 'voice' | 'email' }
  | { status: 'push_pending'; message: string; retryAfter: number }
  | {
      status: 'enrollment_started';
      message: string;
      factor: 'otp';
      barcodeUri: SecretText;
      secret: SecretText;
    }
  | {
      status: 'enrollment_started';
      message: string;
      factor: 'push';
      barcodeUri: SecretText;
      retryAfter: number;
    }
  | { status: MessageStatus; message: string }
  | { status: 'rate_limited'; message: string; retryAfter: number | undefined };

/** What a login route ended in: a {@link LoginOutcome}, or signed out. */
export type LoginResult = LoginOutcome | { status: 'signed_out' };

/** The HTTP status each login result is answered with. */
export const LOGIN_OUTCOME_STATUS: Readonly<Record<LoginResult['status'], number>> = {
  signed_in: 200,
  new_recovery_code: 200,
  code_sent: 200,
  enrollment_started: 200,
  // RFC 9110 section 15.3.3: accepted, not complete; poll again after Retry-After.
  push_pending: 202,
  invalid_request: 400,
  factor_unavailable: 400,
  mfa_required: 401,
  mfa_enrollment_required: 401,
  invalid_credentials: 401,
  invalid_otp: 401,
  mfa_expired: 401,
  challenge_expired: 401,
  blocked: 403,
  push_denied: 403,
  too_many_attempts: 429,
  rate_limited: 429,
  access_denied: 403,
  // RFC 9110 section 15.6.3: an invalid response from the server this one called.
  invalid_id_token: 502,
  unavailable: 503,
  // Signed in, but refused what the step-up was for (RFC 9110 section 15.5.4).
  step_up_failed: 403,
  signed_out: 204,
};

function message(status: MessageStatus, text: string): LoginOutcome {
  return Object.freeze({ status, message: text });
}

/**
 * The answer when a login body has no username or password. Nothing is sent to the
 * authorization server: an empty form must not count as a failed login in its brute-force
 * protection.
 */
export const LOGIN_FIELDS_MISSING = message('invalid_request', 'Enter your email and password');

/** A second-factor route called for a session with no step open (or one that expired). */
export const MFA_STEP_EXPIRED = message('mfa_expired', 'The sign-in step expired: sign in again');

/** The answer to an OTP that is not 6 to 8 digits; nothing is sent to the server. */
export const OTP_MALFORMED = message('invalid_otp', 'Enter the code from your authenticator app');

/** A binding code that is not 4 to 10 digits; nothing is sent. */
export const BINDING_CODE_MALFORMED = message('invalid_otp', 'Enter the code we sent you');

/** A recovery code that is not 4 to 64 letters, digits or dashes; nothing is sent. */
export const RECOVERY_CODE_MALFORMED = message('invalid_otp', 'Enter your recovery code');

/** `/login/challenge` without a factor it can send (sms, voice, email, push); nothing is sent. */
export const CHALLENGE_MALFORMED = message(
  'invalid_request',
  'Choose how to receive the code: sms, voice, email or push',
);

/** `/login/enroll` without a factor it can set up; nothing is sent. */
export const ENROLMENT_MALFORMED = message(
  'invalid_request',
  'Choose what to set up: otp, sms, voice, email or push',
);

/** `/login/enroll` for sms or voice without an E.164 phone number; nothing is sent. */
export const PHONE_NUMBER_MALFORMED = message(
  'invalid_request',
  'Enter your phone number with its country code, such as +15555550100',
);

/** `/login/enroll` for email with an `email` that is not an address; nothing is sent. */
export const EMAIL_MALFORMED = message('invalid_request', 'Enter an email address');

/** `/login/oob` while no code was sent; nothing is sent. */
export const NO_CODE_SENT = message('invalid_request', 'Ask for a code first');

/** `/login/push` while no push is waiting; nothing is sent. */
export const NO_PUSH_SENT = message('invalid_request', 'Ask for a push notification first');

/** A factor the user has not set up, or cannot set up; nothing is sent when that is known. */
export const FACTOR_UNAVAILABLE = message(
  'factor_unavailable',
  'This sign-in method is not set up for your account',
);

/** A challenge, recovery code or OTP while the user must first set a factor up. */
export const ENROLMENT_FIRST = message(
  'factor_unavailable',
  'Set up a second factor first to finish signing in',
);

/** `/login/enroll` while the user already has a factor (Auth0: "User is already enrolled"). */
export const ALREADY_ENROLLED = message(
  'factor_unavailable',
  'You already have a second factor: use it to sign in',
);

/** The `oob_code` of the code or push expired (or was refused): a new one can be sent. */
export const CHALLENGE_EXPIRED = message(
  'challenge_expired',
  'The code or notification expired: ask for a new one',
);

/** The user denied the push notification. */
export const PUSH_DENIED = message('push_denied', 'The sign-in was denied on your device');

/** What each kind of code sent says. */
export function codeSent(factor: 'sms' | 'voice' | 'email'): LoginOutcome {
  const how = {
    sms: 'We sent a code by text message',
    voice: 'We are calling you with a code',
    email: 'We sent a code by email',
  }[factor];
  return Object.freeze({ status: 'code_sent', message: `${how}: enter it`, factor });
}

/** A push waiting for the user; the page polls again after `retryAfter` seconds. */
export function pushPending(retryAfter: number): LoginOutcome {
  return Object.freeze({
    status: 'push_pending',
    message: 'Approve the sign-in on your device',
    retryAfter,
  });
}

/** A grant answered an ID token that was refused; nothing was stored. */
export const ID_TOKEN_REFUSED = message(
  'invalid_id_token',
  'The sign-in service answered an identity that could not be verified: try again later',
);

/** A step-up sign-in whose ID token shows the requirement was missed; the user is signed in. */
export const STEP_UP_UNSATISFIED = message(
  'step_up_failed',
  'You are signed in, but not in the way this action requires',
);

/** The sign-in service failed or did not answer. */
const UNAVAILABLE = message('unavailable', 'The sign-in service is unavailable: try again later');

/**
 * Maps a failed grant to what the form shows; messages are fixed sentences. Errors that are not
 * token errors (bugs) are thrown again. A refused ID token is `invalid_id_token` (502), never a
 * 500 and never its text; `unavailable` (503) when the issuer's key set could not be fetched.
 */
export function outcomeOf(
  error: unknown,
  wrongSecret: 'invalid_credentials' | 'invalid_otp',
): LoginOutcome {
  if (error instanceof MfaExpiredError) return MFA_STEP_EXPIRED;
  if (error instanceof IdTokenError) {
    return error.reason === 'key_set_unavailable' ? UNAVAILABLE : ID_TOKEN_REFUSED;
  }
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
  if (error instanceof TokenError) return UNAVAILABLE;
  throw error;
}
