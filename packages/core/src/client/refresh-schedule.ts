/** When a refresh is due, relative to the token's lifetime. */
export interface RefreshSchedule {
  /**
   * Share of the lifetime after which to refresh (`0.8`: at 80%). Default `0.8`. Ignored when
   * `refreshWindowMs` is set.
   */
  refreshShare: number;
  /** Refresh this long before expiry instead, in milliseconds. Default: unset. */
  refreshWindowMs: number | undefined;
  /** Up to this share of the lifetime is taken off at random, so instances spread out. Default `0.05`. */
  jitterShare: number;
}

/**
 * The local time at which a token received at `receivedAt`, expiring at `expiresAt`, should be
 * refreshed: never before it was received, never after it expires.
 */
export function refreshTime(
  schedule: RefreshSchedule,
  receivedAt: number,
  expiresAt: number,
  random: () => number,
): number {
  const lifetime = Math.max(0, expiresAt - receivedAt);
  const planned =
    schedule.refreshWindowMs === undefined
      ? receivedAt + lifetime * schedule.refreshShare
      : expiresAt - schedule.refreshWindowMs;
  const jittered = planned - random() * schedule.jitterShare * lifetime;
  return Math.min(expiresAt, Math.max(receivedAt, Math.round(jittered)));
}
