import type { HttpAnswer } from '../http-api/error-response.js';
import { LOGIN_OUTCOME_STATUS, type LoginResult } from './login-outcome.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The one rendering of a login, OTP or logout result shared by all adapters, so that Express,
 * Koa and Fastify answer the same bytes: the `LoginOutcome` as JSON with its status from
 * `LOGIN_OUTCOME_STATUS`, `204` with no body for `signed_out`. Every answer carries
 * `Cache-Control: no-store`: it says who is signed in, and answers about credentials must not be
 * kept by caches (RFC 9111 section 5.2.2.5; RFC 6749 section 5.1 asks the same of tokens). A
 * `rate_limited` answer says when to try again in `Retry-After` (RFC 6585 section 4).
 * Nothing in it is secret: outcomes carry fixed sentences, never a token or mfa_token.
 */
export function renderLoginResult(result: LoginResult): HttpAnswer {
  if (result.status === 'signed_out') {
    return {
      status: LOGIN_OUTCOME_STATUS.signed_out,
      headers: { 'cache-control': 'no-store' },
      body: '',
    };
  }
  const headers: Record<string, string> = {
    'content-type': JSON_TYPE,
    'cache-control': 'no-store',
  };
  if (result.status === 'rate_limited' && result.retryAfter !== undefined) {
    headers['retry-after'] = String(result.retryAfter);
  }
  return { status: LOGIN_OUTCOME_STATUS[result.status], headers, body: JSON.stringify(result) };
}
