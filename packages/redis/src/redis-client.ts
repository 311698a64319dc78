/**
 * The parts of a node-redis v6 client (`createClient()` from `redis`) that the stores use. A
 * structural type, so clients created with extra modules, scripts or RESP3 fit too.
 */
export interface RedisClientLike {
  /** True while connected and ready: commands are not sent while it is false. */
  readonly isReady: boolean;
  /** `GET key`. */
  get(key: string): Promise<unknown>;
  /**
   * `SET key value PX ms [NX]`, or `SET key value PXAT unix-ms [NX]` (Redis 6.2 and later): `'OK'`
   * when set, `null` when `NX` found the key.
   */
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX' | 'PXAT'; value: number }; condition?: 'NX' },
  ): Promise<unknown>;
  /** `DEL key`. */
  del(key: string): Promise<unknown>;
  /** `EXISTS key`. */
  exists(key: string): Promise<unknown>;
  /** `EVAL script numkeys keys... args...`. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** A new client with the same options, for pub/sub. */
  duplicate(): RedisSubscriberLike;
}

/** A client for pub/sub only (a connection in subscriber mode runs no other command). */
export interface RedisSubscriberLike {
  /** True while connected and ready. */
  readonly isReady: boolean;
  /** Opens the connection. */
  connect(): Promise<unknown>;
  /** `SUBSCRIBE channel`, calling `listener` for each message. */
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<void>;
  /** Removes `listener`; unsubscribes from the channel once it has none. */
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<void>;
  /** Registers an error listener (the store adds one to the connection it opens). */
  on(event: 'error', listener: (error: unknown) => void): unknown;
  /** Closes the connection at once. */
  destroy(): void;
}
