import { createHash } from 'node:crypto';
import {
  MemoryTokenStore,
  type ManagedTokenSet,
  type PendingSignIn,
  type PendingSignInStore,
  type RefreshLock,
  type TokenStore,
} from '@ropkit/core';
import { decodePendingSignIn, encodePendingSignIn } from './pending-sign-in-codec.js';
import type { RedisSubscriberLike } from './redis-client.js';
import { acquireLock, type LockCommands } from './redis-lock.js';
import { RedisUnavailableError, TokenDecryptionError } from './redis-store-errors.js';
import {
  resolveStoreOptions,
  type RedisTokenStoreOptions,
  type ResolvedStoreOptions,
} from './redis-store-options.js';
import { emitStoreEvent } from './store-events.js';
import { TokenCipher } from './token-cipher.js';
import { decodeTokenSet, encodeTokenSet } from './token-set-codec.js';
import { withTimeout } from './with-timeout.js';

/** Redis key names of one token manager key. */
interface Names {
  tokens: string;
  /** A sign-in waiting for its second factor (MFA). */
  pending: string;
  lock: string;
  channel: string;
}

/** The lock handed out while Redis is down under `'memory-fallback'`: only this process counts. */
const LOCAL_LOCK: RefreshLock = Object.freeze({ release: () => Promise.resolve() });

/**
 * A `TokenStore` for `@ropkit/core`'s `TokenManager` on Redis, shared by every instance:
 *
 * - token sets are encrypted at rest with AES-256-GCM under your key; a dump shows neither the
 *   tokens nor the session ids (key names hold a SHA-256 of the key);
 * - each set expires with its refresh token (`refreshTokenTtlMs`), or with its access token when
 *   it has no refresh token;
 * - a sign-in waiting for its second factor (the sign-in engine's pending MFA step) is kept the
 *   same way, encrypted, until it expires, so any instance can finish it;
 * - a refresh lock (`SET NX PX`, released by compare-and-delete) makes one instance refresh a key
 *   while the others wait for its result (pub/sub, with a bounded poll);
 * - while Redis is unavailable it fails closed, or falls back to memory (`onUnavailable`).
 */
export class RedisTokenStore implements TokenStore, PendingSignInStore {
  readonly #options: ResolvedStoreOptions;
  readonly #cipher: TokenCipher;
  readonly #lockCommands: LockCommands;
  /** The sets this instance read or wrote, served while Redis is down; `'memory-fallback'` only. */
  readonly #memory: MemoryTokenStore | undefined;
  /** Keys written (or deleted) in memory while Redis was down, to copy back once it answers. */
  readonly #dirty = new Map<string, 'set' | 'delete'>();
  #unavailableSince: number | undefined;
  #subscriber: Promise<RedisSubscriberLike | undefined> | undefined;

  /** @throws {TypeError} when an option is invalid; the message names it. */
  constructor(options: RedisTokenStoreOptions) {
    this.#options = resolveStoreOptions(options);
    this.#cipher = new TokenCipher(this.#options.keys, this.#options.keyId);
    this.#memory =
      this.#options.onUnavailable === 'memory-fallback'
        ? new MemoryTokenStore({ maxEntries: this.#options.fallbackMaxEntries })
        : undefined;
    const { client } = this.#options;
    this.#lockCommands = {
      tryAcquire: async (name, token, ttlMs) =>
        (await this.#command('lock', () =>
          client.set(name, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } }),
        )) === 'OK',
      eval: (script, keys, args) =>
        this.#command('lock', () => client.eval(script, { keys, arguments: args })),
    };
  }

  /**
   * The token set under `key`, or `undefined`.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   * @throws {TokenDecryptionError} the stored set does not decrypt with the given keys.
   */
  async get(key: string): Promise<ManagedTokenSet | undefined> {
    const names = this.#names(key);
    let raw: unknown;
    try {
      const pending = await this.#copyBack(key, names);
      if (pending !== undefined) return pending;
      raw = await this.#command('get', () => this.#options.client.get(names.tokens));
    } catch (error) {
      return (await this.#fallback('get', error)).get(key);
    }
    if (raw === null || raw === undefined) {
      await this.#memory?.delete(key);
      return undefined;
    }
    const sealed = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
    if (typeof sealed !== 'string') {
      throw new TokenDecryptionError('The stored token set is not a string');
    }
    const tokens = decodeTokenSet(this.#cipher.open(sealed, names.tokens));
    await this.#memory?.set(key, tokens);
    return tokens;
  }

  /**
   * Replaces the token set under `key`, encrypted, with its TTL.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  async set(key: string, tokens: ManagedTokenSet): Promise<void> {
    const names = this.#names(key);
    try {
      await this.#write(names, tokens);
      this.#dirty.delete(key);
    } catch (error) {
      const memory = await this.#fallback('set', error);
      this.#dirty.set(key, 'set');
      await memory.set(key, tokens);
      return;
    }
    await this.#memory?.set(key, tokens);
  }

  /**
   * Forgets `key`.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  async delete(key: string): Promise<void> {
    const names = this.#names(key);
    await this.#memory?.delete(key);
    try {
      await this.#command('delete', () => this.#options.client.del(names.tokens));
      this.#dirty.delete(key);
    } catch (error) {
      await this.#fallback('delete', error);
      this.#dirty.set(key, 'delete');
    }
  }

  /**
   * The sign-in waiting for its second factor under `key`, or `undefined` (none, or expired).
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   * @throws {TokenDecryptionError} the stored step does not decrypt with the given keys.
   */
  async getPendingSignIn(key: string): Promise<PendingSignIn | undefined> {
    const names = this.#names(key);
    let raw: unknown;
    try {
      raw = await this.#command('get', () => this.#options.client.get(names.pending));
    } catch (error) {
      return (await this.#fallback('get', error)).getPendingSignIn(key);
    }
    if (raw === null || raw === undefined) return undefined;
    const sealed = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
    if (typeof sealed !== 'string') {
      throw new TokenDecryptionError('The stored sign-in step is not a string');
    }
    const pending = decodePendingSignIn(this.#cipher.open(sealed, names.pending));
    return pending.expiresAt > this.#options.clock() ? pending : undefined;
  }

  /**
   * Keeps `pending` under `key`, encrypted, until `pending.expiresAt`.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  async setPendingSignIn(key: string, pending: PendingSignIn): Promise<void> {
    const names = this.#names(key);
    const value = this.#cipher.seal(encodePendingSignIn(pending), names.pending);
    const ttlMs = Math.max(1, Math.ceil(pending.expiresAt - this.#options.clock()));
    try {
      await this.#command('set', () =>
        this.#options.client.set(names.pending, value, {
          expiration: { type: 'PX', value: ttlMs },
        }),
      );
    } catch (error) {
      await (await this.#fallback('set', error)).setPendingSignIn(key, pending);
    }
  }

  /**
   * Forgets the sign-in step under `key`.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  async deletePendingSignIn(key: string): Promise<void> {
    const names = this.#names(key);
    await this.#memory?.deletePendingSignIn(key);
    try {
      await this.#command('delete', () => this.#options.client.del(names.pending));
    } catch (error) {
      await this.#fallback('delete', error);
    }
  }

  /**
   * Tries once to take the refresh lock for `key`: the lock, or `undefined` when another instance
   * holds it. The lock expires after `lockTtlMs` unless its holder, alive, extends it.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  async lock(key: string): Promise<RefreshLock | undefined> {
    const names = this.#names(key);
    try {
      return await acquireLock(
        this.#lockCommands,
        names.lock,
        names.channel,
        this.#options.lockTtlMs,
      );
    } catch (error) {
      await this.#fallback('lock', error);
      return LOCAL_LOCK;
    }
  }

  /**
   * Waits until the lock on `key` is released (a message on its channel) or has expired (seen
   * by polling every `pollIntervalMs`), at most `waitTimeoutMs`. `true` when it was released or
   * expired, `false` on timeout.
   *
   * @throws {RedisUnavailableError} Redis is unavailable and the policy is `'fail-closed'`.
   */
  waitForUnlock(key: string): Promise<boolean> {
    const names = this.#names(key);
    const { client, pollIntervalMs, waitTimeoutMs } = this.#options;
    return new Promise<boolean>((resolve, reject) => {
      let done = false;
      let poll: NodeJS.Timeout | undefined;
      const listener = () => finish(true);
      const subscription = this.#connectSubscriber()
        .then(async (subscriber) => {
          if (subscriber === undefined || done) return undefined;
          await subscriber.subscribe(names.channel, listener);
          return subscriber;
        })
        .catch(() => undefined);
      const deadline = setTimeout(() => finish(false), waitTimeoutMs);
      function finish(released: boolean, error?: Error): void {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearTimeout(poll);
        void subscription
          .then((subscriber) => subscriber?.unsubscribe(names.channel, listener))
          .catch(() => undefined);
        if (error === undefined) resolve(released);
        else reject(error);
      }
      // Polling covers a release published before the subscription was in place, a holder that
      // crashed (its lock expires without a message), and a subscriber that could not connect.
      const check = async (): Promise<void> => {
        try {
          const held = await this.#command('waitForUnlock', () => client.exists(names.lock));
          if (held === 0) finish(true);
          else if (!done) poll = setTimeout(() => void check(), pollIntervalMs);
        } catch (error) {
          try {
            await this.#fallback('waitForUnlock', error);
            finish(true); // Down, with memory-fallback: no lock is held anywhere now.
          } catch (failure) {
            finish(
              false,
              failure instanceof Error
                ? failure
                : new RedisUnavailableError('waitForUnlock', 'the wait failed'),
            );
          }
        }
      };
      void check();
    });
  }

  /** Destroys the pub/sub connection the store opened (not the clients you passed in). */
  async close(): Promise<void> {
    const pending = this.#subscriber;
    this.#subscriber = undefined;
    if (this.#options.subscriber !== undefined || pending === undefined) return;
    (await pending)?.destroy();
  }

  /** Same as {@link close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #names(key: string): Names {
    if (typeof key !== 'string' || key === '')
      throw new TypeError('"key" must be a non-empty string');
    // Session ids are credentials too: key names carry a hash, never the id.
    const id = createHash('sha256').update(key, 'utf8').digest('base64url');
    const prefix = this.#options.keyPrefix;
    return {
      tokens: `${prefix}set:${id}`,
      pending: `${prefix}pending:${id}`,
      lock: `${prefix}lock:${id}`,
      channel: `${prefix}unlock:${id}`,
    };
  }

  async #write(names: Names, tokens: ManagedTokenSet): Promise<void> {
    const value = this.#cipher.seal(encodeTokenSet(tokens), names.tokens);
    const ttlMs = this.#ttl(tokens);
    await this.#command('set', () =>
      this.#options.client.set(names.tokens, value, { expiration: { type: 'PX', value: ttlMs } }),
    );
  }

  /** Keep a set as long as its refresh token lives; without one, until the access token expires. */
  #ttl(tokens: ManagedTokenSet): number {
    const cap = this.#options.refreshTokenTtlMs;
    if (tokens.refreshToken !== undefined) return cap;
    return Math.min(cap, Math.max(1, Math.ceil(tokens.expiresAt - this.#options.clock())));
  }

  /**
   * After an outage under `'memory-fallback'`: what this instance changed in memory meanwhile is
   * newer than Redis (a refresh there rotated the refresh token), so it goes back to Redis first.
   */
  async #copyBack(key: string, names: Names): Promise<ManagedTokenSet | undefined> {
    const change = this.#dirty.get(key);
    if (change === undefined || this.#memory === undefined || !this.#options.client.isReady) {
      return undefined;
    }
    const tokens = change === 'set' ? await this.#memory.get(key) : undefined;
    if (tokens === undefined) {
      await this.#command('delete', () => this.#options.client.del(names.tokens));
    } else {
      await this.#write(names, tokens);
    }
    this.#dirty.delete(key);
    return tokens;
  }

  /** One Redis command: not sent while disconnected, never awaited past `commandTimeoutMs`. */
  async #command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const { client, commandTimeoutMs } = this.#options;
    if (!client.isReady) throw new RedisUnavailableError(operation, 'the client is not connected');
    let result: T;
    try {
      result = await withTimeout(
        run(),
        commandTimeoutMs,
        () => new RedisUnavailableError(operation, `no answer within ${commandTimeoutMs} ms`),
      );
    } catch (error) {
      if (error instanceof RedisUnavailableError) throw error;
      throw new RedisUnavailableError(operation, 'the command failed', { cause: error });
    }
    if (this.#unavailableSince !== undefined) {
      const unavailableForMs = Date.now() - this.#unavailableSince;
      this.#unavailableSince = undefined;
      emitStoreEvent(this.#options.logger, 'recovered', {
        unavailableForMs,
        policy: this.#options.onUnavailable,
      });
    }
    return result;
  }

  /** The policy for a failed command: throw (fail-closed), or the memory store (fallback). */
  async #fallback(operation: string, error: unknown): Promise<MemoryTokenStore> {
    if (!(error instanceof RedisUnavailableError)) throw error;
    if (this.#unavailableSince === undefined) {
      this.#unavailableSince = Date.now();
      emitStoreEvent(this.#options.logger, 'unavailable', {
        operation,
        policy: this.#options.onUnavailable,
      });
    }
    if (this.#memory === undefined) throw error;
    return Promise.resolve(this.#memory);
  }

  /** The pub/sub connection, connected on first use; `undefined` while it cannot connect. */
  #connectSubscriber(): Promise<RedisSubscriberLike | undefined> {
    if (this.#subscriber !== undefined) return this.#subscriber;
    const given = this.#options.subscriber;
    const subscriber = given ?? this.#options.client.duplicate();
    let connecting: Promise<unknown> = Promise.resolve();
    if (given === undefined) {
      // Errors reach you through your own client; an 'error' event without a listener would
      // crash the process.
      subscriber.on('error', () => undefined);
      connecting = withTimeout(
        subscriber.connect(),
        this.#options.commandTimeoutMs,
        () => new RedisUnavailableError('subscribe', 'the subscriber did not connect in time'),
      );
    }
    const pending = connecting.then(
      () => subscriber,
      () => {
        // Try again on the next wait; polling serves this one.
        if (given === undefined) subscriber.destroy();
        if (this.#subscriber === pending) this.#subscriber = undefined;
        return undefined;
      },
    );
    this.#subscriber = pending;
    return pending;
  }
}
