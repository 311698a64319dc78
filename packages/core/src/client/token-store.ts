import { setMostRecent } from '../bounded-map.js';
import type { PendingSignIn, PendingSignInStore } from '../sign-in/pending-sign-in.js';
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
 *
 * The sign-in engine also keeps a sign-in waiting for its second factor here
 * (`getPendingSignIn`, `setPendingSignIn`, `deletePendingSignIn`): optional for a store that
 * only serves a `TokenManager`, required by the login routes, so that an MFA step started on one
 * instance finishes on another.
 */
export interface TokenStore {
  /** The token set under `key`, or `undefined`. */
  get(key: string): Promise<ManagedTokenSet | undefined>;
  /** Replaces the whole token set under `key`. */
  set(key: string, tokens: ManagedTokenSet): Promise<void>;
  /** Forgets `key`. */
  delete(key: string): Promise<void>;
  /**
   * Optional, with {@link TokenStore.waitForUnlock}: a lock that makes one instance of many refresh
   * a key while the others wait for its result. Tries once, without waiting: the held lock, or
   * `undefined` when another instance holds it. The lock must expire on its own (a crashed holder
   * must not block the others for longer than that). Stores shared by several processes (Redis,
   * SQL) implement it; without it the manager's single flight covers one process only.
   */
  lock?(key: string): Promise<RefreshLock | undefined>;
  /**
   * Optional, with {@link TokenStore.lock}: waits until the lock on `key` is released or has
   * expired, within a bound of the store's choosing. Resolves `true` when it was released or
   * expired, `false` when the bound passed first. Must never wait without a bound.
   */
  waitForUnlock?(key: string): Promise<boolean>;
  /** The pending sign-in under `key`, or `undefined`; see {@link PendingSignInStore}. */
  getPendingSignIn?(key: string): Promise<PendingSignIn | undefined>;
  /** Keeps `pending` under `key` until it expires; see {@link PendingSignInStore}. */
  setPendingSignIn?(key: string, pending: PendingSignIn): Promise<void>;
  /** Forgets the pending sign-in under `key`; see {@link PendingSignInStore}. */
  deletePendingSignIn?(key: string): Promise<void>;
}

/** A refresh lock held by this instance, from {@link TokenStore.lock}. */
export interface RefreshLock {
  /**
   * Lets go of the lock if this holder still has it (never someone else's lock that took over
   * after an expiry), and wakes the instances waiting for it. Never rejects: a lock that could
   * not be released expires on its own.
   */
  release(): Promise<void>;
}

/**
 * The default store: in memory, bounded. When full, the least recently used key goes first.
 * Pending sign-ins are kept apart, under the same bound, until they expire.
 */
export class MemoryTokenStore implements TokenStore, PendingSignInStore {
  readonly #entries = new Map<string, ManagedTokenSet>();
  readonly #pending = new Map<string, PendingSignIn>();
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
    setMostRecent(this.#entries, key, tokens, this.#maxEntries);
    return Promise.resolve();
  }

  /** Forgets `key`. */
  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** The pending sign-in under `key`, unless it expired. */
  getPendingSignIn(key: string): Promise<PendingSignIn | undefined> {
    const pending = this.#pending.get(key);
    if (pending !== undefined && pending.expiresAt <= Date.now()) this.#pending.delete(key);
    return Promise.resolve(this.#pending.get(key));
  }

  /** Keeps `pending` until it expires; when full, the oldest pending sign-in goes first. */
  setPendingSignIn(key: string, pending: PendingSignIn): Promise<void> {
    setMostRecent(this.#pending, key, pending, this.#maxEntries);
    return Promise.resolve();
  }

  /** Forgets the pending sign-in under `key`. */
  deletePendingSignIn(key: string): Promise<void> {
    this.#pending.delete(key);
    return Promise.resolve();
  }

  /** Number of keys with token sets held. */
  get size(): number {
    return this.#entries.size;
  }
}
