import { createHash } from 'node:crypto';
import { setMostRecent } from '../bounded-map.js';
import { positive, positiveInteger, rejectUnknownOptions } from '../option-checks.js';
import type { UserinfoClaims } from './oidc-claims.js';

/** The `userinfoCache` option of the token manager. */
export interface UserinfoCacheOptions {
  /** Most keys whose answer is kept; the least recently used goes first. Default `1000`. */
  maxEntries?: number;
  /** How long an answer is served from the cache, in milliseconds. Default `60000`. */
  maxAgeMs?: number;
}

/** The cache's limits, checked; `false` when answers are not kept. */
export type ResolvedUserinfoCacheOptions = Required<UserinfoCacheOptions> | false;

const KNOWN = new Set(['maxEntries', 'maxAgeMs']);

/**
 * Checks the `userinfoCache` option.
 *
 * @throws {TypeError} naming the option, never its value.
 */
export function resolveUserinfoCacheOptions(
  value: UserinfoCacheOptions | false | undefined,
): ResolvedUserinfoCacheOptions {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('"userinfoCache" must be false or { maxEntries, maxAgeMs }');
  }
  const options = value ?? {};
  rejectUnknownOptions(options, KNOWN, 'userinfoCache');
  return {
    maxEntries: positiveInteger(options.maxEntries, 'userinfoCache.maxEntries', 1000, 'entries'),
    maxAgeMs: positive(options.maxAgeMs, 'userinfoCache.maxAgeMs', 60_000, 'milliseconds'),
  };
}

interface Entry {
  /** SHA-256 of the access token the answer was fetched with: the token itself is not kept. */
  readonly tokenDigest: string;
  readonly claims: UserinfoClaims;
  readonly storedAt: number;
}

interface Flight {
  readonly tokenDigest: string;
  readonly result: Promise<UserinfoClaims>;
}

/**
 * UserInfo answers per key (a session), so that a page that asks who is signed in on every
 * request does not call `/userinfo` each time (Auth0 limits it per user):
 *
 * - bounded: at most `maxEntries` keys, the least recently used dropped first; an answer is
 *   served for `maxAgeMs` at most;
 * - an answer belongs to the access token it was fetched with: once the key's access token
 *   changes (a refresh, a new sign-in, here or on another instance), it is not served again;
 * - concurrent calls for one key and token share one request (also with the cache off);
 * - {@link UserinfoCache.delete} (sign-out, a forgotten key) drops the answer, and the answer of
 *   a request still in flight is then not kept;
 * - a request that fails is not kept: the next call asks again.
 */
export class UserinfoCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Flight>();
  readonly #limits: ResolvedUserinfoCacheOptions;
  readonly #clock: () => number;

  constructor(limits: ResolvedUserinfoCacheOptions, clock: () => number) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /**
   * The answer for `key` with `accessToken`: kept, in flight, or fetched now by `fetch` (and
   * kept, unless the key was deleted meanwhile).
   */
  load(
    key: string,
    accessToken: string,
    fetch: () => Promise<UserinfoClaims>,
  ): Promise<UserinfoClaims> {
    const tokenDigest = digest(accessToken);
    const kept = this.#fresh(key, tokenDigest);
    if (kept !== undefined) return Promise.resolve(kept);
    const running = this.#inFlight.get(key);
    if (running?.tokenDigest === tokenDigest) return running.result;
    const result = fetch();
    const flight: Flight = { tokenDigest, result };
    this.#inFlight.set(key, flight);
    const settle = () => {
      if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
    };
    void result.then((claims) => {
      // Deleted (or replaced by a request with a newer token) while in flight: not kept.
      if (this.#inFlight.get(key) === flight)
        this.#keep(key, { tokenDigest, claims, storedAt: this.#clock() });
      settle();
    }, settle);
    return result;
  }

  /** Forgets `key`'s answer, and makes an answer in flight for it not be kept. */
  delete(key: string): void {
    this.#entries.delete(key);
    this.#inFlight.delete(key);
  }

  /** The kept answer, if it is for this token and young enough; marks it recently used. */
  #fresh(key: string, tokenDigest: string): UserinfoClaims | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#limits === false) return undefined;
    this.#entries.delete(key);
    if (
      entry.tokenDigest !== tokenDigest ||
      this.#clock() - entry.storedAt >= this.#limits.maxAgeMs
    ) {
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.claims;
  }

  #keep(key: string, entry: Entry): void {
    if (this.#limits !== false) setMostRecent(this.#entries, key, entry, this.#limits.maxEntries);
  }
}

function digest(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url');
}
