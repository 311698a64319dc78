import { isRecord } from '../http/is-record.js';
import { isProblemJson } from '../http/media-type.js';
import { isB64Token } from '../validation/bearer-token.js';
import { parseScopeClaim } from '../validation/scopes.js';
import type { EndpointResponse } from './token-endpoint-request.js';
import {
  InvalidTokenResponseError,
  MfaExpiredError,
  MfaRequiredError,
  OAuthError,
  sanitizeServerText,
  type ProblemDetails,
} from './token-errors.js';
import type { TokenSet } from './token-set.js';

/** Bounds applied to `expires_in`. */
export interface LifetimePolicy {
  /** Used when `expires_in` is missing, zero, negative or not a number, in seconds. */
  defaultExpiresIn: number;
  /** Upper bound for `expires_in` (huge values, `1e400`), in seconds. */
  maxExpiresIn: number;
}

/**
 * Checks a token endpoint answer and turns it into a {@link TokenSet}, or throws the typed error
 * the answer stands for. Nothing in it is trusted before it is checked.
 *
 * @throws {MfaRequiredError} Auth0's `mfa_required`, with the `mfa_token`.
 * @throws {OAuthError} any other OAuth error answer (RFC 6749 section 5.2).
 * @throws {InvalidTokenResponseError} anything that is neither.
 */
export function processTokenResponse(
  response: EndpointResponse,
  policy: LifetimePolicy,
  acceptDpop = false,
): TokenSet {
  const { status, body } = response;
  if (status !== 200) throw errorFromResponse(response);
  if (!isRecord(body)) {
    throw new InvalidTokenResponseError('The token response is not a JSON object', status);
  }
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || !isB64Token(accessToken)) {
    throw new InvalidTokenResponseError('The token response has no valid access_token', status);
  }
  const tokenType = tokenTypeOf(body['token_type'], acceptDpop, status);
  const refreshToken = optionalString(body, 'refresh_token', status);
  const idToken = optionalString(body, 'id_token', status);
  const scope = optionalString(body, 'scope', status);
  const expiresIn = saneExpiresIn(body['expires_in'], policy);
  const clockOffsetMs = dateOffset(response.headers['date'], response.receivedAt);
  return {
    accessToken,
    tokenType,
    expiresIn,
    expiresAt: response.receivedAt + expiresIn * 1000,
    receivedAt: response.receivedAt,
    refreshToken,
    idToken,
    scope: scope === undefined ? undefined : parseScopeClaim(scope),
    clockOffsetMs,
  };
}

/**
 * The `token_type` of a token response, case-insensitive (RFC 6749 section 5.1 and 7.1, RFC 9449
 * section 5): `Bearer`, or `DPoP` for a client that sent a proof (`acceptDpop`). A DPoP-bound token
 * is refused without a key: it could not be used (RFC 9449 section 7.1 needs a proof with it).
 *
 * @throws {InvalidTokenResponseError} any other type.
 */
function tokenTypeOf(value: unknown, acceptDpop: boolean, status: number): 'Bearer' | 'DPoP' {
  const type = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (type === 'bearer') return 'Bearer';
  if (type === 'dpop') {
    if (acceptDpop) return 'DPoP';
    throw new InvalidTokenResponseError(
      'The token response token_type is DPoP, but this client has no DPoP key to prove possession with: give the token client the "dpop" option',
      status,
    );
  }
  throw new InvalidTokenResponseError(
    `The token response token_type is not ${acceptDpop ? 'Bearer or DPoP' : 'Bearer'}`,
    status,
  );
}

/**
 * `expires_in` (RFC 6749 section 5.1) as a number of seconds we can schedule with: a positive
 * finite number, floored to whole seconds (or a string of digits, which some servers send),
 * capped at `maxExpiresIn`; anything else (missing, 0, 0.5, negative, NaN, Infinity) takes
 * `defaultExpiresIn`, so neither a refresh loop nor a token cached forever can follow.
 */
export function saneExpiresIn(value: unknown, policy: LifetimePolicy): number {
  let seconds: number | undefined;
  // RFC 6749 appendix A.14: expires-in = 1*DIGIT, whole seconds. A fraction (3599.9) is cut off,
  // never rounded up: the token must not be thought valid after the server says it expires.
  if (typeof value === 'number') seconds = Math.floor(value);
  else if (typeof value === 'string' && /^\d{1,12}$/.test(value)) seconds = Number(value);
  if (seconds === Infinity) return policy.maxExpiresIn;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    return policy.defaultExpiresIn;
  }
  return Math.min(seconds, policy.maxExpiresIn);
}

/**
 * The error an answer that is not a success stands for:
 *
 * - a JSON body with an OAuth `error` (RFC 6749 section 5.2), whatever its JSON media type,
 *   `application/problem+json` included: {@link OAuthError} ({@link MfaRequiredError} for
 *   `mfa_required` with an `mfa_token`, {@link MfaExpiredError} for `expired_token`);
 * - an RFC 9457 problem details body without one: {@link InvalidTokenResponseError} whose message
 *   and `problem` carry its `title`, `detail`, `type` and advisory `status`;
 * - anything else: {@link InvalidTokenResponseError} with the status only.
 *
 * Every one carries the answer's `Retry-After`. Server text is cleaned and capped, and any echo
 * of a secret the request held is taken out first.
 */
export function errorFromResponse(response: EndpointResponse): Error {
  const { status, body, retryAfter, redact } = response;
  if (isRecord(body) && typeof body['error'] === 'string') {
    const description =
      typeof body['error_description'] === 'string' ? redact(body['error_description']) : undefined;
    const code = body['error'];
    const error = KNOWN_ERROR_CODES.has(code) ? code : redact(code);
    const init = { error, description, status, retryAfter };
    const mfaToken = body['mfa_token'];
    if (body['error'] === 'mfa_required' && typeof mfaToken === 'string') {
      return new MfaRequiredError({
        ...init,
        mfaToken,
        mfaRequirements: redactDeep(body['mfa_requirements'], redact),
      });
    }
    // RFC 8628 section 3.5, and Auth0 for an mfa_token or oob_code past its lifetime.
    if (code === 'expired_token') return new MfaExpiredError(init);
    return new OAuthError(init);
  }
  if (isRecord(body) && isProblemJson(response.mediaType)) {
    const problem = problemDetails(body, redact);
    const summary = [problem.title, problem.detail].filter((text) => text !== undefined);
    return new InvalidTokenResponseError(
      `The authorization server answered HTTP ${status} with a problem (RFC 9457)${summary.length === 0 ? '' : `: ${summary.join(': ')}`}`,
      status,
      { retryAfter, problem },
    );
  }
  return new InvalidTokenResponseError(
    `The authorization server answered HTTP ${status} without an OAuth error`,
    status,
    { retryAfter },
  );
}

/**
 * Error codes defined by RFC 6749 section 5.2, RFC 6750 section 3.1, RFC 7009 section 2.2.1,
 * RFC 8628 section 3.5 and Auth0: such a code is the server's answer, not an echo of a secret
 * that happens to be spelt the same, and is kept as it is for the callers that branch on it.
 */
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
  'insufficient_scope',
  'unsupported_token_type',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'authorization_pending',
  'slow_down',
  'expired_token',
  'mfa_required',
  'too_many_attempts',
  'too_many_requests',
  'unauthorized',
  'invalid_otp',
  'invalid_binding_code',
  'association_required',
  // RFC 9449 section 12.2.
  'invalid_dpop_proof',
  'use_dpop_nonce',
]);

/**
 * A copy of server JSON with every string passed through `redact`, to a bounded depth (deeper
 * parts are dropped): for structured details such as Auth0's `mfa_requirements`.
 */
function redactDeep(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth >= 5 || typeof value !== 'object' || value === null) {
    return typeof value === 'object' && value !== null ? undefined : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [
      redact(name),
      redactDeep(item, redact, depth + 1),
    ]),
  );
}

/** The members of a problem details object (RFC 9457 section 3.1), cleaned; others are ignored. */
function problemDetails(
  body: Record<string, unknown>,
  redact: (text: string) => string,
): ProblemDetails {
  // Section 3.1: a member whose value has the wrong type is ignored.
  const text = (name: string) => {
    const value = body[name];
    return typeof value === 'string' && value !== ''
      ? sanitizeServerText(redact(value))
      : undefined;
  };
  const status = body['status'];
  return {
    type: text('type'),
    title: text('title'),
    detail: text('detail'),
    status:
      typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
        ? status
        : undefined,
  };
}

function dateOffset(value: string | string[] | undefined, receivedAt: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : date - receivedAt;
}

function optionalString(
  body: Record<string, unknown>,
  name: string,
  status: number,
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidTokenResponseError(`The token response ${name} is not a string`, status);
  }
  return value;
}
