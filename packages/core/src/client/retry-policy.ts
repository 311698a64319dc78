/**
 * How failed refreshes are retried: 429, 5xx and network errors only. A `Retry-After` from the
 * server is always honoured: a retry never comes sooner, and when the wait does not fit in
 * `budgetMs` (or no try is left) the manager gives up and refreshes that key no sooner than the
 * server asked.
 */
export interface RetryPolicy {
  /** Most tries in all, the first included. Default `3`. */
  attempts: number;
  /** First backoff, in milliseconds; doubles each try. Default `250`. */
  baseDelayMs: number;
  /** Largest backoff, in milliseconds. Default `5000`. */
  maxDelayMs: number;
  /** Time allowed for all tries together, in milliseconds. Default `15000`. */
  budgetMs: number;
}

/** The retry policy used when none is given: 3 tries, 250 ms doubling to 5 s, 15 s in all. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  budgetMs: 15_000,
});

/**
 * Largest random share added to a `Retry-After` wait: replicas told "2" spread over 2 to 2.4 s
 * instead of all coming back at the same instant.
 */
export const RETRY_AFTER_JITTER_SHARE = 0.2;

/**
 * Delay before try number `attempt + 1`, in milliseconds.
 *
 * - When the server sent `Retry-After` (RFC 9110 section 10.2.3): never less than what it asked,
 *   plus a random spread of up to {@link RETRY_AFTER_JITTER_SHARE} of it, at least `baseDelayMs`
 *   (so "0" and "1" spread too) and at most `maxDelayMs`.
 * - Otherwise exponential backoff with full jitter, so instances that failed together do not
 *   retry together.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: () => number,
): number {
  if (retryAfterSeconds !== undefined) {
    const asked = retryAfterSeconds * 1000;
    const spread = Math.min(
      policy.maxDelayMs,
      Math.max(policy.baseDelayMs, asked * RETRY_AFTER_JITTER_SHARE),
    );
    return asked + Math.floor(random() * spread);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** Validates a partial policy and fills in defaults. @throws {TypeError} */
export function resolveRetryPolicy(policy: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (policy === undefined) return { ...DEFAULT_RETRY_POLICY };
  if (typeof policy !== 'object' || policy === null)
    throw new TypeError('"retry" must be an object');
  const resolved = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (!Number.isSafeInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new TypeError('"retry.attempts" must be a whole number of at least 1');
  }
  for (const name of ['baseDelayMs', 'maxDelayMs', 'budgetMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`"retry.${name}" must be a non-negative number of milliseconds`);
    }
  }
  return resolved;
}
