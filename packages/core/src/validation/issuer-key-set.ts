import type { Dispatcher } from 'undici';
import { discoveredJwksUri } from './discovery.js';
import { RemoteKeySet, type KeySetLocator, type RemoteKeySetLimits } from './remote-key-set.js';

/** What {@link issuerKeySet} needs: whose keys, where (or discovered), and the limits. */
export interface IssuerKeySetOptions {
  /** The issuer, exactly as configured: discovery refuses a document naming another. */
  readonly issuer: string;
  /** The key set URL when configured; `undefined` to discover it from the issuer. */
  readonly jwksUri: URL | undefined;
  readonly limits: RemoteKeySetLimits;
  readonly dispatcher: Dispatcher | undefined;
  readonly allowInsecureHttp: boolean;
  /** Current time in milliseconds (the key set's ages and cooldowns). */
  readonly clock: () => number;
}

/** An issuer's remote key set, and how long one verification may wait for it. */
export interface IssuerKeySet {
  readonly keySet: RemoteKeySet;
  /**
   * The `performance.now()` time a verification that starts waiting for keys now stops waiting
   * by: `limits.timeoutMs` plus a short grace.
   */
  readonly deadline: () => number;
}

/**
 * Extra time a verification waits beyond `timeoutMs`, so that a fetch's own timeout (a failed
 * fetch, which lets a stale key set serve) ends the wait rather than the verification's deadline.
 */
const DEADLINE_GRACE_MS = 100;

/**
 * The key set of an issuer, as every JWT this library verifies with a remote key set needs it
 * (access tokens, ID tokens): the configured `jwksUri`, or the one discovered from the issuer's
 * metadata (OpenID Connect Discovery 1.0 section 4, then RFC 8414) on first use, within the key
 * set's own deadline, with its cooldown, backoff, size cap and stale-if-error (see
 * {@link RemoteKeySet}). Nothing is fetched before the first verification.
 */
export function issuerKeySet(options: IssuerKeySetOptions): IssuerKeySet {
  const { jwksUri, limits, dispatcher } = options;
  const locate: KeySetLocator =
    jwksUri !== undefined
      ? () => Promise.resolve(jwksUri)
      : discoveredJwksUri(options.issuer, {
          dispatcher,
          maxBytes: limits.maxBytes,
          allowInsecureHttp: options.allowInsecureHttp,
        });
  const waitMs = limits.timeoutMs + DEADLINE_GRACE_MS;
  return {
    keySet: new RemoteKeySet(locate, limits, dispatcher, options.clock),
    deadline: () => performance.now() + waitMs,
  };
}
