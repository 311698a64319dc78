/**
 * A sign-in waiting for its second factor: what the engine keeps between the password grant's
 * `mfa_required` and the OTP. It goes into the token store, under the session's key, so that any
 * instance sharing the store (`@ropkit/redis`, encrypted like tokens) can finish it.
 */
export interface PendingSignIn {
  /** Auth0's `mfa_token`: a secret, never sent to the browser or logged. */
  readonly mfaToken: string;
  /** When the step closes, in milliseconds since the epoch; the store may forget it then. */
  readonly expiresAt: number;
}

/** The part of a token store that keeps {@link PendingSignIn}s. */
export interface PendingSignInStore {
  /** The pending sign-in under `key`, or `undefined` (none, or expired). */
  getPendingSignIn(key: string): Promise<PendingSignIn | undefined>;
  /** Keeps `pending` under `key` until `pending.expiresAt`, replacing any other. */
  setPendingSignIn(key: string, pending: PendingSignIn): Promise<void>;
  /** Forgets the pending sign-in under `key`. */
  deletePendingSignIn(key: string): Promise<void>;
}

/** Whether a store keeps pending sign-ins (all three methods are there). */
export function keepsPendingSignIns(store: object): store is PendingSignInStore {
  return (
    typeof Reflect.get(store, 'getPendingSignIn') === 'function' &&
    typeof Reflect.get(store, 'setPendingSignIn') === 'function' &&
    typeof Reflect.get(store, 'deletePendingSignIn') === 'function'
  );
}

/** Whether a stored value has the shape of a {@link PendingSignIn} (for stores that decode). */
export function isPendingSignIn(value: unknown): value is PendingSignIn {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'mfaToken') === 'string' &&
    Number.isFinite(Reflect.get(value, 'expiresAt'))
  );
}
