import type { RedisClientLike, RedisSubscriberLike } from './redis-client.js';
import type { RedisStoreLogger } from './store-events.js';

/** What the store does while Redis is unavailable. */
export type UnavailablePolicy = 'fail-closed' | 'memory-fallback';

/** An AES-256 key: 32 bytes, or a base64 string of 32 bytes. */
export type EncryptionKey = Uint8Array | string;

/** Options of {@link RedisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A node-redis v6 client (`createClient()` from `redis`), connected by you. Required. */
  client: RedisClientLike;
  /**
   * The AES-256-GCM key that encrypts token sets: 32 bytes (e.g. `randomBytes(32)`), or those
   * bytes in base64. Required. Keep it out of Redis and out of the code: a secret store.
   */
  encryptionKey: EncryptionKey;
  /** The id (0 to 255) written beside each value encrypted with `encryptionKey`. Default `1`. */
  keyId?: number;
  /** Older keys that still decrypt, for key rotation. Default `[]`. */
  previousKeys?: ReadonlyArray<{ keyId: number; key: EncryptionKey }>;
  /** Prefix of every Redis key and channel the store uses. Default `'ropkit:token:'`. */
  keyPrefix?: string;
  /**
   * How long a token set with a refresh token is kept, from each write: the refresh token's
   * lifetime (Auth0 does not send it; its default absolute lifetime is 30 days). A set without a
   * refresh token is kept until its access token expires, never longer than this. Default
   * `2592000000` (30 days).
   */
  refreshTokenTtlMs?: number;
  /**
   * Expiry of the refresh lock. The holder extends it while it works, so this only bounds how
   * long a crashed holder blocks the others. Default `5000`.
   */
  lockTtlMs?: number;
  /** Longest wait of an instance for another's refresh (then the manager gives up). Default `15000`. */
  waitTimeoutMs?: number;
  /**
   * While waiting, how often to check the lock, should the release message be missed (or pub/sub
   * be unavailable). Default `100`.
   */
  pollIntervalMs?: number;
  /** Longest wait for one Redis command; past it Redis counts as unavailable. Default `1000`. */
  commandTimeoutMs?: number;
  /**
   * While Redis is unavailable: `'fail-closed'` throws {@link RedisUnavailableError};
   * `'memory-fallback'` serves and stores token sets in process memory (those this instance read
   * or wrote before are there) until Redis answers again, and emits `ropkit:redis:unavailable`.
   * Default `'fail-closed'`.
   */
  onUnavailable?: UnavailablePolicy;
  /** Most keys kept in memory for `'memory-fallback'`. Default `10000`. */
  fallbackMaxEntries?: number;
  /**
   * The pub/sub connection on which waiting instances hear of a released lock. Default: a
   * `client.duplicate()`, connected on first use and destroyed by `close()`.
   */
  subscriber?: RedisSubscriberLike;
  /** Receives the store's events (also on `node:diagnostics_channel`). Default: none. */
  logger?: RedisStoreLogger;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedStoreOptions {
  client: RedisClientLike;
  keys: Map<number, Buffer>;
  keyId: number;
  keyPrefix: string;
  refreshTokenTtlMs: number;
  lockTtlMs: number;
  waitTimeoutMs: number;
  pollIntervalMs: number;
  commandTimeoutMs: number;
  onUnavailable: UnavailablePolicy;
  fallbackMaxEntries: number;
  subscriber: RedisSubscriberLike | undefined;
  logger: RedisStoreLogger | undefined;
  clock: () => number;
}

const KNOWN = new Set([
  'client',
  'encryptionKey',
  'keyId',
  'previousKeys',
  'keyPrefix',
  'refreshTokenTtlMs',
  'lockTtlMs',
  'waitTimeoutMs',
  'pollIntervalMs',
  'commandTimeoutMs',
  'onUnavailable',
  'fallbackMaxEntries',
  'subscriber',
  'logger',
  'clock',
]);

/**
 * Validates every option. Each `TypeError` names the option and what it must be, never its value
 * (the key is a secret).
 */
export function resolveStoreOptions(options: RedisTokenStoreOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('RedisTokenStore options must be an object');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new TypeError(`Unknown RedisTokenStore option "${name}"`);
  }
  const client = options.client;
  if (!hasMethods(client, ['get', 'set', 'del', 'exists', 'eval'])) {
    throw new TypeError('"client" must be a node-redis client (createClient() from "redis")');
  }
  const keyId = byteId(options.keyId, 'keyId', 1);
  const keys = new Map<number, Buffer>([[keyId, aesKey(options.encryptionKey, 'encryptionKey')]]);
  const previous = options.previousKeys ?? [];
  if (!Array.isArray(previous)) throw new TypeError('"previousKeys" must be an array');
  previous.forEach((entry: unknown, index) => {
    const name = `previousKeys[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new TypeError(`"${name}" must be an object { keyId, key }`);
    }
    const { keyId: id, key } = entry as { keyId?: unknown; key?: unknown };
    const previousId = byteId(id, `${name}.keyId`, undefined);
    if (keys.has(previousId)) throw new TypeError(`"${name}.keyId" is already in use`);
    keys.set(previousId, aesKey(key, `${name}.key`));
  });
  const keyPrefix = options.keyPrefix ?? 'ropkit:token:';
  if (typeof keyPrefix !== 'string') throw new TypeError('"keyPrefix" must be a string');
  const onUnavailable = options.onUnavailable ?? 'fail-closed';
  if (onUnavailable !== 'fail-closed' && onUnavailable !== 'memory-fallback') {
    throw new TypeError("\"onUnavailable\" must be 'fail-closed' or 'memory-fallback'");
  }
  const subscriber = options.subscriber;
  if (subscriber !== undefined && !hasMethods(subscriber, ['subscribe', 'unsubscribe'])) {
    throw new TypeError('"subscriber" must be a node-redis client');
  }
  if (subscriber === undefined && !hasMethods(client, ['duplicate'])) {
    throw new TypeError('"client" must have duplicate(), or pass "subscriber"');
  }
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    throw new TypeError('"logger" must be an object with info and warn methods');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('"clock" must be a function');
  }
  const lockTtlMs = wholeMs(options.lockTtlMs, 'lockTtlMs', 5_000);
  return {
    client,
    keys,
    keyId,
    keyPrefix,
    refreshTokenTtlMs: wholeMs(options.refreshTokenTtlMs, 'refreshTokenTtlMs', 2_592_000_000),
    lockTtlMs,
    waitTimeoutMs: wholeMs(options.waitTimeoutMs, 'waitTimeoutMs', 15_000),
    pollIntervalMs: wholeMs(options.pollIntervalMs, 'pollIntervalMs', 100),
    commandTimeoutMs: wholeMs(options.commandTimeoutMs, 'commandTimeoutMs', 1_000),
    onUnavailable,
    fallbackMaxEntries: wholeNumber(options.fallbackMaxEntries, 'fallbackMaxEntries', 10_000),
    subscriber,
    logger,
    clock: options.clock ?? Date.now,
  };
}

function aesKey(value: unknown, name: string): Buffer {
  const message = `"${name}" must be 32 bytes: a Buffer or Uint8Array, or a base64 string of 32 bytes`;
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw new TypeError(message);
    return Buffer.from(value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'base64');
    // Buffer.from skips what is not base64: re-encode to refuse typos and hex keys.
    if (bytes.length !== 32 || canonical(bytes.toString('base64')) !== canonical(value.trim())) {
      throw new TypeError(message);
    }
    return bytes;
  }
  throw new TypeError(message);
}

function byteId(value: unknown, name: string, fallback: number | undefined): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
    throw new TypeError(`"${name}" must be a whole number from 0 to 255`);
  }
  return value;
}

/** `value` if a positive safe integer, `fallback` if undefined; else a TypeError naming `name`. */
export function wholeMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive whole number of milliseconds`);
  }
  return value;
}

function wholeNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive whole number`);
  }
  return value;
}

/** Base64 or base64url, without padding: to compare a key string with its decoded bytes. */
function canonical(text: string): string {
  return text.replace(/=+$/, '').replaceAll('-', '+').replaceAll('_', '/');
}

/** Whether `value` is an object with a function under each of `names`. */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return names.every((name) => typeof Reflect.get(value, name) === 'function');
}
