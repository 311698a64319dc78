import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { fetchJson } from '../http/fetch-json.js';
import { keyMatchesAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';
import { isJsonObject } from './compact-jws.js';
import { importJwk, type UnusableJwk } from './jwk-import.js';
import { bindVerificationKey, type JwsVerificationKey } from './jws-signature.js';
import { emitKeySetEvent } from './key-set-events.js';

/** Timing and size limits of the verifier's remote key set (its `keySet` option). All durations in milliseconds. */
export interface RemoteKeySetLimits {
  /**
   * The longest a request waits for keys: one fetch of the discovery document and the key set
   * together, and every wait of one verification.
   */
  timeoutMs: number;
  /** Largest key set or discovery document accepted, in bytes. */
  maxBytes: number;
  /**
   * Minimum time between two fetches of a key set that loaded: bounds refetches caused by unknown
   * `kid`s. After a failed fetch the next one waits 1 s, doubling up to this.
   */
  cooldownMs: number;
  /**
   * Age after which the key set is not used without a fresh fetch (a key removed from the set
   * stops verifying tokens, cached ones included). It is refreshed in the background from 90% of
   * this age, so requests normally never wait.
   */
  maxAgeMs: number;
  /** While fetching fails, the last good key set is still used until this age (stale-if-error). */
  staleMaxAgeMs: number;
}

/**
 * Where the key set lives; resolved lazily so discovery can run on first use. `deadline` is a
 * `performance.now()` time the lookup must end by.
 */
export type KeySetLocator = (deadline: number) => Promise<URL>;

/** One usable key of the set, imported once and kept while the set lists it. */
export interface KeySetEntry {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly crv: string | undefined;
  /** The algorithm the JWK is restricted to, if any. */
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /** Set once a refresh no longer lists the key: cached verifications by it stop counting. */
  withdrawn: boolean;
  /** The key bound to `alg` for `verifyJwsSignature`; `undefined` if it cannot verify `alg`. */
  verificationKey(alg: AsymmetricAlgorithm): JwsVerificationKey | undefined;
}

/** Why {@link RemoteKeySet.select} found no key. */
export type KeyMiss =
  /** No key fits the header, or several do (RFC 7515 section 4.1.4: no guessing). */
  | 'unknown'
  /** Only keys that cannot be used fit: the key set is at fault, not the token. */
  | 'unusable';

/** The token names a key the set does not hold (after a refetch, if the cooldown allowed one). */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
}

/** The only keys that fit the token cannot be used (see `importJwk`): answered 503, never 401. */
export class UnusableKeyError extends Error {
  override readonly name = 'UnusableKeyError';
}

/** No usable key set: fetching failed (or timed out) and nothing cached can decide. */
export class KeySetUnavailableCause extends Error {
  override readonly name = 'KeySetUnavailableCause';
}

/** Share of `maxAgeMs` after which a background refresh starts. */
const REFRESH_AHEAD = 0.9;
/** The first backoff after a failed fetch; it doubles with each failure, up to the cooldown. */
const FIRST_BACKOFF_MS = 1_000;

/**
 * A remote JSON Web Key Set (RFC 7517 section 5) with the guarantees an API needs:
 * - one fetch in flight at most, shared by every caller;
 * - after a success, at most one fetch per cooldown for unknown `kid`s, so tokens with made-up
 *   `kid`s cannot flood the server; a rotated-in key is picked up by that refetch;
 * - after a failure, the next fetch after a short backoff (1 s, doubling up to the cooldown),
 *   however many requests come: an issuer that recovers is seen within about 2 s;
 * - the set is refreshed in the background before `maxAgeMs`; past it, a request waits (within
 *   its deadline) for a fresh set, and only a failed fetch lets the old set serve, until
 *   `staleMaxAgeMs` (stale-if-error);
 * - one deadline (`timeoutMs`) bounds a fetch, discovery included, and each request's waits;
 * - every JWK is imported once into a `KeyObject` when the set loads; an entry that cannot be a
 *   public verification key makes that key unusable (503 for tokens that need it, an event naming
 *   its `kid`), and a set with no usable key is malformed;
 * - nothing in a token (`jku`, `x5u`, `jwk`, `kid`, ...) causes a request to another URL.
 */
export class RemoteKeySet {
  readonly #locate: KeySetLocator;
  readonly #limits: RemoteKeySetLimits;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #now: () => number;
  readonly #refreshAheadMs: number;

  #entries: readonly Entry[] = [];
  #unusable: readonly UnusableJwk[] = [];
  /** Fingerprints of unusable entries already reported, for the set as last loaded. */
  #reported = new Set<string>();
  #loadedAt: number | undefined;
  /** Clock time until which the set needs no attention (no refresh due): the hot-path check. */
  #quietUntil = Number.NEGATIVE_INFINITY;
  #lastAttemptAt: number | undefined;
  #failures = 0;
  #failedAt = 0;
  #lastFailure: unknown;
  #inFlight: Promise<void> | undefined;

  constructor(
    locate: KeySetLocator,
    limits: RemoteKeySetLimits,
    dispatcher: Dispatcher | undefined,
    now: () => number,
  ) {
    this.#locate = locate;
    this.#limits = limits;
    this.#dispatcher = dispatcher;
    this.#now = now;
    this.#refreshAheadMs = limits.maxAgeMs * REFRESH_AHEAD;
  }

  /**
   * True when the loaded set may decide at `now` (clock milliseconds) without waiting: younger
   * than `maxAgeMs`, or older but within `staleMaxAgeMs` after a failed refresh. Starts a
   * background refresh when one is due. Synchronous and allocation-free while no refresh is due.
   */
  isCurrent(now: number): boolean {
    return now < this.#quietUntil || this.#attend(now);
  }

  /**
   * The key for a token header, from the set as loaded (no fetch): with a `kid`, the key with that
   * `kid`; without one, the only key that fits the algorithm. Keys fit by `kty`/`crv` and by their
   * `alg`, if they have one. Check {@link isCurrent} first.
   */
  select(kid: string | undefined, alg: AsymmetricAlgorithm): KeySetEntry | KeyMiss {
    let found: Entry | undefined;
    let count = 0;
    for (const entry of this.#entries) {
      if (kid !== undefined && entry.kid !== kid) continue;
      if (entry.alg !== undefined && entry.alg !== alg) continue;
      if (!keyMatchesAlgorithm(entry, alg)) continue;
      found = entry;
      count++;
    }
    if (count === 1 && found !== undefined) return found;
    if (count > 1) return 'unknown';
    for (const entry of this.#unusable) {
      if (kid !== undefined && entry.kid !== kid) continue;
      if (entry.alg !== undefined && entry.alg !== alg) continue;
      if (mayFit(entry, alg)) return 'unusable';
    }
    return 'unknown';
  }

  /**
   * Finds the key for a token header, fetching first when the set is missing or too old, and once
   * more for an unknown `kid` when the cooldown allows. Waits at most until `deadline`
   * (`performance.now()` milliseconds).
   *
   * @throws {UnknownKeyError} no key of the set fits the header.
   * @throws {UnusableKeyError} only unusable keys fit it.
   * @throws {KeySetUnavailableCause} no set can decide: fetching failed or timed out, or the
   *   refetch for an unknown `kid` failed (the `kid` may be a key rotated in meanwhile).
   */
  async resolve(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
    deadline: number,
  ): Promise<KeySetEntry> {
    await this.ensureCurrent(deadline);
    let found = this.select(kid, alg);
    if (typeof found !== 'object') {
      const now = this.#now();
      if (this.#inFlight !== undefined || this.#refetchAllowed(now)) {
        if (!(await within(this.#refresh(), deadline))) throw this.#unavailable('timed out');
        found = this.select(kid, alg);
        if (typeof found !== 'object' && this.#failures > 0) throw this.#unavailable();
      } else if (this.#failures > 0) {
        // The last fetch failed: the kid may belong to a key rotated in during the outage.
        throw this.#unavailable();
      }
    }
    if (found === 'unusable') {
      throw new UnusableKeyError('The only keys of the key set that fit the token are unusable');
    }
    if (found === 'unknown') {
      throw new UnknownKeyError('No key of the key set matches the token header');
    }
    return found;
  }

  /**
   * Makes the set current (see {@link isCurrent}), fetching and waiting when it is missing, or
   * past `maxAgeMs` with no failed refresh to excuse it. Waits at most until `deadline`.
   *
   * @throws {KeySetUnavailableCause} when no set can decide.
   */
  async ensureCurrent(deadline: number): Promise<void> {
    const now = this.#now();
    if (this.isCurrent(now)) return;
    if (this.#inFlight !== undefined || this.#retryAllowed(now)) {
      const settled = await within(this.#refresh(), deadline);
      if (this.isCurrent(this.#now())) return;
      // A fetch that did not end within the deadline counts as failed for this request.
      if (!settled && this.#withinStaleAge(this.#now())) return;
    }
    throw this.#unavailable();
  }

  /** What a refresh's outcome leaves decidable; the hot path calls this when a refresh is due. */
  #attend(now: number): boolean {
    const loadedAt = this.#loadedAt;
    if (loadedAt === undefined) return false;
    const age = now - loadedAt;
    if (age <= this.#limits.maxAgeMs || this.#servesStale(now, loadedAt)) {
      if (this.#inFlight === undefined && this.#retryAllowed(now)) void this.#refresh();
      return true;
    }
    return false;
  }

  /**
   * Past `maxAgeMs`, the old set serves only after a failed refresh: one that failed once the set
   * was due (or so recently that the backoff forbids another), and until `staleMaxAgeMs`.
   */
  #servesStale(now: number, loadedAt: number): boolean {
    if (this.#failures === 0 || !this.#withinStaleAge(now)) return false;
    return this.#failedAt >= loadedAt + this.#refreshAheadMs || !this.#retryAllowed(now);
  }

  #withinStaleAge(now: number): boolean {
    return this.#loadedAt !== undefined && now - this.#loadedAt <= this.#limits.staleMaxAgeMs;
  }

  /** A fetch to load or refresh the set: at once after a success, after the backoff after a failure. */
  #retryAllowed(now: number): boolean {
    return this.#failures === 0 || now - this.#failedAt >= this.#backoffMs();
  }

  /** A fetch for an unknown `kid`: once per cooldown after a success, after the backoff after a failure. */
  #refetchAllowed(now: number): boolean {
    if (this.#failures > 0) return now - this.#failedAt >= this.#backoffMs();
    return (
      this.#lastAttemptAt === undefined || now - this.#lastAttemptAt >= this.#limits.cooldownMs
    );
  }

  #backoffMs(): number {
    const doubled = FIRST_BACKOFF_MS * 2 ** Math.min(this.#failures - 1, 30);
    return Math.min(this.#limits.cooldownMs, doubled);
  }

  #unavailable(detail?: string): KeySetUnavailableCause {
    const message =
      detail === undefined
        ? 'The key set could not be fetched'
        : `The key set could not be fetched: ${detail}`;
    return new KeySetUnavailableCause(message, { cause: this.#lastFailure });
  }

  /** Single flight: every caller during a fetch awaits the same promise. Never rejects. */
  #refresh(): Promise<void> {
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #load(): Promise<void> {
    this.#lastAttemptAt = this.#now();
    const deadline = performance.now() + this.#limits.timeoutMs;
    let url: URL | undefined;
    try {
      url = await this.#locate(deadline);
      // AbortSignal.timeout takes whole milliseconds.
      const timeoutMs = Math.floor(deadline - performance.now());
      if (timeoutMs <= 0) throw new KeySetUnavailableCause(`GET ${url.href} timed out`);
      const document = await fetchJson(url, {
        dispatcher: this.#dispatcher,
        timeoutMs,
        maxBytes: this.#limits.maxBytes,
      });
      this.#install(document, url);
      const now = this.#now();
      this.#loadedAt = now;
      this.#quietUntil = now + this.#refreshAheadMs;
      this.#failures = 0;
      this.#lastFailure = undefined;
    } catch (error) {
      this.#failures++;
      this.#failedAt = this.#now();
      this.#lastFailure = error;
      emitKeySetEvent('fetchFailed', {
        url: url?.href,
        failures: this.#failures,
        retryInMs: this.#backoffMs(),
        message: error instanceof Error ? error.message : 'unknown error',
      });
    }
  }

  /**
   * RFC 7517 section 5: `{"keys": [...]}`. Keeps the entries (and their imported keys) of JWKs
   * seen before, marks dropped ones withdrawn, reports new unusable ones.
   *
   * @throws {KeySetUnavailableCause} not a key set, or no usable key in it.
   */
  #install(document: unknown, url: URL): void {
    const keys = isJsonObject(document) ? document['keys'] : undefined;
    if (!Array.isArray(keys)) {
      throw new KeySetUnavailableCause(`${url.href} is not a JSON Web Key Set`);
    }
    const previous = new Map(this.#entries.map((entry) => [entry.fingerprint, entry]));
    const entries: Entry[] = [];
    const unusable: UnusableJwk[] = [];
    const reported = new Set<string>();
    for (const jwk of keys as unknown[]) {
      const fingerprint = JSON.stringify(jwk);
      const kept = previous.get(fingerprint);
      if (kept !== undefined) {
        previous.delete(fingerprint);
        entries.push(kept);
        continue;
      }
      const imported = importJwk(jwk);
      if (imported.usable) {
        entries.push(new Entry(imported, fingerprint));
        continue;
      }
      unusable.push(imported);
      reported.add(fingerprint);
      if (!this.#reported.has(fingerprint)) {
        emitKeySetEvent('keyUnusable', {
          jwksUri: url.href,
          kid: imported.kid,
          reason: imported.reason,
        });
      }
    }
    if (entries.length === 0) {
      this.#reported = reported;
      throw new KeySetUnavailableCause(`${url.href} holds no usable key`);
    }
    for (const dropped of previous.values()) dropped.withdrawn = true;
    this.#entries = entries;
    this.#unusable = unusable;
    this.#reported = reported;
  }
}

class Entry implements KeySetEntry {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly crv: string | undefined;
  readonly alg: string | undefined;
  readonly key: KeyObject;
  /** The JWK as fetched, serialized: the same key across refreshes. */
  readonly fingerprint: string;
  withdrawn = false;
  readonly #bound = new Map<AsymmetricAlgorithm, JwsVerificationKey | undefined>();

  constructor(
    imported: {
      kid: string | undefined;
      kty: string;
      crv: string | undefined;
      alg: string | undefined;
      key: KeyObject;
    },
    fingerprint: string,
  ) {
    this.kid = imported.kid;
    this.kty = imported.kty;
    this.crv = imported.crv;
    this.alg = imported.alg;
    this.key = imported.key;
    this.fingerprint = fingerprint;
  }

  verificationKey(alg: AsymmetricAlgorithm): JwsVerificationKey | undefined {
    let bound = this.#bound.get(alg);
    if (bound === undefined && !this.#bound.has(alg)) {
      bound = bindVerificationKey(this.key, alg);
      this.#bound.set(alg, bound);
    }
    return bound;
  }
}

/**
 * Whether an unusable entry could be the key a token needs: its `kty` (and `crv`) fit the
 * algorithm, or are missing or malformed, so it may be any key.
 */
function mayFit(entry: UnusableJwk, alg: AsymmetricAlgorithm): boolean {
  if (entry.kty === undefined) return true;
  return keyMatchesAlgorithm({ kty: entry.kty, crv: entry.crv ?? impliedCurve(alg) }, alg);
}

/** The curve `alg` needs, standing in for a missing `crv`. */
function impliedCurve(alg: AsymmetricAlgorithm): string | undefined {
  switch (alg) {
    case 'ES256':
      return 'P-256';
    case 'ES384':
      return 'P-384';
    case 'ES512':
      return 'P-521';
    case 'EdDSA':
    case 'Ed25519':
      return 'Ed25519';
    default:
      return undefined;
  }
}

/**
 * Waits for `promise` until `deadline` (`performance.now()` milliseconds): true when it settled
 * in time. The promise is never rejected (a refresh records its failure instead).
 */
async function within(promise: Promise<void>, deadline: number): Promise<boolean> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, remaining, false);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
