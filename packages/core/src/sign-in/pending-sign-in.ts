/**
 * A second factor as the login routes name it: `otp` (an authenticator app), a code sent by
 * `sms`, `voice` call or `email`, a Guardian `push` notification, or a `recovery-code`.
 */
export type LoginFactor = 'otp' | 'sms' | 'voice' | 'email' | 'push' | 'recovery-code';

/** A factor the login routes can enrol (`POST /login/enroll`): every one but a recovery code. */
export type LoginEnrolFactor = Exclude<LoginFactor, 'recovery-code'>;

/** A factor reached out of band: a code sent by SMS, voice or email, or a push. */
export type OobFactor = 'sms' | 'voice' | 'email' | 'push';

/** An out-of-band challenge (or enrolment) waiting for its code or its push. */
export interface PendingOob {
  /** Auth0's `oob_code`: a secret, never sent to the browser or logged. */
  readonly oobCode: string;
  /** `push` is polled (`POST /login/push`); the others wait for the code sent (`/login/oob`). */
  readonly factor: OobFactor;
  /** Push: seconds between two polls of Auth0; `slow_down` adds 5 (RFC 8628 section 3.5). */
  readonly intervalSeconds?: number;
  /** Push: Auth0 is not polled before this time, in milliseconds since the epoch. */
  readonly nextPollAt?: number;
}

/** An enrolment started by `POST /login/enroll`, until the grant that confirms it. */
export interface PendingEnrolment {
  readonly factor: LoginEnrolFactor;
  /**
   * The recovery code Auth0 answers with a user's first enrolment: a secret, kept until the
   * enrolment is confirmed and then answered once (`new_recovery_code`).
   */
  readonly recoveryCode?: string;
}

/**
 * A step-up (RFC 9470) the sign-in engine keeps for a session: what the API asked for (its
 * `insufficient_user_authentication` challenge), where the user was, and, once the user signed in
 * again for it, when (for loop protection). Nothing secret: the requirement is the API's policy.
 */
export interface PendingStepUp {
  /** The `acr_values` to sign in with, in the API's order of preference; empty: any. */
  readonly acrValues: readonly string[];
  /** The `max_age` to sign in with, in seconds; absent: any. */
  readonly maxAge?: number;
  /** The path (and query) of this site to go back to once signed in: `signed_in`'s `returnTo`. */
  readonly returnTo?: string;
  /**
   * The `sub` of the user the API refused, when the session's ID token named one: a sign-in by
   * another user on the session neither goes back to `returnTo` nor counts as the step-up.
   */
  readonly sub?: string;
  /**
   * When the step-up sign-in completed, in milliseconds since the epoch; absent while it is still
   * to be done. A record with it is the loop protection's: the API asking the same again then is
   * answered `StepUpFailedError`, not another sign-in.
   */
  readonly completedAt?: number;
}

/**
 * A sign-in waiting for its second factor: what the engine keeps between the password grant's
 * `mfa_required` and the step that completes it. It goes into the token store, under the session's
 * key, so that any instance sharing the store (`@ropkit/redis`, encrypted like tokens) can go on
 * with it. Only `mfaToken` and `expiresAt` are required: a record written before the other fields
 * existed still reads as a challenge with any factor.
 */
export interface PendingSignIn {
  /**
   * Auth0's `mfa_token`: a secret, never sent to the browser or logged. `''` for a record that
   * opens no MFA step and only keeps a {@link PendingSignIn.stepUp}: one the API asked for, to be
   * done at the session's next sign-in, or one just completed.
   */
  readonly mfaToken: string;
  /** When the step closes, in milliseconds since the epoch; the store may forget it then. */
  readonly expiresAt: number;
  /**
   * `challenge` (the default): the user answers with a factor it has; `enroll`: it has none yet
   * and sets one up first (Auth0's `mfa_requirements.enroll`).
   */
  readonly mode?: 'challenge' | 'enroll';
  /** The factors the login answer offered: the user's (challenge) or those it may set up (enroll). */
  readonly factors?: readonly LoginFactor[];
  /** The out-of-band challenge or enrolment in progress, if any. */
  readonly oob?: PendingOob;
  /** The enrolment in progress, if any. */
  readonly enrolment?: PendingEnrolment;
  /** The step-up this sign-in is for, if any (RFC 9470). */
  readonly stepUp?: PendingStepUp;
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

const FACTORS: ReadonlySet<unknown> = new Set<LoginFactor>([
  'otp',
  'sms',
  'voice',
  'email',
  'push',
  'recovery-code',
]);
const OOB_FACTORS: ReadonlySet<unknown> = new Set<OobFactor>(['sms', 'voice', 'email', 'push']);

/**
 * Whether a stored value has the shape of a {@link PendingSignIn}, optional fields included (for
 * stores that decode: a value may come from another version of the package).
 */
export function isPendingSignIn(value: unknown): value is PendingSignIn {
  if (typeof value !== 'object' || value === null) return false;
  const field = (name: string): unknown => Reflect.get(value, name);
  const mode = field('mode');
  const factors = field('factors');
  const oob = field('oob');
  const enrolment = field('enrolment');
  const stepUp = field('stepUp');
  return (
    typeof field('mfaToken') === 'string' &&
    Number.isFinite(field('expiresAt')) &&
    (mode === undefined || mode === 'challenge' || mode === 'enroll') &&
    (factors === undefined || (Array.isArray(factors) && factors.every((f) => FACTORS.has(f)))) &&
    (oob === undefined || isPendingOob(oob)) &&
    (enrolment === undefined || isPendingEnrolment(enrolment)) &&
    (stepUp === undefined || isPendingStepUp(stepUp))
  );
}

function isPendingStepUp(value: unknown): value is PendingStepUp {
  if (typeof value !== 'object' || value === null) return false;
  const acrValues: unknown = Reflect.get(value, 'acrValues');
  const maxAge: unknown = Reflect.get(value, 'maxAge');
  const returnTo: unknown = Reflect.get(value, 'returnTo');
  const completedAt: unknown = Reflect.get(value, 'completedAt');
  const sub: unknown = Reflect.get(value, 'sub');
  return (
    (sub === undefined || typeof sub === 'string') &&
    Array.isArray(acrValues) &&
    acrValues.every((acr) => typeof acr === 'string' && acr !== '') &&
    (maxAge === undefined ||
      (typeof maxAge === 'number' && Number.isSafeInteger(maxAge) && maxAge >= 0)) &&
    (returnTo === undefined || typeof returnTo === 'string') &&
    (completedAt === undefined || Number.isFinite(completedAt))
  );
}

function isPendingOob(value: unknown): value is PendingOob {
  if (typeof value !== 'object' || value === null) return false;
  const interval: unknown = Reflect.get(value, 'intervalSeconds');
  const next: unknown = Reflect.get(value, 'nextPollAt');
  return (
    typeof Reflect.get(value, 'oobCode') === 'string' &&
    OOB_FACTORS.has(Reflect.get(value, 'factor')) &&
    (interval === undefined || (typeof interval === 'number' && interval > 0)) &&
    (next === undefined || Number.isFinite(next))
  );
}

function isPendingEnrolment(value: unknown): value is PendingEnrolment {
  if (typeof value !== 'object' || value === null) return false;
  const factor: unknown = Reflect.get(value, 'factor');
  const code: unknown = Reflect.get(value, 'recoveryCode');
  return (
    FACTORS.has(factor) &&
    factor !== 'recovery-code' &&
    (code === undefined || (typeof code === 'string' && code !== ''))
  );
}

/**
 * A copy of `pending` with its known fields only, frozen: what a store that serialises keeps
 * (no stray property of a caller's object ends up in it).
 */
export function normalizePendingSignIn(pending: PendingSignIn): PendingSignIn {
  const { mfaToken, expiresAt, mode, factors, oob, enrolment, stepUp } = pending;
  return Object.freeze({
    mfaToken,
    expiresAt,
    ...(mode === undefined ? {} : { mode }),
    ...(factors === undefined ? {} : { factors: Object.freeze([...factors]) }),
    ...(oob === undefined
      ? {}
      : {
          oob: Object.freeze({
            oobCode: oob.oobCode,
            factor: oob.factor,
            ...(oob.intervalSeconds === undefined ? {} : { intervalSeconds: oob.intervalSeconds }),
            ...(oob.nextPollAt === undefined ? {} : { nextPollAt: oob.nextPollAt }),
          }),
        }),
    ...(enrolment === undefined
      ? {}
      : {
          enrolment: Object.freeze({
            factor: enrolment.factor,
            ...(enrolment.recoveryCode === undefined
              ? {}
              : { recoveryCode: enrolment.recoveryCode }),
          }),
        }),
    ...(stepUp === undefined
      ? {}
      : {
          stepUp: Object.freeze({
            acrValues: Object.freeze([...stepUp.acrValues]),
            ...(stepUp.maxAge === undefined ? {} : { maxAge: stepUp.maxAge }),
            ...(stepUp.returnTo === undefined ? {} : { returnTo: stepUp.returnTo }),
            ...(stepUp.sub === undefined ? {} : { sub: stepUp.sub }),
            ...(stepUp.completedAt === undefined ? {} : { completedAt: stepUp.completedAt }),
          }),
        }),
  });
}
