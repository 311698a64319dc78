import { createHash } from 'node:crypto';
import type { DpopReplayStore } from '@ropkit/core';
import type { RedisClientLike } from './redis-client.js';
import { RedisUnavailableError } from './redis-store-errors.js';
import { hasMethods, wholeMs } from './redis-store-options.js';
import { emitStoreEvent, type RedisStoreLogger } from './store-events.js';
import { withTimeout } from './with-timeout.js';

/** Options of {@link RedisDpopReplayStore}. */
export interface RedisDpopReplayStoreOptions {
  /**
   * A node-redis v6 client (`createClient()` from `redis`), connected by you. Only `SET` is used,
   * so it may be the one a `RedisTokenStore` uses. Required.
   */
  client: Pick<RedisClientLike, 'isReady' | 'set'>;
  /**
   * Prefix of every Redis key the store writes: `<keyPrefix><SHA-256 of the key, base64url>`.
   * Default `'ropkit:dpop-jti:'`.
   */
  keyPrefix?: string;
  /**
   * Longest wait for one Redis command; past it Redis counts as unavailable and the claim
   * rejects with {@link RedisUnavailableError}. Default `1000`.
   */
  commandTimeoutMs?: number;
  /**
   * Receives `warn` when Redis becomes unavailable and `info` when it answers again (also on
   * `node:diagnostics_channel` as `ropkit:redis:unavailable` and `ropkit:redis:recovered`).
   * Default: none.
   */
  logger?: RedisStoreLogger;
}

const KNOWN = new Set(['client', 'keyPrefix', 'commandTimeoutMs', 'logger']);

/** The operation named in errors and events. */
const OPERATION = 'claim';

/**
 * A `DpopReplayStore` for `@ropkit/core`'s access-token verifier (`dpop.replayStore`) on Redis,
 * shared by every replica: a DPoP proof replayed to another replica is refused there too (RFC 9449
 * section 11.1).
 *
 * - Each claim is one `SET <keyPrefix><hash> 1 NX PXAT <expiresAtMs>`: atomic, so of any number
 *   of concurrent claims of one key, on any replicas, exactly one answers `true`. Redis removes the
 *   entry at `expiresAtMs` by its own clock (keep the replicas' clocks and Redis's in sync, NTP).
 * - Key names hold a SHA-256 of the key (base64url): bounded in length, and revealing neither the
 *   proof's `jti` nor its key's thumbprint.
 * - It fails closed: while the client is not ready, when a command fails, or after
 *   `commandTimeoutMs`, a claim rejects with {@link RedisUnavailableError} (the verifier answers
 *   503). Accepting every proof while Redis is away would turn replay protection off.
 *
 * Needs Redis 6.2 or later (`PXAT`).
 */
export class RedisDpopReplayStore implements DpopReplayStore {
  readonly #client: Pick<RedisClientLike, 'isReady' | 'set'>;
  readonly #keyPrefix: string;
  readonly #commandTimeoutMs: number;
  readonly #logger: RedisStoreLogger | undefined;
  #unavailableSince: number | undefined;

  /** @throws {TypeError} when an option is invalid; the message names it. */
  constructor(options: RedisDpopReplayStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('RedisDpopReplayStore options must be an object');
    }
    for (const name of Object.keys(options)) {
      if (!KNOWN.has(name)) throw new TypeError(`Unknown RedisDpopReplayStore option "${name}"`);
    }
    const { client, logger } = options;
    if (!hasMethods(client, ['set'])) {
      throw new TypeError('"client" must be a node-redis client (createClient() from "redis")');
    }
    const keyPrefix = options.keyPrefix ?? 'ropkit:dpop-jti:';
    if (typeof keyPrefix !== 'string') throw new TypeError('"keyPrefix" must be a string');
    if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
      throw new TypeError('"logger" must be an object with info and warn methods');
    }
    this.#client = client;
    this.#keyPrefix = keyPrefix;
    this.#commandTimeoutMs = wholeMs(options.commandTimeoutMs, 'commandTimeoutMs', 1_000);
    this.#logger = logger;
  }

  /**
   * Records `key` until `expiresAtMs` (milliseconds since the epoch): `true` the first time,
   * `false` while it is recorded, by any store on the same Redis and `keyPrefix`.
   *
   * @throws {RedisUnavailableError} Redis is not connected, failed, or did not answer within
   *   `commandTimeoutMs`. A claim abandoned at the timeout may still reach Redis later and record
   *   the key.
   * @throws {TypeError} `key` is not a non-empty string, or `expiresAtMs` not a positive number.
   */
  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    if (typeof key !== 'string' || key === '') {
      throw new TypeError('"key" must be a non-empty string');
    }
    if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs) || expiresAtMs <= 0) {
      throw new TypeError(
        '"expiresAtMs" must be a positive number of milliseconds since the epoch',
      );
    }
    // The key holds the proof key's thumbprint and the proof's jti: the name carries a hash only.
    const name = this.#keyPrefix + createHash('sha256').update(key, 'utf8').digest('base64url');
    // An expiry already past: Redis answers OK and keeps nothing (the claim is a first use, as
    // with core's memory store); NX still answers null while an earlier claim is recorded.
    const reply = await this.#command(() =>
      this.#client.set(name, '1', {
        condition: 'NX',
        expiration: { type: 'PXAT', value: Math.ceil(expiresAtMs) },
      }),
    );
    return reply === 'OK';
  }

  /** One command: not sent while disconnected, never awaited past `commandTimeoutMs`. */
  async #command<T>(run: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      if (!this.#client.isReady) {
        throw new RedisUnavailableError(OPERATION, 'the client is not connected');
      }
      const timeoutMs = this.#commandTimeoutMs;
      result = await withTimeout(
        run(),
        timeoutMs,
        () => new RedisUnavailableError(OPERATION, `no answer within ${timeoutMs} ms`),
      );
    } catch (error) {
      const failure =
        error instanceof RedisUnavailableError
          ? error
          : new RedisUnavailableError(OPERATION, failureReason(error), { cause: error });
      if (this.#unavailableSince === undefined) {
        this.#unavailableSince = Date.now();
        emitStoreEvent(this.#logger, 'unavailable', {
          operation: OPERATION,
          policy: 'fail-closed',
        });
      }
      throw failure;
    }
    if (this.#unavailableSince !== undefined) {
      const unavailableForMs = Date.now() - this.#unavailableSince;
      this.#unavailableSince = undefined;
      emitStoreEvent(this.#logger, 'recovered', { unavailableForMs, policy: 'fail-closed' });
    }
    return result;
  }
}

/** Why a command failed, in words that hold no key: Redis before 6.2 has no `PXAT`. */
function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return /\bsyntax error\b/i.test(message)
    ? 'the command failed (SET with PXAT needs Redis 6.2 or later)'
    : 'the command failed';
}
