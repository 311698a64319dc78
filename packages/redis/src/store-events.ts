import { channel } from 'node:diagnostics_channel';

/** What the Redis store reports. Payloads never hold a token, a key or a session id. */
export interface RedisStoreEvents {
  /** Redis stopped answering; `policy` says what the store does meanwhile. */
  unavailable: { operation: string; policy: 'fail-closed' | 'memory-fallback' };
  /** Redis answers again after being unavailable. */
  recovered: { unavailableForMs: number; policy: 'fail-closed' | 'memory-fallback' };
}

/** The `node:diagnostics_channel` name of each event: `ropkit:redis:<event>`. */
export const REDIS_STORE_CHANNELS = {
  unavailable: channel('ropkit:redis:unavailable'),
  recovered: channel('ropkit:redis:recovered'),
} as const;

/** An optional logger (the same shape as `@ropkit/core`'s `TokenLogger`). */
export interface RedisStoreLogger {
  /** Redis came back. */
  info?(message: string, fields: object): void;
  /** Redis became unavailable. */
  warn?(message: string, fields: object): void;
}

/** Publishes an event on its channel and to the logger, if any. Nothing is printed by default. */
export function emitStoreEvent<E extends keyof RedisStoreEvents>(
  logger: RedisStoreLogger | undefined,
  event: E,
  payload: RedisStoreEvents[E],
): void {
  const target = REDIS_STORE_CHANNELS[event];
  if (target.hasSubscribers) target.publish(payload);
  if (event === 'unavailable') logger?.warn?.(`ropkit redis ${event}`, payload);
  else logger?.info?.(`ropkit redis ${event}`, payload);
}
