/**
 * Where a resource server remembers the DPoP proofs it has accepted, so that each is accepted once
 * (RFC 9449 section 11.1: a proof's `jti` is unique within the window its `iat` is accepted in).
 *
 * The default is a bounded in-memory store, one per verifier: enough for one process. Replicas
 * behind a load balancer share one store (`@ropkit/redis`'s `RedisDpopReplayStore`), or else a
 * proof replayed to another replica is accepted there.
 */
export interface DpopReplayStore {
  /**
   * Records `key` until `expiresAtMs` (milliseconds since the epoch) and answers whether this was
   * its first use: `true` the first time, `false` while it is recorded. Must be atomic across
   * everything that shares the store. A rejected promise or a throw answers the request 503
   * (the proof is neither accepted nor blamed).
   *
   * `key` is the proof key's RFC 7638 thumbprint and the proof's `jti`, joined by `:`; at most
   * 300 characters.
   */
  claim(key: string, expiresAtMs: number): boolean | Promise<boolean>;
}

/**
 * The default {@link DpopReplayStore}: a `Map` of keys to expiry times, bounded. When it is full,
 * the oldest entries go first: expired ones, then, if none has expired, the oldest live one, so a
 * burst larger than `maxEntries` within one window could let its oldest proof be replayed. Size it
 * above the proofs one process accepts in a window. Each claim costs O(1) amortized.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #clock: () => number;

  /**
   * @param maxEntries the bound (default 100,000 entries, about 15 MB).
   * @param clock current time in milliseconds (default `Date.now`).
   */
  constructor(maxEntries = 100_000, clock: () => number = Date.now) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('"maxEntries" must be a positive integer');
    }
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  claim(key: string, expiresAtMs: number): boolean {
    const now = this.#clock();
    const seen = this.#entries.get(key);
    if (seen !== undefined && seen > now) return false;
    // An expired entry is claimed anew at the end, keeping the order the sweep relies on.
    if (seen !== undefined) this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#makeRoom(now);
    this.#entries.set(key, expiresAtMs);
    return true;
  }

  /**
   * Drops entries from the oldest (insertion order is acceptance order, close to expiry order):
   * every expired one at the front, and one live one if none had expired.
   */
  #makeRoom(now: number): void {
    let freed = false;
    for (const [key, expiresAt] of this.#entries) {
      const live = expiresAt > now;
      if (live && freed) return;
      this.#entries.delete(key);
      if (live) return;
      freed = true;
    }
  }
}
