import { channel } from 'node:diagnostics_channel';

/**
 * What a verifier's key set reports on `node:diagnostics_channel`. Payloads hold URLs, `kid`s,
 * counts and fixed sentences: never a token, and no key material.
 */
export interface KeySetEvents {
  /**
   * A key of the set cannot verify signatures (not a JWK object, private members, a malformed
   * modulus, a point off its curve, `use`/`key_ops`/`ext` of the wrong type or meaning, ...).
   * Tokens that need it are answered 503; the other keys go on working. Published once per
   * verifier for each such key, when a fetched set first lists it.
   */
  keyUnusable: { jwksUri: string; kid: string | undefined; reason: string };
  /**
   * A fetch of the key set (or of the discovery document) failed. `failures` counts them in a
   * row; the next fetch waits `retryInMs` (the backoff: 1 s, doubling up to `keySet.cooldownMs`),
   * however many requests come meanwhile.
   */
  fetchFailed: { url: string | undefined; failures: number; retryInMs: number; message: string };
}

/** The `node:diagnostics_channel` name of each event: `ropkit:key-set:<event>`. */
export const KEY_SET_CHANNELS = {
  keyUnusable: channel('ropkit:key-set:key-unusable'),
  fetchFailed: channel('ropkit:key-set:fetch-failed'),
} as const;

/** Publishes an event on its channel, if anyone listens. */
export function emitKeySetEvent<E extends keyof KeySetEvents>(
  event: E,
  payload: KeySetEvents[E],
): void {
  const target = KEY_SET_CHANNELS[event];
  if (target.hasSubscribers) target.publish(payload);
}
