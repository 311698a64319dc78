/** What a cache hit needs to stay correct: time bounds and the key that verified the token. */
export interface CachedVerification<T> {
  readonly result: T;
  /** `exp` in seconds. */
  readonly exp: number;
  /** `nbf` in seconds, if the token had one. */
  readonly nbf: number | undefined;
  /** The key that verified the token; `withdrawn` once the key set no longer lists it. */
  readonly key: { readonly withdrawn: boolean };
}

/** A cached verification as the cache holds it: with its token and a settled promise. */
export interface CacheEntry<T> extends CachedVerification<T> {
  /** The token, compared in full on every hit. */
  readonly token: string;
  /** `Promise.resolve(result)`, made once: a hit allocates no promise. */
  readonly settled: Promise<T>;
}

/**
 * Characters of a token's end (its signature) that index the cache. V8 hashes a string key in
 * full, and a token arrives as a new string with every request, so keying the `Map` by the token
 * hashed some 800 characters per lookup (about 1 µs), and any substring key is an allocation.
 * Instead the last 16 characters are hashed here into a small integer (FNV-1a, 30 bits: a V8
 * small integer, no allocation), and the token itself is compared in full, so no other token can
 * alias an entry: a string that only hashes alike is a miss.
 */
const INDEXED_CHARACTERS = 16;

/** The index of the string `text.slice(start)`, computed without making that string. */
function indexOf(text: string, start: number): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(start, text.length - INDEXED_CHARACTERS); i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash & 0x3fffffff;
}

/**
 * Verified tokens, so that the same token presented again within its lifetime costs no signature
 * check (from its third presentation: see `#seenOnce`). Indexed by a hash of the token's end and
 * compared in full (see {@link INDEXED_CHARACTERS}); a SHA-256 of every token cost 3% of a busy
 * server's CPU for nothing more. Bounded: the oldest entry goes first. Only successful
 * verifications are stored; a hit is still checked against the clock (`exp`, `nbf`) and against
 * the key set (a withdrawn key stops its tokens at once).
 */
export class VerifiedTokenCache<T> {
  readonly #entries = new Map<number, CacheEntry<T>>();
  /**
   * Tokens verified once and not cached yet, by their index. A token is cached on its second
   * verification: a stream of one-shot tokens (more than the cache holds) then costs no insert,
   * eviction or retained result per request, while a token in use is cached after one extra
   * verification. Numbers keep no token alive; a collision only admits a token early.
   */
  readonly #seenOnce = new Set<number>();
  /** `#seenOnce` in insertion order, as a ring: the oldest is overwritten (no iterator made). */
  readonly #seenOrder: Array<number | undefined>;
  #seenNext = 0;
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
    this.#seenOrder = Array.from({ length: maxEntries }, () => undefined);
  }

  /**
   * The cached entry for `token` if still valid at `nowSeconds` (whole seconds, as jose compares)
   * with `tolerance` seconds of skew. Allocates nothing.
   */
  get(token: string, nowSeconds: number, tolerance: number): CacheEntry<T> | undefined {
    return this.getAt(token, 0, nowSeconds, tolerance);
  }

  /**
   * As {@link get}, for the token `text.slice(start)` (an `Authorization` header value and where
   * its token starts): the substring is made only to compare it with a cached token.
   */
  getAt(
    text: string,
    start: number,
    nowSeconds: number,
    tolerance: number,
  ): CacheEntry<T> | undefined {
    const index = indexOf(text, start);
    const entry = this.#entries.get(index);
    if (entry === undefined) return undefined;
    const { token } = entry;
    // The substring is a slice of `text` (no copy); `===` then compares memory, where `endsWith`
    // walks the 800 characters one at a time (about 1.3 µs).
    if (
      token.length !== text.length - start ||
      (start === 0 ? token !== text : token !== text.slice(start))
    ) {
      return undefined;
    }
    // Same comparisons as jose: expired when exp <= now - tolerance (RFC 7519 section 4.1.4).
    if (entry.exp <= nowSeconds - tolerance || entry.key.withdrawn) {
      this.#entries.delete(index);
      return undefined;
    }
    // RFC 7519 section 4.1.5: not before nbf; the entry stays, it becomes valid later.
    if (entry.nbf !== undefined && entry.nbf > nowSeconds + tolerance) return undefined;
    return entry;
  }

  set(token: string, verification: CachedVerification<T>): void {
    const index = indexOf(token, 0);
    if (!this.#seenOnce.delete(index)) {
      // The ring slot holds the oldest index (or one admitted since, already deleted above).
      const oldest = this.#seenOrder[this.#seenNext];
      if (oldest !== undefined) this.#seenOnce.delete(oldest);
      this.#seenOrder[this.#seenNext] = index;
      this.#seenNext = (this.#seenNext + 1) % this.#maxEntries;
      this.#seenOnce.add(index);
      return;
    }
    // An entry under the same index (the same token again, or one hashing alike) is replaced.
    if (!this.#entries.delete(index) && this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(index, {
      ...verification,
      token,
      settled: Promise.resolve(verification.result),
    });
  }

  get size(): number {
    return this.#entries.size;
  }
}
