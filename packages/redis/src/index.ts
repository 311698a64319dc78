export { RedisTokenStore } from './redis-token-store.js';
export {
  RedisDpopReplayStore,
  type RedisDpopReplayStoreOptions,
} from './redis-dpop-replay-store.js';
export type {
  EncryptionKey,
  RedisTokenStoreOptions,
  UnavailablePolicy,
} from './redis-store-options.js';
export type { RedisClientLike, RedisSubscriberLike } from './redis-client.js';
export { RedisUnavailableError, TokenDecryptionError } from './redis-store-errors.js';
export {
  REDIS_STORE_CHANNELS,
  type RedisStoreEvents,
  type RedisStoreLogger,
} from './store-events.js';
