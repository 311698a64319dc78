import { nonNegative, optionalBoolean, share } from '../option-checks.js';
import { deepFreeze } from '../validation/compact-jws.js';
import { refreshTime, type RefreshSchedule } from './refresh-schedule.js';
import { resolveRetryPolicy, retryDelay, type RetryPolicy } from './retry-policy.js';
import type { RecoveryCodeSignIn } from './mfa-api.js';
import type {
  MfaGrantParameters,
  PasswordGrantParameters,
  TokenClient,
  WaitForMfaPushOptions,
} from './token-client.js';
import type { IdTokenClaims, UserinfoClaims } from './oidc-claims.js';
import { scopeParameter } from './token-client-options.js';
import {
  IdTokenError,
  OAuthError,
  ReauthenticationRequiredError,
  TokenError,
  TokenRequestError,
  UserinfoError,
  isRetryable,
  retryAfterOf,
  statusOf,
} from './token-errors.js';
import { emitTokenEvent, type TokenEvents, type TokenLogger } from './token-events.js';
import type { TokenSet } from './token-set.js';
import { MemoryTokenStore, type ManagedTokenSet, type TokenStore } from './token-store.js';
import {
  UserinfoCache,
  resolveUserinfoCacheOptions,
  type UserinfoCacheOptions,
} from './userinfo-cache.js';

/** Options of {@link TokenManager}. */
export interface TokenManagerOptions {
  /** The client that talks to the authorization server. */
  client: TokenClient;
  /**
   * Where token sets live. Default: a {@link MemoryTokenStore} of 10000 keys. A store with
   * `lock` and `waitForUnlock` (such as `@ropkit/redis`) makes one instance of many refresh a key.
   */
  store?: TokenStore;
  /** Refresh after this share of the lifetime. Default `0.8`. */
  refreshShare?: number;
  /** Refresh this many milliseconds before expiry instead of using `refreshShare`. Default: unset. */
  refreshWindowMs?: number;
  /** Random share of the lifetime taken off the refresh time. Default `0.05`. */
  jitterShare?: number;
  /**
   * Retries of refreshes that failed with 429, 5xx or a network error. Default
   * `{ attempts: 3, baseDelayMs: 250, maxDelayMs: 5000, budgetMs: 15000 }`. A `Retry-After`
   * always wins over the backoff; see {@link RetryPolicy}.
   */
  retry?: Partial<RetryPolicy>;
  /**
   * Refresh each key in the background when due (an unref'd timer per key), not only when
   * `getAccessToken` is called. Default `false`.
   */
  backgroundRefresh?: boolean;
  /** Receives the events also published on `node:diagnostics_channel`. Default: none. */
  logger?: TokenLogger;
  /**
   * How {@link TokenManager.userinfo} keeps `/userinfo` answers, per key: at most `maxEntries`
   * keys (least recently used dropped first, default `1000`), each answer for `maxAgeMs` (default
   * `60000`) and only while the key's access token is the one it was fetched with. `false`: every
   * call asks `/userinfo` (concurrent calls for a key still share one request).
   */
  userinfoCache?: UserinfoCacheOptions | false;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  clock?: () => number;
  /** Random number in [0, 1); for tests. Default `Math.random`. */
  random?: () => number;
}

/** Per-call options of {@link TokenManager.getAccessToken}. */
export interface GetAccessTokenOptions {
  /** The end user's IP for `auth0-forwarded-for`, should a refresh be needed. */
  forwardedFor?: string;
}

/** Per-call options of {@link TokenManager.refresh}. */
export interface RefreshOptions extends GetAccessTokenOptions {
  /**
   * Ask for fewer scopes than were granted (RFC 6749 section 6: a subset of the original grant's;
   * Auth0 refuses others). The stored set's `scope` becomes the granted one. Default: none sent,
   * the server grants the original scope.
   */
  scope?: string | readonly string[];
}

/**
 * Keeps token sets fresh, per key (a user session, a service account).
 *
 * - `getAccessToken(key)` returns a valid access token; a refresh starts before expiry.
 * - Single flight: concurrent callers needing a refresh for one key share one token request and
 *   its result (or error). With a store that has a refresh lock ({@link TokenStore.lock}), this
 *   holds across instances: one instance refreshes, the others wait for its result and reuse it.
 * - A rotated refresh token replaces the old one; a response without one keeps the old one.
 * - `invalid_grant` on refresh clears the key and throws {@link ReauthenticationRequiredError};
 *   no retry, no silent password grant. 429, 5xx and network errors are retried with backoff
 *   and jitter within a budget; other 4xx errors are never retried (retrying a wrong password
 *   feeds brute-force counters).
 * - `Retry-After` (RFC 9110 section 10.2.3), read from the headers whatever the body, is always
 *   honoured: a retry waits at least that long, plus jitter. When the wait does not fit in the
 *   budget, the refresh gives up, and until the server's time has passed no refresh of that key
 *   reaches the server: callers get the still-valid token, or else the error of that refresh.
 * - While the authorization server fails, a token that is still valid keeps being served.
 */
export class TokenManager {
  readonly #client: TokenClient;
  readonly #store: TokenStore;
  readonly #schedule: RefreshSchedule;
  readonly #retry: RetryPolicy;
  readonly #backgroundRefresh: boolean;
  readonly #logger: TokenLogger | undefined;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #inFlight = new Map<string, RefreshFlight>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Keys whose last refresh was told to wait (`Retry-After`): until when, and its error. */
  readonly #coolingDown = new Map<string, CoolDown>();
  readonly #userinfo: UserinfoCache;

  /** @throws {TypeError} when an option is invalid. */
  constructor(options: TokenManagerOptions) {
    if (
      typeof options !== 'object' ||
      options === null ||
      typeof options.client?.refresh !== 'function'
    ) {
      throw new TypeError('"client" must be a TokenClient');
    }
    this.#client = options.client;
    const store: TokenStore = options.store ?? new MemoryTokenStore();
    if (
      typeof store.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function'
    ) {
      throw new TypeError('"store" must have get, set and delete methods');
    }
    if ((typeof store.lock === 'function') !== (typeof store.waitForUnlock === 'function')) {
      throw new TypeError('"store" must have both lock and waitForUnlock methods, or neither');
    }
    this.#store = store;
    this.#schedule = {
      refreshShare: share(options.refreshShare, 'refreshShare', 0.8, false),
      refreshWindowMs:
        options.refreshWindowMs === undefined
          ? undefined
          : nonNegative(options.refreshWindowMs, 'refreshWindowMs', 0, 'milliseconds'),
      jitterShare: share(options.jitterShare, 'jitterShare', 0.05, true),
    };
    this.#retry = resolveRetryPolicy(options.retry);
    this.#backgroundRefresh = optionalBoolean(
      options.backgroundRefresh,
      'backgroundRefresh',
      false,
    );
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#userinfo = new UserinfoCache(
      resolveUserinfoCacheOptions(options.userinfoCache),
      this.#clock,
    );
  }

  /** Signs a user in with the password (or password-realm) grant and keeps the tokens under `key`. */
  async signIn(key: string, parameters: PasswordGrantParameters): Promise<ManagedTokenSet> {
    requireKey(key);
    return this.save(key, await this.#client.password(parameters));
  }

  /** Finishes an MFA sign-in with a one-time password and keeps the tokens under `key`. */
  async completeMfa(
    key: string,
    parameters: MfaGrantParameters & { otp: string },
  ): Promise<ManagedTokenSet> {
    requireKey(key);
    return this.save(key, await this.#client.mfaOtp(parameters));
  }

  /**
   * Finishes an MFA sign-in with the code sent by SMS, voice or email (`TokenClient.mfaOob`) and
   * keeps the tokens under `key`.
   */
  async completeMfaOob(
    key: string,
    parameters: MfaGrantParameters & { oobCode: string; bindingCode: string },
  ): Promise<ManagedTokenSet> {
    requireKey(key);
    return this.save(key, await this.#client.mfaOob(parameters));
  }

  /**
   * Waits, bounded, for the user to approve a push (`TokenClient.waitForMfaPush`) and keeps the
   * tokens under `key`.
   */
  async completeMfaPush(
    key: string,
    parameters: MfaGrantParameters & { oobCode: string } & WaitForMfaPushOptions,
  ): Promise<ManagedTokenSet> {
    requireKey(key);
    return this.save(key, await this.#client.waitForMfaPush(parameters));
  }

  /**
   * Finishes an MFA sign-in with a recovery code (`TokenClient.mfaRecoveryCode`) and keeps the
   * tokens under `key`. The new recovery code is returned, not stored: show it to the user.
   */
  async completeMfaRecoveryCode(
    key: string,
    parameters: MfaGrantParameters & { recoveryCode: string },
  ): Promise<RecoveryCodeSignIn<ManagedTokenSet>> {
    requireKey(key);
    const { tokens, recoveryCode } = await this.#client.mfaRecoveryCode(parameters);
    return Object.freeze({ tokens: await this.save(key, tokens), recoveryCode });
  }

  /**
   * Keeps a token set obtained elsewhere under `key`, as it is: a set from a `TokenClient` has its
   * ID token validated already; one made by hand is trusted as given (its `idTokenClaims` are
   * what `identity` answers).
   */
  async save(key: string, tokens: TokenSet): Promise<ManagedTokenSet> {
    requireKey(key);
    const managed = this.#manage(tokens);
    await this.#store.set(key, managed);
    this.#coolingDown.delete(key);
    this.#userinfo.delete(key);
    this.#scheduleBackground(key, managed);
    emitTokenEvent(this.#logger, 'acquired', {
      key,
      expiresAt: managed.expiresAt,
      refreshAt: managed.refreshAt,
      scope: managed.scope,
    });
    return managed;
  }

  /**
   * A valid access token for `key`, refreshing first when the refresh is due.
   *
   * @throws {ReauthenticationRequiredError} no tokens, or the refresh token stopped working.
   * @throws {TokenError} the refresh failed and the current token has expired.
   */
  async getAccessToken(key: string, options: GetAccessTokenOptions = {}): Promise<string> {
    return (await this.getTokenSet(key, options)).accessToken;
  }

  /** Like {@link getAccessToken}, returning the whole token set. */
  async getTokenSet(key: string, options: GetAccessTokenOptions = {}): Promise<ManagedTokenSet> {
    requireKey(key);
    const current = await this.#store.get(key);
    if (current === undefined) {
      throw new ReauthenticationRequiredError('No tokens are stored for this key: sign in first');
    }
    const now = this.#clock();
    if (now < current.refreshAt) return current;
    if (current.refreshToken === undefined) {
      if (now < current.expiresAt) return current;
      throw new ReauthenticationRequiredError(
        'The access token expired and there is no refresh token',
      );
    }
    const flight = this.#flight(key, options.forwardedFor, current);
    try {
      if (now >= current.expiresAt) return await flight.result;
      // Still valid: wait for the first attempt only. Should it fail in a way worth retrying,
      // serve the valid token now and let the retries go on in the background, rather than
      // holding the caller for the whole retry budget.
      const first = await Promise.race([flight.result, flight.retrying]);
      return first === RETRYING ? current : first;
    } catch (error) {
      // Keep serving a token that is still valid while the server fails; not once the session
      // is over (invalid_grant, another subject).
      if (!endsSession(error) && this.#clock() < current.expiresAt) return current;
      throw error;
    }
  }

  /**
   * Who is signed in under `key`: the verified claims of the session's ID token (see
   * `TokenSet.idTokenClaims`), after the refresh that `getTokenSet` would do when one is due
   * (so a session that is over says so, and a refreshed ID token for another user is refused).
   * `undefined` when the session has no ID token (`openid` was not in the scope).
   *
   * @throws {ReauthenticationRequiredError} no tokens, or the refresh token stopped working.
   * @throws {IdTokenError} `subject_changed`: a refresh answered another user (the key is forgotten).
   * @throws {TokenError} the refresh failed and the current token has expired.
   */
  async identity(
    key: string,
    options: GetAccessTokenOptions = {},
  ): Promise<Readonly<IdTokenClaims> | undefined> {
    const { idTokenClaims } = await this.getTokenSet(key, options);
    // A store that serialises token sets (Redis) gives back a copy: frozen here as ours are.
    return idTokenClaims === undefined ? undefined : deepFreeze(idTokenClaims);
  }

  /**
   * The signed-in user's claims from the UserInfo endpoint (OpenID Connect Core 1.0 section
   * 5.3), with the session's access token (refreshed first when due). When the session has an ID
   * token, the answer's `sub` must be its `sub` (section 5.3.2), or the answer is refused and not
   * kept. Answers are kept per key as the `userinfoCache` option says; concurrent calls for a key
   * share one request.
   *
   * @throws {UserinfoError} `/userinfo` failed (`unauthorized` when the access token lacks the
   *   userinfo audience: ask for `openid`), or `subject_mismatch`.
   * @throws {ReauthenticationRequiredError} as {@link getAccessToken}.
   */
  async userinfo(key: string, options: GetAccessTokenOptions = {}): Promise<UserinfoClaims> {
    const tokens = await this.getTokenSet(key, options);
    return this.#userinfo.load(key, tokens.accessToken, async () => {
      const claims = await this.#client.userinfo(tokens.accessToken, {
        tokenType: tokens.tokenType,
      });
      const expected = tokens.idTokenClaims?.sub;
      if (expected !== undefined && claims.sub !== expected) {
        throw new UserinfoError(
          'subject_mismatch',
          'The userinfo answer is for another subject than the ID token (OpenID Connect Core 1.0 section 5.3.2): it was not used',
        );
      }
      return claims;
    });
  }

  /**
   * Refreshes now, whatever the schedule says. Joins a refresh already in flight for `key` that
   * asks for the same `scope`; a refresh for another scope is waited for first, then this one is
   * sent (one refresh per key at a time: with rotation, two at once would present one refresh
   * token twice). With `scope`, asks for that subset of the granted scopes (RFC 6749 section 6);
   * the stored set's `scope` is then the one granted. After an API refused a token, prefer
   * {@link refreshIfCurrent}: it does not refresh again when another caller already has.
   *
   * @throws {ReauthenticationRequiredError} no refresh token, or it stopped working.
   * @throws {IdTokenError} the refreshed ID token was refused (`subject_changed`: the key is
   *   forgotten).
   * @throws {TokenError} the refresh failed, or the server's `Retry-After` has not passed yet.
   */
  async refresh(key: string, options: RefreshOptions = {}): Promise<ManagedTokenSet> {
    requireKey(key);
    const scope = scopeParameter(options.scope, 'scope');
    return this.#flight(key, options.forwardedFor, undefined, undefined, scope).result;
  }

  /**
   * For a caller whose access token was refused (an API answered 401 `invalid_token`, RFC 6750
   * section 3.1): refreshes only while `refusedAccessToken` is still the stored token, joining
   * any refresh in flight. When it is no longer stored (another caller already replaced it),
   * nothing is refreshed and the current token set is returned, as `getTokenSet` would (which
   * refreshes only when that set's own refresh is due). So N requests sent with one token that
   * is refused at different moments cause one refresh, not N.
   *
   * @throws {ReauthenticationRequiredError} no tokens, or the refresh token stopped working.
   * @throws {TokenError} the refresh failed, or the server's `Retry-After` has not passed yet.
   */
  async refreshIfCurrent(
    key: string,
    refusedAccessToken: string,
    options: GetAccessTokenOptions = {},
  ): Promise<ManagedTokenSet> {
    requireKey(key);
    if (typeof refusedAccessToken !== 'string' || refusedAccessToken === '') {
      throw new TypeError('"refusedAccessToken" must be a non-empty string');
    }
    // A refresh in flight replaces whatever was stored when it started: the refused token or a
    // later one. Its result is newer than the refused token either way.
    const inFlight = this.#inFlight.get(key);
    if (inFlight !== undefined) return inFlight.result;
    const current = await this.#store.get(key);
    if (current === undefined) {
      throw new ReauthenticationRequiredError('No tokens are stored for this key: sign in first');
    }
    if (current.accessToken !== refusedAccessToken) return this.getTokenSet(key, options);
    return this.#flight(key, options.forwardedFor, current, refusedAccessToken).result;
  }

  /** Revokes the refresh token (RFC 7009) and forgets the key's tokens (and `/userinfo` answer). */
  async signOut(key: string): Promise<void> {
    requireKey(key);
    const current = await this.#store.get(key);
    await this.#forget(key, 'sign_out');
    if (current?.refreshToken !== undefined) await this.#client.revoke(current.refreshToken);
  }

  /** Forgets the key's tokens (and `/userinfo` answer) without revoking them. */
  async delete(key: string): Promise<void> {
    requireKey(key);
    await this.#forget(key, 'deleted');
  }

  /** The client the manager signs in and refreshes with (the sign-in engine's MFA steps use it). */
  get client(): TokenClient {
    return this.#client;
  }

  /** The store holding the token sets (the sign-in engine keeps pending MFA steps in it too). */
  get store(): TokenStore {
    return this.#store;
  }

  /** Stops background refresh timers. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /**
   * Single flight: one refresh per key at a time; every caller gets its result or error.
   * `seen` is the token set that made the caller refresh, if it read one; `refused`, the access
   * token an API refused, when that is why (no refresh once it is no longer the stored one).
   * `scope`: the scope the refresh asks for; {@link ANY_SCOPE} (callers that only need a fresh
   * token) joins a flight of any scope. A caller that needs another scope than the flight in the
   * air waits for it, then refreshes: never two refresh requests for a key at once.
   * While the key cools down after a `Retry-After`, the flight fails at once with the error of
   * the refresh that was told to wait, and nothing is sent.
   */
  #flight(
    key: string,
    forwardedFor: string | undefined,
    seen?: ManagedTokenSet,
    refused?: string,
    scope: string | undefined | typeof ANY_SCOPE = ANY_SCOPE,
  ): RefreshFlight {
    const airborne = this.#inFlight.get(key);
    if (airborne !== undefined && (scope === ANY_SCOPE || airborne.scope === scope)) {
      return airborne;
    }
    const coolDown = this.#coolingDown.get(key);
    if (airborne === undefined && coolDown !== undefined) {
      if (this.#clock() < coolDown.until) {
        const result = Promise.reject(coolDown.error);
        result.catch(() => undefined);
        return { result, retrying: NEVER, scope: undefined };
      }
      this.#coolingDown.delete(key);
    }
    const asked = scope === ANY_SCOPE ? undefined : scope;
    const retry = Promise.withResolvers<typeof RETRYING>();
    const onRetry = () => retry.resolve(RETRYING);
    const store = this.#store;
    const refresh = async (): Promise<ManagedTokenSet> => {
      // Another scope's refresh is in the air: it goes first, whatever its outcome.
      if (airborne !== undefined) await airborne.result.catch(() => undefined);
      return hasRefreshLock(store)
        ? this.#refreshAcrossInstances(store, key, forwardedFor, seen, refused, onRetry, asked)
        : this.#refreshWithRetry(key, forwardedFor, refused, onRetry, asked);
    };
    const flight: RefreshFlight = {
      result: refresh().finally(() => {
        if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
      }),
      retrying: retry.promise,
      scope: asked,
    };
    // Callers that served a still-valid token no longer wait; the failure is reported as an
    // event, so nobody needs to observe this rejection.
    flight.result.catch(() => undefined);
    this.#inFlight.set(key, flight);
    return flight;
  }

  /**
   * The cross-instance single flight, for stores with a refresh lock. The lock holder re-reads
   * the key before calling the token endpoint: with refresh token rotation, refreshing a set that
   * another instance has just refreshed would present a rotated refresh token, which the
   * authorization server takes for a stolen one and answers by revoking the whole family.
   */
  async #refreshAcrossInstances(
    store: LockingTokenStore,
    key: string,
    forwardedFor: string | undefined,
    seen: ManagedTokenSet | undefined,
    refused: string | undefined,
    onWaiting: () => void,
    scope: string | undefined,
  ): Promise<ManagedTokenSet> {
    const before = seen ?? (await store.get(key));
    // A refresh for a scope is not answered by another instance's refresh (for any scope): once
    // the lock is ours, it is sent, with the newest refresh token (re-read under the lock).
    const adoptable = scope === undefined;
    for (let round = 1; ; round++) {
      const lock = await store.lock(key);
      if (lock !== undefined) {
        try {
          const latest = await store.get(key);
          if (adoptable && latest !== undefined && this.#refreshedElsewhere(before, latest)) {
            return this.#adopt(key, latest);
          }
          return await this.#refreshWithRetry(key, forwardedFor, refused, onWaiting, scope);
        } finally {
          // release() must not reject; should a store's do so anyway, the lock expires on its
          // own, and the refresh's own outcome is what the callers need.
          await lock.release().catch(() => undefined);
        }
      }
      // Another instance is refreshing. Callers holding a still-valid token are served it now,
      // as while retries run; the others wait for that instance's result.
      onWaiting();
      const released = await store.waitForUnlock(key);
      const latest = await store.get(key);
      if (adoptable && latest !== undefined && this.#refreshedElsewhere(before, latest)) {
        return this.#adopt(key, latest);
      }
      if (latest?.refreshToken === undefined) {
        // The holder got invalid_grant (and cleared the key), or the key was signed out.
        throw new ReauthenticationRequiredError(
          'There is no refresh token for this key: sign in again',
        );
      }
      // Released without a new token set: the holder's refresh failed, so try once more here.
      // Not forever: a holder that keeps failing means the authorization server does.
      if (!released || round >= MAX_LOCK_ROUNDS) {
        throw new TokenRequestError(
          released
            ? 'Another instance holds the refresh lock and its refreshes keep failing'
            : 'Timed out waiting for another instance to refresh the tokens',
          'timeout',
        );
      }
    }
  }

  /** True when `latest` is a token set stored (by another instance) after `before`, still usable. */
  #refreshedElsewhere(
    before: ManagedTokenSet | undefined,
    latest: ManagedTokenSet | undefined,
  ): boolean {
    return (
      latest !== undefined &&
      (before === undefined ||
        latest.accessToken !== before.accessToken ||
        latest.refreshToken !== before.refreshToken) &&
      this.#clock() < latest.expiresAt
    );
  }

  /** Takes on a token set refreshed by another instance: only the timer is ours to set. */
  #adopt(key: string, tokens: ManagedTokenSet): ManagedTokenSet {
    this.#scheduleBackground(key, tokens);
    return tokens;
  }

  async #refreshWithRetry(
    key: string,
    forwardedFor: string | undefined,
    refused: string | undefined,
    onRetry: () => void,
    scope: string | undefined,
  ): Promise<ManagedTokenSet> {
    const current = await this.#store.get(key);
    // Asked to replace a refused token that a refresh finished since has already replaced.
    if (
      refused !== undefined &&
      current !== undefined &&
      current.accessToken !== refused &&
      this.#clock() < current.expiresAt
    ) {
      return current;
    }
    if (current?.refreshToken === undefined) {
      throw new ReauthenticationRequiredError(
        'There is no refresh token for this key: sign in again',
      );
    }
    const started = this.#clock();
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await this.#client.refresh({
          refreshToken: current.refreshToken,
          ...(forwardedFor === undefined ? {} : { forwardedFor }),
          ...(scope === undefined ? {} : { scope }),
        });
        return await this.#storeRefreshed(key, current, fresh);
      } catch (error) {
        // The key is already forgotten: nothing is served or retried.
        if (error instanceof IdTokenError && error.reason === 'subject_changed') throw error;
        if (error instanceof OAuthError && error.error === 'invalid_grant') {
          await this.#forget(key, 'invalid_grant');
          throw new ReauthenticationRequiredError(
            'The refresh token is no longer accepted (invalid_grant): sign in again',
            { cause: error },
          );
        }
        const code = error instanceof TokenError ? error.code : 'unknown';
        const status = statusOf(error);
        // RFC 9110 section 10.2.3: from the headers of any answer, whatever its body.
        const retryAfter = retryAfterOf(error);
        const remaining = this.#retry.budgetMs - (this.#clock() - started);
        let delayMs = retryDelay(this.#retry, attempt, retryAfter, this.#random);
        // Jitter never pushes a Retry-After wait that fits in the budget out of it.
        if (retryAfter !== undefined && retryAfter * 1000 <= remaining) {
          delayMs = Math.min(delayMs, remaining);
        }
        const retryable = isRetryable(error);
        if (!retryable || attempt >= this.#retry.attempts || delayMs > remaining) {
          // Told to wait longer than we retry for: no refresh of this key reaches the server
          // before that time, whoever asks (a storm of callers, a background timer, a 401).
          if (retryable && retryAfter !== undefined && error instanceof Error) {
            this.#coolDown(key, delayMs, error);
          }
          emitTokenEvent(this.#logger, 'refreshFailed', {
            key,
            code,
            status,
            retryAfter,
            servingStale: this.#clock() < current.expiresAt,
          });
          throw error;
        }
        emitTokenEvent(this.#logger, 'retryScheduled', {
          key,
          attempt,
          delayMs,
          code,
          status,
          retryAfter,
        });
        onRetry();
        await sleep(delayMs);
      }
    }
  }

  async #storeRefreshed(
    key: string,
    previous: ManagedTokenSet,
    fresh: TokenSet,
  ): Promise<ManagedTokenSet> {
    const before = previous.idTokenClaims;
    const after = fresh.idTokenClaims;
    // OpenID Connect Core 1.0 section 12.2: a refreshed ID token's iss and sub MUST be the same
    // as the original's. Another user's tokens under this key: the session cannot be trusted.
    if (
      before !== undefined &&
      after !== undefined &&
      (after.sub !== before.sub || after.iss !== before.iss)
    ) {
      await this.#forget(key, 'subject_changed');
      throw new IdTokenError(
        'subject_changed',
        'The refreshed ID token names another subject or issuer than the session (OpenID Connect Core 1.0 section 12.2): the session was signed out',
      );
    }
    // No refresh token in the answer: rotation is off, the old one stays valid (RFC 6749
    // section 6). Losing it here would log the user out at the next expiry. No ID token in it:
    // the previous one (and its claims) still says who is signed in.
    const identity =
      fresh.idToken === undefined
        ? { idToken: previous.idToken, idTokenClaims: before }
        : { idToken: fresh.idToken, idTokenClaims: after };
    const merged = this.#manage({
      ...fresh,
      refreshToken: fresh.refreshToken ?? previous.refreshToken,
      ...identity,
      scope: fresh.scope ?? previous.scope,
    });
    await this.#store.set(key, merged);
    this.#coolingDown.delete(key);
    this.#userinfo.delete(key);
    this.#scheduleBackground(key, merged);
    emitTokenEvent(this.#logger, 'refreshed', {
      key,
      expiresAt: merged.expiresAt,
      refreshAt: merged.refreshAt,
      rotated: fresh.refreshToken !== undefined && fresh.refreshToken !== previous.refreshToken,
    });
    return merged;
  }

  #manage(tokens: TokenSet): ManagedTokenSet {
    return Object.freeze({
      ...tokens,
      refreshAt: refreshTime(this.#schedule, tokens.receivedAt, tokens.expiresAt, this.#random),
    });
  }

  /** Remembers that `key` must not be refreshed for `delayMs`, and the error that said so. */
  #coolDown(key: string, delayMs: number, error: Error): void {
    const now = this.#clock();
    if (this.#coolingDown.size >= MAX_COOLING_DOWN_KEYS) {
      for (const [other, entry] of this.#coolingDown) {
        if (entry.until <= now) this.#coolingDown.delete(other);
      }
      // Still full: forget the oldest; at worst that key's next refresh comes early once.
      const oldest = this.#coolingDown.keys().next();
      if (this.#coolingDown.size >= MAX_COOLING_DOWN_KEYS && oldest.done !== true) {
        this.#coolingDown.delete(oldest.value);
      }
    }
    this.#coolingDown.delete(key);
    this.#coolingDown.set(key, { until: now + delayMs, error });
  }

  async #forget(key: string, reason: TokenEvents['cleared']['reason']): Promise<void> {
    this.#coolingDown.delete(key);
    this.#userinfo.delete(key);
    const timer = this.#timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(key);
    await this.#store.delete(key);
    emitTokenEvent(this.#logger, 'cleared', { key, reason });
  }

  #scheduleBackground(key: string, tokens: ManagedTokenSet): void {
    if (!this.#backgroundRefresh || tokens.refreshToken === undefined) return;
    const previous = this.#timers.get(key);
    if (previous !== undefined) clearTimeout(previous);
    const delay = Math.max(0, tokens.refreshAt - this.#clock());
    const timer = setTimeout(
      () => {
        this.#timers.delete(key);
        // Failures are reported through events; the next getAccessToken decides what to do.
        this.#flight(key, undefined, tokens);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.unref();
    this.#timers.set(key, timer);
  }
}

/**
 * Most rounds of take-the-lock-or-wait in one refresh: a first wait, and a second try should
 * the holder's refresh have failed.
 */
const MAX_LOCK_ROUNDS = 2;

/**
 * Marks the moment a refresh's first attempt failed and a retry was scheduled, or another
 * instance was found refreshing: callers with a still-valid token stop waiting then.
 */
const RETRYING = Symbol('retrying');

/** A promise that never settles: the `retrying` signal of a flight that fails at once. */
const NEVER = new Promise<typeof RETRYING>(() => undefined);

/** Most keys remembered as cooling down; expired entries are dropped first. */
const MAX_COOLING_DOWN_KEYS = 10_000;

/** A key told to wait by `Retry-After`: no refresh before `until` (manager clock), and why. */
interface CoolDown {
  until: number;
  error: Error;
}

/** A refresh in flight: its final result, and a signal once it has started retrying. */
interface RefreshFlight {
  result: Promise<ManagedTokenSet>;
  retrying: Promise<typeof RETRYING>;
  /** The scope it asks for (joined); `undefined`: none, the original grant's. */
  scope: string | undefined;
}

/** What a caller that only needs a fresh token asks of a flight: any scope will do. */
const ANY_SCOPE = Symbol('any scope');

/**
 * True for the failures after which the session's tokens must not be served: the refresh token
 * stopped working, or a refresh answered another user (the key was forgotten either way).
 */
function endsSession(error: unknown): boolean {
  return (
    error instanceof ReauthenticationRequiredError ||
    (error instanceof IdTokenError && error.reason === 'subject_changed')
  );
}

/** A store with the optional refresh lock. */
type LockingTokenStore = TokenStore & Required<Pick<TokenStore, 'lock' | 'waitForUnlock'>>;

function hasRefreshLock(store: TokenStore): store is LockingTokenStore {
  return typeof store.lock === 'function' && typeof store.waitForUnlock === 'function';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function requireKey(key: unknown): void {
  if (typeof key !== 'string' || key === '')
    throw new TypeError('"key" must be a non-empty string');
}
