import type { TokenSet } from './token-set.js';

/** A token set as the manager keeps it: with the time its refresh is due. */
export interface ManagedTokenSet extends TokenSet {
  /** When to refresh, by the local clock: before `expiresAt`, with jitter applied once. */
  readonly refreshAt: number;
}

/**
 * Where the token manager keeps token sets, by key (a session id, a service account name).
 * Small and async so a Redis or SQL store is a short file. `set` replaces the whole record,
 * which is what makes a rotated refresh token replace the old one atomically.
 */
export interface TokenStore {
  /** The token set under `key`, or `undefined`. */
  get(key: string): Promise<ManagedTokenSet | undefined>;
  /** Replaces the whole token set under `key`. */
  set(key: string, tokens: ManagedTokenSet): Promise<void>;
  /** Forgets `key`. */
  delete(key: string): Promise<void>;
}

/**
 * The default store: in memory, bounded. When full, the least recently used key goes first.
 */
export class MemoryTokenStore implements TokenStore {
  readonly #entries = new Map<string, ManagedTokenSet>();
  readonly #maxEntries: number;

  /** @param options.maxEntries Most keys kept. Default `10000`. */
  constructor(options: { maxEntries?: number } = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new TypeError('"maxEntries" must be a positive whole number');
    }
    this.#maxEntries = maxEntries;
  }

  /** The token set under `key`; marks it most recently used. */
  get(key: string): Promise<ManagedTokenSet | undefined> {
    const tokens = this.#entries.get(key);
    if (tokens !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, tokens);
    }
    return Promise.resolve(tokens);
  }

  /** Stores the token set, evicting the least recently used key when full. */
  set(key: string, tokens: ManagedTokenSet): Promise<void> {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, tokens);
    return Promise.resolve();
  }

  /** Forgets `key`. */
  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** Number of keys held. */
  get size(): number {
    return this.#entries.size;
  }
}
