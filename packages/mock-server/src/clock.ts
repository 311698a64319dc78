/**
 * The mock's notion of time. Tests advance it to make tokens, refresh tokens, `mfa_token`s,
 * lockouts and rate-limit windows expire without waiting; it never goes backwards.
 */
export class Clock {
  #offsetMs = 0;

  /** Milliseconds since the epoch, as the mock sees it. */
  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Whole seconds since the epoch (JWT NumericDate, RFC 7519 section 2). */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves the clock forward by `seconds` (a non-negative number). */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new TypeError('"seconds" must be a non-negative number');
    }
    this.#offsetMs += seconds * 1000;
  }

  /** Back to real time. */
  reset(): void {
    this.#offsetMs = 0;
  }
}
