import { isRecord } from '../http/is-record.js';
import { isB64Token } from '../validation/bearer-token.js';
import { parseScopeClaim } from '../validation/scopes.js';
import type { EndpointResponse } from './token-endpoint-request.js';
import { InvalidTokenResponseError, MfaRequiredError, OAuthError } from './token-errors.js';
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
export function processTokenResponse(response: EndpointResponse, policy: LifetimePolicy): TokenSet {
  const { status, body } = response;
  if (status !== 200) throw errorFromResponse(response);
  if (!isRecord(body)) {
    throw new InvalidTokenResponseError('The token response is not a JSON object', status);
  }
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || !isB64Token(accessToken)) {
    throw new InvalidTokenResponseError('The token response has no valid access_token', status);
  }
  const tokenType = body['token_type'];
  // RFC 6749 section 7.1 / RFC 6750 section 4: the type is case-insensitive.
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new InvalidTokenResponseError('The token response token_type is not Bearer', status);
  }
  const refreshToken = optionalString(body, 'refresh_token', status);
  const idToken = optionalString(body, 'id_token', status);
  const scope = optionalString(body, 'scope', status);
  const expiresIn = saneExpiresIn(body['expires_in'], policy);
  const clockOffsetMs = dateOffset(response.headers['date'], response.receivedAt);
  return {
    accessToken,
    tokenType: 'Bearer',
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
 * `expires_in` (RFC 6749 section 5.1) as a number of seconds we can schedule with: a positive
 * finite number (or a string of digits, which some servers send) capped at `maxExpiresIn`;
 * anything else (missing, 0, negative, NaN, Infinity) takes `defaultExpiresIn`, so neither a
 * refresh loop nor a token cached forever can follow.
 */
export function saneExpiresIn(value: unknown, policy: LifetimePolicy): number {
  let seconds: number | undefined;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && /^\d{1,12}$/.test(value)) seconds = Number(value);
  if (seconds === Infinity) return policy.maxExpiresIn;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    return policy.defaultExpiresIn;
  }
  return Math.min(seconds, policy.maxExpiresIn);
}

/** The OAuth error an answer carries, or an invalid-response error when it carries none. */
export function errorFromResponse(response: EndpointResponse): Error {
  const { status, body } = response;
  const retryAfter = parseRetryAfter(response.headers['retry-after'], response.receivedAt);
  if (isRecord(body) && typeof body['error'] === 'string') {
    const description =
      typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
    const init = { error: body['error'], description, status, retryAfter };
    const mfaToken = body['mfa_token'];
    if (body['error'] === 'mfa_required' && typeof mfaToken === 'string') {
      return new MfaRequiredError({ ...init, mfaToken, mfaRequirements: body['mfa_requirements'] });
    }
    return new OAuthError(init);
  }
  return new InvalidTokenResponseError(
    `The authorization server answered HTTP ${status} without an OAuth error`,
    status,
  );
}

/**
 * RFC 9110 section 10.2.3: `Retry-After` is a number of seconds or an HTTP date. Returns
 * seconds (never negative), or `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number,
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (/^\d{1,10}$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
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
