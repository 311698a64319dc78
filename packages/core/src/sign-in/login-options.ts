import type { TokenLogger } from '../client/token-events.js';
import type { TokenManager } from '../client/token-manager.js';
import { optionalBoolean, positive, rejectUnknownOptions } from '../option-checks.js';
import { loginTokenManager, type LoginManagerOptions } from './login-token-manager.js';
import { keepsPendingSignIns, type PendingSignInStore } from './pending-sign-in.js';

/** Settings of the sign-in engine besides its token client or manager. */
export interface LoginSettings {
  /**
   * The connection (user directory) for Auth0's password-realm grant; a `realm` field in the
   * login body overrides it. Default: none, `grant_type=password` with the tenant's default
   * directory.
   */
  realm?: string;
  /**
   * Send the end user's IP as `auth0-forwarded-for` on sign-in, MFA and refresh, so Auth0's
   * brute-force protection blocks the attacker's IP rather than your server's. The IP is the
   * framework's own (`req.ip`, `ctx.ip`, `request.ip`), which believes `X-Forwarded-For` only as
   * far as its trust-proxy setting says: trust your own proxies only. Auth0 believes the header
   * only from a confidential client with "Trust Token Endpoint IP Header" on. Default `false`.
   */
  forwardUserIp?: boolean;
  /**
   * How long an MFA step stays open after the password was accepted, in milliseconds. Default
   * `600000` (10 minutes, the life of Auth0's `mfa_token`).
   */
  mfaStepTtlMs?: number;
  /**
   * Step-up authentication (RFC 9470). When an API called with `apiFetch` answers 401
   * `insufficient_user_authentication`, `apiFetch` rejects with a `StepUpRequiredError` and the
   * engine remembers, for the session's next sign-in, the `acr_values` and `max_age` the API
   * asked for (sent with the password grant; for Auth0, an Action turns them into MFA) and the
   * page the user was on (`signed_in`'s `returnTo`); the same refusal right after that sign-in is
   * a `StepUpFailedError` (403), not another sign-in. `false`: `apiFetch` returns such an answer as
   * it is, and sign-ins send neither. Default `true`.
   */
  stepUp?: boolean;
  /**
   * Told when a refresh token could not be revoked at logout or at a second sign-in (`warn`).
   * Default: none; the `ropkit:login:revocation-failed` diagnostics channel always is.
   */
  logger?: TokenLogger;
  /**
   * Current time in milliseconds, for the MFA step's lifetime and the push polling interval, and
   * for the token client and manager built from `client` (unless their options have a `clock`);
   * for tests. Default `Date.now`.
   */
  clock?: () => number;
}

/**
 * Options of the sign-in engine, the same in every adapter: the token client (or a ready token
 * manager, see {@link LoginManagerOptions}) and the {@link LoginSettings}.
 */
export type LoginOptions = LoginSettings & LoginManagerOptions;

/**
 * `options` when it is an object, for an adapter to take its own options out of before
 * the engine checks the rest.
 *
 * @throws {TypeError} `<caller> options must be an object`.
 */
export function optionsObject<T extends object>(options: T, caller: string): T {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${caller} options must be an object`);
  }
  return options;
}

/** The options, checked, with their defaults. */
export interface ResolvedLoginOptions {
  manager: TokenManager;
  pending: PendingSignInStore;
  realm: string | undefined;
  forwardUserIp: boolean;
  mfaStepTtlMs: number;
  stepUp: boolean;
  logger: TokenLogger | undefined;
  clock: () => number;
}

const KNOWN = new Set([
  'client',
  'manager',
  'realm',
  'forwardUserIp',
  'mfaStepTtlMs',
  'stepUp',
  'logger',
  'clock',
]);

/**
 * Checks the options and builds the token manager.
 *
 * @param caller How the user called it, for messages (`passwordLogin()`).
 * @throws {TypeError} naming the option (never its value) when one is unknown or invalid.
 */
export function resolveLoginOptions(options: LoginOptions, caller: string): ResolvedLoginOptions {
  rejectUnknownOptions(optionsObject(options, caller), KNOWN, caller);
  const { realm, logger, clock } = options;
  if (realm !== undefined && (typeof realm !== 'string' || realm === '')) {
    throw new TypeError('"realm" must be a non-empty string');
  }
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    throw new TypeError('"logger" must be an object with debug, info and warn methods');
  }
  if (clock !== undefined && typeof clock !== 'function') {
    throw new TypeError('"clock" must be a function returning milliseconds since the epoch');
  }
  const manager = loginTokenManager(options, clock);
  const { store } = manager;
  if (!keepsPendingSignIns(store)) {
    throw new TypeError(
      'The token store must keep pending sign-ins (getPendingSignIn, setPendingSignIn, ' +
        'deletePendingSignIn) so an MFA step can finish on any instance: MemoryTokenStore and ' +
        '@ropkit/redis do',
    );
  }
  return {
    manager,
    pending: store,
    realm,
    forwardUserIp: optionalBoolean(options.forwardUserIp, 'forwardUserIp', false),
    mfaStepTtlMs: positive(options.mfaStepTtlMs, 'mfaStepTtlMs', 600_000, 'milliseconds'),
    stepUp: optionalBoolean(options.stepUp, 'stepUp', true),
    logger,
    clock: clock ?? Date.now,
  };
}
