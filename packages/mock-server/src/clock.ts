/**
 * The mock's notion of time. Tests advance it to make tokens, refresh tokens, `mfa_token`s,
 * lockouts and rate-limit windows expire without waiting, and may freeze it to place a boundary
 * to the second; it never goes backwards.
 */
export class Clock {
  #offsetMs = 0;
  /** Set while frozen: the mock's time then stands still except for {@link advance}. */
  #frozenAtMs: number | undefined;

  /** Milliseconds since the epoch, as the mock sees it. */
  nowMs(): number {
    return this.#frozenAtMs ?? Date.now() + this.#offsetMs;
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
    if (this.#frozenAtMs === undefined) this.#offsetMs += seconds * 1000;
    else this.#frozenAtMs += seconds * 1000;
  }

  /**
   * Stops the clock where it is: only {@link advance} moves it then, so a test can put an expiry
   * boundary to the second without racing real time. Freezing a frozen clock changes nothing.
   */
  freeze(): void {
    this.#frozenAtMs ??= this.nowMs();
  }

  /** Runs again from where it stood (it never goes backwards). */
  resume(): void {
    if (this.#frozenAtMs === undefined) return;
    this.#offsetMs = this.#frozenAtMs - Date.now();
    this.#frozenAtMs = undefined;
  }

  /** Back to real time, running. */
  reset(): void {
    this.#offsetMs = 0;
    this.#frozenAtMs = undefined;
  }
}
