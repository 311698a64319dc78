import type { Clock } from './clock.js';

/** How many proofs are remembered at most: far more than a test sends within a proof's window. */
const MAX_ENTRIES = 100_000;

/**
 * The DPoP proofs accepted within their time window, so that each is accepted once (RFC 9449
 * section 11.1: "the server MUST only accept a given jti once within the window"). A proof is
 * known by its key's thumbprint and its `jti`, so two clients that happen to pick the same `jti`
 * do not collide. Entries expire on the mock's clock, when the proof's `iat` leaves the window and
 * the proof would be refused anyway.
 */
export class DpopReplayCache {
  readonly #clock: Clock;
  /** `<jkt>:<jti>` to the mock time (ms) after which the proof is refused by its `iat` anyway. */
  #seen = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Records the proof `key` until `expiresAtMs`; returns `false` when it was already recorded (a
   * replay).
   */
  remember(key: string, expiresAtMs: number): boolean {
    const now = this.#clock.nowMs();
    const known = this.#seen.get(key);
    if (known !== undefined && known > now) return false;
    this.#purge(now);
    this.#seen.set(key, expiresAtMs);
    return true;
  }

  /** Forgets every proof (`reset()`). */
  clear(): void {
    this.#seen = new Map();
  }

  /** Drops expired entries; past the cap, the oldest too (insertion order is expiry order, roughly). */
  #purge(now: number): void {
    for (const [key, expiresAt] of this.#seen) {
      if (expiresAt > now && this.#seen.size < MAX_ENTRIES) break;
      this.#seen.delete(key);
    }
  }
}
