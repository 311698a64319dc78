import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Dispatcher } from 'undici';
import { fetchJson } from '../http/fetch-json.js';
import { keyMatchesAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';

/** Timing and size limits of the verifier's remote key set (its `keySet` option). All durations in milliseconds. */
export interface RemoteKeySetLimits {
  /** Time allowed for one fetch of the key set or discovery document. */
  timeoutMs: number;
  /** Largest key set or discovery document accepted, in bytes. */
  maxBytes: number;
  /** Minimum time between two fetches; bounds refetches caused by unknown `kid`s. */
  cooldownMs: number;
  /** Age after which the key set is refreshed in the background, while still being used. */
  maxAgeMs: number;
  /** Age after which a key set that could not be refreshed is no longer used. */
  staleMaxAgeMs: number;
}

/** Where the key set lives; resolved lazily so discovery can run on first use. */
export type KeySetLocator = () => Promise<URL>;

/** One key of the set, imported on first use and kept while the set lists it. */
export interface KeySetEntry {
  readonly jwk: Readonly<JWK>;
  /** The serialized JWK, to recognise the same key across refreshes. */
  readonly fingerprint: string;
  /** Set once a refresh no longer lists the key: cached verifications by it stop counting. */
  withdrawn: boolean;
  readonly imported: Map<string, Promise<CryptoKey>>;
  /** Imports that have completed, for the synchronous fast path. */
  readonly ready: Map<string, CryptoKey>;
}

/** The token names a key the set does not hold (after a refetch, if the cooldown allowed one). */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
}

/** No usable key set: fetching failed and nothing cached can decide. */
export class KeySetUnavailableCause extends Error {
  override readonly name = 'KeySetUnavailableCause';
}

/**
 * A remote JSON Web Key Set (RFC 7517 section 5) with the guarantees an API needs:
 * - at most one fetch in flight; concurrent callers share it;
 * - at most one fetch per cooldown, so tokens with made-up `kid`s cannot flood the server;
 * - a rotated-in key is picked up by refetching on an unknown `kid`;
 * - the last good set keeps being used for `staleMaxAgeMs` while the endpoint fails;
 * - nothing in a token (`jku`, `x5u`, `jwk`, `kid`, ...) causes a request to another URL;
 * - symmetric (`oct`) keys and keys marked for encryption are never imported.
 */
export class RemoteKeySet {
  readonly #locate: KeySetLocator;
  readonly #limits: RemoteKeySetLimits;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #now: () => number;

  #entries: KeySetEntry[] = [];
  #loadedAt: number | undefined;
  #lastAttemptAt: number | undefined;
  #inFlight: Promise<void> | undefined;
  #lastFailure: unknown;

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
  }

  /**
   * The key for a token header when it can be had without waiting: the set is loaded and not due
   * for a refresh, and the key is already imported. Otherwise `undefined`; call {@link getKey}.
   */
  peekKey(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
  ): { entry: KeySetEntry; key: CryptoKey } | undefined {
    if (this.#loadedAt === undefined || this.#now() - this.#loadedAt > this.#limits.maxAgeMs) {
      return undefined;
    }
    const entry = this.#select(kid, alg);
    const key = entry?.ready.get(alg);
    return entry === undefined || key === undefined ? undefined : { entry, key };
  }

  /**
   * Finds and imports the key for a token header.
   *
   * @throws {UnknownKeyError} no key of the set matches the header.
   * @throws {KeySetUnavailableCause} the set could not be fetched and none cached can decide.
   */
  async getKey(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
  ): Promise<{ entry: KeySetEntry; key: CryptoKey }> {
    await this.#ensureFresh();
    let entry = this.#select(kid, alg);
    if (entry === undefined && this.#mayFetch()) {
      await this.#refresh();
      entry = this.#select(kid, alg);
      // The refetch failed: the unknown kid may be a rotated-in key, so nothing can decide.
      if (entry === undefined && this.#lastFailure !== undefined) throw this.#unavailable();
    }
    if (entry === undefined) {
      throw new UnknownKeyError('No key of the key set matches the token header');
    }
    return { entry, key: await importEntry(entry, alg) };
  }

  /** Loads the set if none is usable, and starts a background refresh when it is old. */
  async #ensureFresh(): Promise<void> {
    const now = this.#now();
    if (this.#loadedAt === undefined || now - this.#loadedAt > this.#limits.staleMaxAgeMs) {
      if (this.#mayFetch()) await this.#refresh();
      if (
        this.#loadedAt === undefined ||
        this.#now() - this.#loadedAt > this.#limits.staleMaxAgeMs
      ) {
        throw this.#unavailable();
      }
      return;
    }
    if (now - this.#loadedAt > this.#limits.maxAgeMs && this.#mayFetch()) {
      // Stale-while-revalidate: this request goes on with the current keys.
      // #refresh never rejects; failures are kept in #lastFailure.
      void this.#refresh();
    }
  }

  #mayFetch(): boolean {
    if (this.#inFlight !== undefined) return true;
    return (
      this.#lastAttemptAt === undefined ||
      this.#now() - this.#lastAttemptAt >= this.#limits.cooldownMs
    );
  }

  #unavailable(): KeySetUnavailableCause {
    return new KeySetUnavailableCause('The key set could not be fetched', {
      cause: this.#lastFailure,
    });
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
    try {
      const url = await this.#locate();
      const document = await fetchJson(url, {
        dispatcher: this.#dispatcher,
        timeoutMs: this.#limits.timeoutMs,
        maxBytes: this.#limits.maxBytes,
      });
      this.#replaceEntries(parseKeySet(document, url));
      this.#loadedAt = this.#now();
      this.#lastFailure = undefined;
    } catch (error) {
      this.#lastFailure = error;
    }
  }

  /** Keeps entries (and their imported keys) for unchanged JWKs; marks dropped ones withdrawn. */
  #replaceEntries(jwks: readonly JWK[]): void {
    const previous = new Map(this.#entries.map((entry) => [entry.fingerprint, entry]));
    const next: KeySetEntry[] = [];
    for (const jwk of jwks) {
      const fingerprint = JSON.stringify(jwk);
      const kept = previous.get(fingerprint);
      if (kept !== undefined) {
        previous.delete(fingerprint);
        next.push(kept);
      } else {
        next.push({
          jwk: Object.freeze({ ...jwk }),
          fingerprint,
          withdrawn: false,
          imported: new Map(),
          ready: new Map(),
        });
      }
    }
    for (const dropped of previous.values()) dropped.withdrawn = true;
    this.#entries = next;
  }

  /**
   * RFC 7515 section 4.1.4: with a `kid`, the key with that `kid`; without one, the only key that
   * fits the algorithm (several candidates are ambiguous and match nothing).
   */
  #select(kid: string | undefined, alg: AsymmetricAlgorithm): KeySetEntry | undefined {
    let found: KeySetEntry | undefined;
    for (const entry of this.#entries) {
      const { jwk } = entry;
      if (kid !== undefined && jwk.kid !== kid) continue;
      if (jwk.alg !== undefined && jwk.alg !== alg) continue;
      if (!keyMatchesAlgorithm(jwk, alg)) continue;
      if (found !== undefined) return undefined;
      found = entry;
    }
    return found;
  }
}

function importEntry(entry: KeySetEntry, alg: AsymmetricAlgorithm): Promise<CryptoKey> {
  let imported = entry.imported.get(alg);
  if (imported === undefined) {
    imported = importJWK({ ...entry.jwk, ext: false }, alg).then((key) => {
      // Only `oct` JWKs import as bytes, and parseKeySet drops them.
      if (key instanceof Uint8Array) throw new TypeError('Symmetric keys are never used');
      entry.ready.set(alg, key);
      return key;
    });
    entry.imported.set(alg, imported);
    // A key that fails to import is not retried for every token.
    imported.catch(() => undefined);
  }
  return imported;
}

/**
 * RFC 7517 section 5: `{"keys": [...]}`. Entries that are not signature public keys are dropped:
 * `oct` keys (a public symmetric key forges tokens), private keys, and `use` other than `sig`.
 */
function parseKeySet(document: unknown, url: URL): JWK[] {
  const keys =
    typeof document === 'object' && document !== null
      ? (document as { keys?: unknown }).keys
      : undefined;
  if (!Array.isArray(keys)) {
    throw new KeySetUnavailableCause(`${url.href} is not a JSON Web Key Set`);
  }
  const usable: JWK[] = [];
  for (const jwk of keys as unknown[]) {
    if (!isJwkObject(jwk) || jwk.kty === 'oct') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.d !== undefined) continue;
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string') continue;
    usable.push(jwk);
  }
  return usable;
}

function isJwkObject(value: unknown): value is JWK & { kty: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kty?: unknown }).kty === 'string'
  );
}
