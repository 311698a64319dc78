import type { Clock } from './clock.js';
import type { ResolvedTenant } from './resolved-config.js';

/** The verdict on one request and the headers that report the limit's state. */
export interface RateLimitVerdict {
  /** Seconds until the window resets when the request is over the limit; otherwise `undefined`. */
  readonly retryAfter: number | undefined;
  /** `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds), sent on success and failure alike. */
  readonly headers: Readonly<Record<string, string>>;
}

interface Window {
  start: number;
  count: number;
}

/** A fixed-window limit per key (the end-user IP), timed by the mock's clock. */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #settings: NonNullable<ResolvedTenant['rateLimit']>;
  #windows = new Map<string, Window>();

  constructor(clock: Clock, settings: NonNullable<ResolvedTenant['rateLimit']>) {
    this.#clock = clock;
    this.#settings = settings;
  }

  /** Counts one request for `key` and says whether it may proceed. */
  consume(key: string): RateLimitVerdict {
    const { limit, windowSeconds } = this.#settings;
    const now = this.#clock.nowSeconds();
    const start = Math.floor(now / windowSeconds) * windowSeconds;
    let window = this.#windows.get(key);
    if (window === undefined || window.start !== start) {
      window = { start, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    const reset = start + windowSeconds;
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.count)),
      'x-ratelimit-reset': String(reset),
    };
    const retryAfter = window.count > limit ? Math.max(1, reset - now) : undefined;
    return { retryAfter, headers };
  }

  /** Forgets every window. */
  reset(): void {
    this.#windows = new Map();
  }
}
