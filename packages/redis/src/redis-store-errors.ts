/**
 * Redis could not be reached, or did not answer in time, and the store fails closed (the token
 * store's `'fail-closed'` policy; the DPoP replay store always). Messages name the operation
 * only: never a token, a key, a session id or a proof.
 */
export class RedisUnavailableError extends Error {
  /** Always `'redis_unavailable'`. */
  readonly code = 'redis_unavailable' as const;
  /**
   * What the store was doing: `get`, `set`, `delete`, `lock`, `waitForUnlock` (the token store),
   * `claim` (the DPoP replay store).
   */
  readonly operation: string;

  constructor(operation: string, reason: string, options?: ErrorOptions) {
    super(`Redis is unavailable (${operation}): ${reason}`, options);
    this.operation = operation;
  }

  override get name(): string {
    return 'RedisUnavailableError';
  }
}

/**
 * A stored token set did not decrypt: another encryption key (one not passed in
 * `encryptionKey` or `previousKeys`), another format, or altered data.
 */
export class TokenDecryptionError extends Error {
  /** Always `'decryption_failed'`. */
  readonly code = 'decryption_failed' as const;

  override get name(): string {
    return 'TokenDecryptionError';
  }
}
