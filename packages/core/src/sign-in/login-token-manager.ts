import { TokenClient } from '../client/token-client.js';
import type { TokenClientOptions } from '../client/token-client-options.js';
import { TokenManager, type TokenManagerOptions } from '../client/token-manager.js';

/**
 * Where a login handler gets its {@link TokenManager}, the same in every adapter: a token client
 * (or its options) with optional manager options, or a ready manager with its own client.
 */
export type LoginManagerOptions =
  | {
      /**
       * The token client, or its options (`issuer` or `tokenEndpoint`, `clientId`, ...). With
       * `dpop: true` (or `{ privateKey }`) in them, every session's tokens are DPoP-bound (RFC
       * 9449) to the client's one key, and `apiFetch` proves possession on each call; replicas
       * sharing the token store need the same `privateKey` (see `TokenClientOptions.dpop`).
       */
      client: TokenClient | TokenClientOptions;
      /**
       * Options of the token manager built around `client` (`store`, `refreshShare`,
       * `backgroundRefresh`, `retry`, `logger`, `clock`, ...). Default: core's defaults, tokens
       * in process memory.
       */
      manager?: Omit<TokenManagerOptions, 'client'>;
    }
  | {
      /** A token manager of your own (with its client); `client` must then be left out. */
      manager: TokenManager;
      client?: undefined;
    };

/**
 * The token manager a login handler uses: `manager` when it is a ready one, otherwise a new one
 * around `client`.
 *
 * @throws {TypeError} for both a ready manager and a client, no client, or invalid options.
 */
export function loginTokenManager(
  options: LoginManagerOptions,
  clock?: () => number,
): TokenManager {
  const { client, manager } = options;
  if (manager instanceof TokenManager) {
    if (client !== undefined) {
      throw new TypeError('Give "client" or a ready "manager", not both: a manager has its client');
    }
    return manager;
  }
  if (typeof client !== 'object' || client === null) {
    throw new TypeError('"client" must be a TokenClient or TokenClient options');
  }
  if (manager !== undefined && (typeof manager !== 'object' || manager === null)) {
    throw new TypeError('"manager" must be a TokenManager or TokenManager options');
  }
  // The engine's clock, when given, is also the clock of the client and manager built here (unless
  // their options name their own): a test that moves time moves it for every part of a sign-in,
  // the ID token's exp and iat checks included.
  const withClock = <T extends { clock?: (() => number) | undefined }>(value: T): T =>
    clock === undefined || value.clock !== undefined ? value : { ...value, clock };
  return new TokenManager({
    ...withClock(manager ?? {}),
    client: client instanceof TokenClient ? client : new TokenClient(withClock(client)),
  });
}
