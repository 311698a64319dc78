import { RopkitError } from '../ropkit-error.js';

/** Every failure of token acquisition, as one union of string codes. */
export type TokenErrorCode =
  /** The authorization server answered with an OAuth error (RFC 6749 section 5.2). */
  | 'oauth_error'
  /** Auth0 asks for a second factor; the error carries the `mfa_token` for the next step. */
  | 'mfa_required'
  /** The user denied the push notification of an MFA challenge (or enrolment). */
  | 'mfa_denied'
  /**
   * `expired_token`: the `mfa_token` (10 minutes at Auth0) or the `oob_code` of a challenge
   * (5 minutes) is past its lifetime: ask for a new challenge, or sign in again.
   */
  | 'mfa_expired'
  /** A push was still not answered when the caller's time bound passed; nothing was denied. */
  | 'mfa_timeout'
  /** The refresh token is no longer accepted: the user must sign in again. */
  | 'reauthentication_required'
  /**
   * The API answered `insufficient_user_authentication` (RFC 9470): the user must sign in again,
   * with a stronger or more recent authentication (`StepUpRequiredError`).
   */
  | 'step_up_required'
  /**
   * The API still answered `insufficient_user_authentication` right after a step-up sign-in for
   * the same requirement: another sign-in would not do better (`StepUpFailedError`).
   */
  | 'step_up_failed'
  /** The server's answer was not a usable token response (HTML, truncated JSON, no token...). */
  | 'invalid_response'
  /** The request did not complete: network failure, timeout, or a refused redirect. */
  | 'request_failed'
  /**
   * The token response's ID token was refused (OpenID Connect Core 1.0 section 3.1.3.7, section
   * 12.2 for a refresh): nothing of that response was returned or stored.
   */
  | 'invalid_id_token'
  /** `/userinfo` (OpenID Connect Core 1.0 section 5.3) did not answer the user's claims. */
  | 'userinfo_failed';

/**
 * Base class of token acquisition failures. Messages and fields never contain a secret: no
 * password, client secret, Basic header, token or mfa_token, in any encoding.
 */
export abstract class TokenError extends RopkitError {
  abstract override readonly code: TokenErrorCode;
}

/** Options of {@link OAuthError}. */
export interface OAuthErrorInit {
  error: string;
  description: string | undefined;
  status: number;
  /** Seconds to wait, from `Retry-After`, when the server sent one. */
  retryAfter?: number | undefined;
}

/** Characters kept from a server's `error_description`: printable ASCII, as RFC 6749 section 5.2. */
const UNSAFE_DESCRIPTION = /[^\x20-\x21\x23-\x5B\x5D-\x7E]/g;

/** Caps and cleans a server-supplied `error_description` before it reaches a message or a log. */
export function sanitizeServerText(text: string): string {
  return text.slice(0, 300).replace(UNSAFE_DESCRIPTION, '?');
}

/**
 * The authorization server refused the request (RFC 6749 section 5.2), e.g.
 * `403 invalid_grant "Wrong email or password."`.
 */
export class OAuthError extends TokenError {
  readonly code: 'oauth_error' | 'mfa_required' | 'mfa_denied' | 'mfa_expired' = 'oauth_error';
  /** The OAuth `error` code, e.g. `invalid_grant`, `too_many_attempts`. */
  readonly error: string;
  /** The server's `error_description`, cleaned and capped; `undefined` when absent. */
  readonly errorDescription: string | undefined;
  /** HTTP status of the answer. */
  readonly status: number;
  /** Seconds to wait before retrying, from `Retry-After`. */
  readonly retryAfter: number | undefined;

  constructor(init: OAuthErrorInit) {
    const error = sanitizeServerText(init.error);
    const description =
      init.description === undefined ? undefined : sanitizeServerText(init.description);
    super(`${error}${description === undefined ? '' : `: ${description}`} (HTTP ${init.status})`);
    this.error = error;
    this.errorDescription = description;
    this.status = init.status;
    this.retryAfter = init.retryAfter;
  }
}

/**
 * A factor type of Auth0's `mfa_requirements`, in Auth0's names: `otp` (an authenticator app),
 * `push-notification` (Guardian), `phone` (SMS or voice), `email`, `recovery-code`.
 */
export type MfaFactorType = 'otp' | 'push-notification' | 'phone' | 'email' | 'recovery-code';

/** Auth0's `mfa_requirements`, read: what the user can be challenged with, or must enrol. */
export interface MfaRequirements {
  /** The factors the user has and can be challenged with; Auth0's order. */
  readonly challenge: readonly MfaFactorType[];
  /**
   * The factors the user may enrol; not empty when the user has none yet and must enrol one
   * (through `/mfa/associate` with the `mfa_token`) before signing in.
   */
  readonly enroll: readonly MfaFactorType[];
}

/**
 * Auth0's `mfa_required`: the password was right, a second factor is needed. Pass
 * {@link MfaRequiredError.mfaToken} to `mfaOtp`, `mfaChallenge` (then `mfaOob` or
 * `mfaPushPoll`), `mfaRecoveryCode` or `mfaAssociate` to finish signing in. The token is kept
 * out of the message, `JSON.stringify` and `util.inspect`.
 */
export class MfaRequiredError extends OAuthError {
  override readonly code = 'mfa_required' as const;
  readonly #mfaToken: string;
  /** What the server requires, as it sent it (secrets taken out), e.g. `{ challenge: [{ type: 'otp' }] }`. */
  readonly mfaRequirements: unknown;
  /**
   * {@link MfaRequiredError.mfaRequirements} read: the factor types the user can be challenged
   * with and those it may enrol (unknown types left out). `undefined` when the server sent none
   * (Auth0's documentation shows answers without it): then list the user's authenticators
   * (`mfaAuthenticators` with the `mfa_token`), as Auth0's guide does.
   */
  readonly requirements: MfaRequirements | undefined;

  constructor(init: OAuthErrorInit & { mfaToken: string; mfaRequirements: unknown }) {
    super(init);
    this.#mfaToken = init.mfaToken;
    this.mfaRequirements = init.mfaRequirements;
    this.requirements = readMfaRequirements(init.mfaRequirements);
  }

  /** The mfa_token for the next step; lives 10 minutes at Auth0. */
  get mfaToken(): string {
    return this.#mfaToken;
  }
}

const FACTOR_TYPES: ReadonlySet<string> = new Set<MfaFactorType>([
  'otp',
  'push-notification',
  'phone',
  'email',
  'recovery-code',
]);

/** Auth0's `{ challenge?: [{ type }], enroll?: [{ type }] }`, or `undefined` when it is not one. */
function readMfaRequirements(value: unknown): MfaRequirements | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const types = (name: string): MfaFactorType[] => {
    const list: unknown = Reflect.get(value, name);
    if (!Array.isArray(list)) return [];
    const found = list
      .map((entry: unknown) =>
        typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'type') : undefined,
      )
      .filter((type): type is MfaFactorType => typeof type === 'string' && FACTOR_TYPES.has(type));
    return [...new Set(found)];
  };
  const challenge = types('challenge');
  const enroll = types('enroll');
  if (challenge.length === 0 && enroll.length === 0) return undefined;
  return Object.freeze({ challenge: Object.freeze(challenge), enroll: Object.freeze(enroll) });
}

/**
 * The user denied the push notification (Auth0 observed: `400 access_denied "MFA Authorization
 * rejected."`; documented: `invalid_grant`). That `oob_code` is done; the `mfa_token` may still
 * start another challenge.
 */
export class MfaDeniedError extends OAuthError {
  override readonly code = 'mfa_denied' as const;
}

/**
 * `expired_token` (RFC 8628 section 3.5; Auth0's MFA grants and `/mfa/challenge`): the
 * `oob_code` or the `mfa_token` is past its lifetime. A new challenge may still work while the
 * `mfa_token` lives; otherwise the user signs in again.
 */
export class MfaExpiredError extends OAuthError {
  override readonly code = 'mfa_expired' as const;
}

/**
 * `waitForMfaPush` gave up: the push was neither approved nor denied within its `timeoutMs`
 * (or its `signal` aborted). Nothing was denied: a later poll of the same `oob_code` may still
 * succeed while it lives.
 */
export class MfaPushTimeoutError extends TokenError {
  readonly code = 'mfa_timeout' as const;
}

/**
 * The refresh token was refused (`invalid_grant`): the stored tokens were cleared and the user
 * must sign in again. Not retried, and never replaced by a silent password grant.
 */
export class ReauthenticationRequiredError extends TokenError {
  readonly code = 'reauthentication_required' as const;
  /**
   * 401: a route that needs the session's tokens answers "sign in" rather than a 500, also under
   * the frameworks' own error handling (Express's final handler, Koa's, Fastify's read these).
   */
  readonly status = 401;
  /** The same, as http-errors and Fastify name it. */
  readonly statusCode = 401;
  /** Koa shows the (secret-free) message to the client. */
  readonly expose = true;
}

/**
 * The members of an RFC 9457 problem details body (`application/problem+json`), each cleaned
 * and capped as server text is, with any echo of a secret the request held taken out.
 */
export interface ProblemDetails {
  /** The problem type, a URI reference; `undefined` when absent (RFC 9457 section 3.1.1). */
  type: string | undefined;
  /** A short summary of the problem type (section 3.1.3). */
  title: string | undefined;
  /** An explanation of this occurrence (section 3.1.4). */
  detail: string | undefined;
  /**
   * The `status` member, only advisory (section 3.1.2): {@link InvalidTokenResponseError.status}
   * is the status of the HTTP answer, and the one retries are decided on.
   */
  status: number | undefined;
}

/** Options of {@link InvalidTokenResponseError}. */
export interface InvalidTokenResponseErrorOptions extends ErrorOptions {
  /** Seconds to wait, from the answer's `Retry-After` header, when it sent a usable one. */
  retryAfter?: number | undefined;
  /** The RFC 9457 problem details of an `application/problem+json` answer. */
  problem?: ProblemDetails | undefined;
}

/**
 * The answer was not a usable token response: HTML, text, an empty body, truncated JSON, a
 * problem details document, no or a malformed `access_token`, an oversized body...
 */
export class InvalidTokenResponseError extends TokenError {
  readonly code = 'invalid_response' as const;
  /** HTTP status of the answer. */
  readonly status: number;
  /**
   * Seconds to wait before retrying, from the answer's `Retry-After` header (RFC 9110 section
   * 10.2.3), whatever its body was; `undefined` when it sent none or an unreadable one.
   */
  readonly retryAfter: number | undefined;
  /** The problem details, for an `application/problem+json` answer (RFC 9457). */
  readonly problem: ProblemDetails | undefined;

  constructor(message: string, status: number, options?: InvalidTokenResponseErrorOptions) {
    const { retryAfter, problem, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    this.status = status;
    this.retryAfter = retryAfter;
    this.problem = problem;
  }
}

/** The request did not complete: network error, timeout, or a redirect that was not followed. */
export class TokenRequestError extends TokenError {
  readonly code = 'request_failed' as const;
  /** Why, in one word: `timeout`, `network`, `redirect`. */
  readonly reason: 'timeout' | 'network' | 'redirect';
  /** HTTP status, for a refused redirect. */
  readonly status: number | undefined;

  constructor(
    message: string,
    reason: 'timeout' | 'network' | 'redirect',
    options?: ErrorOptions & { status?: number },
  ) {
    super(message, options);
    this.reason = reason;
    this.status = options?.status;
  }
}

/**
 * Which rule of ID token validation refused a token response (OpenID Connect Core 1.0 section
 * 3.1.3.7, and section 12.2 for a refresh). Never a value from the token.
 */
export type IdTokenErrorReason =
  /** `alg` is not in `idToken.algorithms` (`none` never is). */
  | 'algorithm'
  /** The signature does not verify, or no key of the issuer's key set matches its header. */
  | 'signature'
  /** `iss` is missing or is not exactly the configured `issuer`. */
  | 'issuer'
  /** `aud` is missing or does not contain the client id. */
  | 'audience'
  /** Several audiences and no `azp`, or an `azp` that is not the client id. */
  | 'authorized_party'
  /** `exp` is missing, not a number, or past (beyond the clock tolerance). */
  | 'expired'
  /** `iat` is missing or not a number, or `iat` or `nbf` is in the future beyond the tolerance. */
  | 'issued_at'
  /** `sub` is missing or not a non-empty string. */
  | 'subject'
  /** Not a compact JWS, a payload that is not a JSON object, or a claim of the wrong type. */
  | 'malformed'
  /** The issuer's key set (or its discovery document) could not be fetched or used. */
  | 'key_set_unavailable'
  /** A refresh answered an ID token for another `sub` or `iss` than the session's (section 12.2). */
  | 'subject_changed'
  /** A response carried an ID token, but no `issuer` is configured to validate it against. */
  | 'no_issuer';

/**
 * The ID token of a token response was refused: the whole response is discarded, nothing is
 * returned or stored. `reason` names the rule; the message names it too, never any token text, a
 * claim value or a secret.
 *
 * Never retried automatically (the token manager never retries it, whatever the reason): the server has
 * already answered, and sending the grant again cannot make its answer valid. That holds for
 * `key_set_unavailable` too, the one reason that may pass by itself: a refresh sent again would
 * present a refresh token the first answer may have rotated (and a rotated token presented
 * twice makes Auth0 revoke its family), so the manager serves the still-valid tokens instead,
 * and a sign-in is answered 503 for the user to try again later.
 */
export class IdTokenError extends TokenError {
  readonly code = 'invalid_id_token' as const;
  /** Which rule refused it. */
  readonly reason: IdTokenErrorReason;

  constructor(reason: IdTokenErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** Why `/userinfo` gave no claims. */
export type UserinfoErrorReason =
  /**
   * 401: the access token was refused: it lacks the userinfo audience
   * (`https://YOUR_DOMAIN/userinfo`), or expired, or was revoked.
   */
  | 'unauthorized'
  /** 403: the token is valid but may not read the user's claims (`insufficient_scope`). */
  | 'forbidden'
  /** 429: too many requests for this user; see `retryAfter`. */
  | 'rate_limited'
  /** 5xx, a network failure or a timeout. */
  | 'unavailable'
  /** Not a JSON object with a non-empty string `sub`, or another status. */
  | 'invalid_response'
  /** The answer's `sub` is not the ID token's (section 5.3.2: it MUST NOT be used). */
  | 'subject_mismatch';

/**
 * `/userinfo` (OpenID Connect Core 1.0 section 5.3) did not answer the user's claims. Messages
 * name the endpoint and the rule, never the access token or a claim value.
 */
export class UserinfoError extends TokenError {
  readonly code = 'userinfo_failed' as const;
  readonly reason: UserinfoErrorReason;
  /** HTTP status of the answer; `undefined` when there was none. */
  readonly status: number | undefined;
  /** Seconds to wait before retrying, from `Retry-After`. */
  readonly retryAfter: number | undefined;

  constructor(
    reason: UserinfoErrorReason,
    message: string,
    options?: ErrorOptions & { status?: number | undefined; retryAfter?: number | undefined },
  ) {
    const { status, retryAfter, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    this.reason = reason;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/**
 * The seconds an authorization server asked to wait (`Retry-After`) with the answer `error`
 * stands for, or `undefined`.
 */
export function retryAfterOf(error: unknown): number | undefined {
  if (
    error instanceof OAuthError ||
    error instanceof InvalidTokenResponseError ||
    error instanceof UserinfoError
  ) {
    return error.retryAfter;
  }
  return undefined;
}

/**
 * The HTTP status of the failed answer `error` stands for, or `undefined` (no answer, or, for an
 * {@link IdTokenError}, a 200 whose content was refused).
 */
export function statusOf(error: unknown): number | undefined {
  if (
    error instanceof OAuthError ||
    error instanceof InvalidTokenResponseError ||
    error instanceof TokenRequestError ||
    error instanceof UserinfoError
  ) {
    return error.status;
  }
  return undefined;
}

/**
 * True for failures worth retrying: 429, 5xx, network errors and timeouts. Never an
 * {@link IdTokenError} (see there why).
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UserinfoError) {
    return error.reason === 'rate_limited' || error.reason === 'unavailable';
  }
  if (error instanceof OAuthError) return error.status === 429 || error.status >= 500;
  if (error instanceof InvalidTokenResponseError)
    return error.status >= 500 || error.status === 429;
  if (error instanceof TokenRequestError) return error.reason !== 'redirect';
  return false;
}
