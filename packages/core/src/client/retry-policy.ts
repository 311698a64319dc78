/** How failed refreshes are retried: 429, 5xx and network errors only. */
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
 * Delay before try number `attempt + 1`: the server's `Retry-After` when it sent one (RFC 9110
 * section 10.2.3), else exponential backoff with full jitter, so instances that failed together
 * do not retry together.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: () => number,
): number {
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
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
