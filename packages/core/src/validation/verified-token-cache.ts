import type { KeySetEntry } from './remote-key-set.js';

/** What a cache hit needs to stay correct: time bounds and the key that verified the token. */
export interface CachedVerification<T> {
  readonly result: T;
  /** `exp` in seconds. */
  readonly exp: number;
  /** `nbf` in seconds, if the token had one. */
  readonly nbf: number | undefined;
  readonly key: KeySetEntry;
}

/**
 * Verified tokens by their exact string, so that the same token presented again within its
 * lifetime costs no signature check (from its third presentation: see `#seenOnce`). The `Map` hashes the string itself (V8 caches a string's
 * hash) and compares it in full on a hit, so no other token can alias an entry; a SHA-256 of
 * every token cost 3% of a busy server's CPU for nothing more. Bounded: the oldest entry goes
 * first. Only successful verifications are stored; a hit is still checked against the clock
 * (`exp`, `nbf`) and against the key set (a withdrawn key stops its tokens at once).
 */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, CachedVerification<T>>();
  /**
   * Tokens verified once and not cached yet, by a short fingerprint. A token is cached on its
   * second verification: a stream of one-shot tokens (more than the cache holds) then costs no
   * insert, eviction or retained result per request, while a token in use is cached after one
   * extra verification. 12 characters of the signature (72 bits) are copied, not sliced, so
   * the fingerprint does not keep the whole token alive; a collision only admits a token early.
   */
  readonly #seenOnce = new Set<string>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The cache key of a token: the token itself (see the class comment). */
  static keyOf(token: string): string {
    return token;
  }

  /** The cached result if still valid at `nowSeconds` with `tolerance` seconds of skew. */
  get(key: string, nowSeconds: number, tolerance: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Same comparisons as jose: expired when exp <= now - tolerance (RFC 7519 section 4.1.4).
    if (entry.exp <= nowSeconds - tolerance || entry.key.withdrawn) {
      this.#entries.delete(key);
      return undefined;
    }
    // RFC 7519 section 4.1.5: not before nbf; the entry stays, it becomes valid later.
    if (entry.nbf !== undefined && entry.nbf > nowSeconds + tolerance) return undefined;
    return entry.result;
  }

  set(key: string, entry: CachedVerification<T>): void {
    const fingerprint = key.slice(-12);
    if (!this.#seenOnce.delete(fingerprint)) {
      if (this.#seenOnce.size >= this.#maxEntries) {
        const oldest = this.#seenOnce.values().next();
        if (oldest.done !== true) this.#seenOnce.delete(oldest.value);
      }
      this.#seenOnce.add(fingerprint);
      return;
    }
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
  }

  get size(): number {
    return this.#entries.size;
  }
}
