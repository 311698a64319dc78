import { SecretText } from '../client/secret-text.js';
import type { HttpAnswer } from '../http-api/error-response.js';
import { LOGIN_OUTCOME_STATUS, type LoginResult } from './login-outcome.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The one rendering of a login route's result shared by all adapters, so that Express, Koa and
 * Fastify answer the same bytes: the `LoginOutcome` as JSON with its status from
 * `LOGIN_OUTCOME_STATUS`, `204` with no body for `signed_out`. Every answer carries
 * `Cache-Control: no-store`: it says who is signed in, and may hold a recovery code or an
 * enrolment's QR code, which caches must not keep (RFC 9111 section 5.2.2.5; RFC 6749 section
 * 5.1 asks the same of tokens). `rate_limited` and `push_pending` (and a push enrolment) say when
 * to come back in `Retry-After` (RFC 9110 section 10.2.3, RFC 6585 section 4).
 *
 * The body is the only place a {@link SecretText} of the result is revealed: the new recovery
 * code, or the secret and QR code URI of an authenticator being enrolled, which the user must
 * see. Nothing else in it is secret: never a token, mfa_token or oob_code.
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
  const retryAfter: unknown = Reflect.get(result, 'retryAfter');
  if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
  const wire = Object.fromEntries(
    Object.entries(result).map(([name, value]) => [
      name,
      value instanceof SecretText ? value.reveal() : (value as unknown),
    ]),
  );
  return { status: LOGIN_OUTCOME_STATUS[result.status], headers, body: JSON.stringify(wire) };
}
