import type { MfaAuthenticator, MfaAuthenticatorToEnrol, MfaPushPoll } from '../client/mfa-api.js';
import { SecretText } from '../client/secret-text.js';
import {
  MfaDeniedError,
  MfaExpiredError,
  OAuthError,
  type MfaFactorType,
  type MfaRequiredError,
} from '../client/token-errors.js';
import type { TokenManager } from '../client/token-manager.js';
import type { TokenSet } from '../client/token-set.js';
import type { RefreshLock } from '../client/token-store.js';
import { readChoice, readOtpField, readTextField } from './login-form.js';
import {
  ALREADY_ENROLLED,
  BINDING_CODE_MALFORMED,
  CHALLENGE_EXPIRED,
  CHALLENGE_MALFORMED,
  codeSent,
  EMAIL_MALFORMED,
  ENROLMENT_FIRST,
  ENROLMENT_MALFORMED,
  FACTOR_UNAVAILABLE,
  MFA_STEP_EXPIRED,
  NO_CODE_SENT,
  NO_PUSH_SENT,
  OTP_MALFORMED,
  outcomeOf,
  PHONE_NUMBER_MALFORMED,
  PUSH_DENIED,
  pushPending,
  RECOVERY_CODE_MALFORMED,
  STEP_UP_UNSATISFIED,
  type LoginOutcome,
} from './login-outcome.js';
import {
  normalizePendingSignIn,
  type LoginEnrolFactor,
  type LoginFactor,
  type OobFactor,
  type PendingSignIn,
  type PendingSignInStore,
  type PendingStepUp,
} from './pending-sign-in.js';
import type { LoginSession } from './session-port.js';
import type { StepUps } from './step-up.js';

/** What the MFA steps need from the engine that runs them. */
export interface StepContext {
  readonly manager: TokenManager;
  readonly pending: PendingSignInStore;
  readonly clock: () => number;
  readonly mfaStepTtlMs: number;
  /** The `forwardedFor` of the grants, for the user's IP (when the engine forwards it). */
  readonly forwarded: (ip: string | undefined) => { forwardedFor?: string };
  /** Files `key` in a renewed session, undoing the sign-in if the session cannot be renewed. */
  readonly adopt: (session: LoginSession, key: string) => Promise<void>;
  /** The step-up policy, for a sign-in that was one. */
  readonly stepUps: StepUps;
}

/** A step's request: the parsed body, the user's IP and the session. */
interface StepRequest {
  body: unknown;
  ip: string | undefined;
  session: LoginSession;
}

/**
 * Seconds between two polls of a push before Auth0 says otherwise with `slow_down`: RFC 8628
 * section 3.2's default (Auth0 documents none).
 */
export const PUSH_INTERVAL_SECONDS = 5;

/** The order factors are listed in: Auth0's for `mfa_requirements`, SMS before voice. */
const FACTOR_ORDER: readonly LoginFactor[] = [
  'otp',
  'push',
  'sms',
  'voice',
  'email',
  'recovery-code',
];
const OOB_FACTORS: readonly OobFactor[] = ['sms', 'voice', 'email', 'push'];
const ENROL_FACTORS: readonly LoginEnrolFactor[] = ['otp', 'sms', 'voice', 'email', 'push'];

/** Auth0's factor names (`mfa_requirements`) in the routes' names: `phone` is SMS or voice. */
const FACTORS_OF: Readonly<Record<MfaFactorType, readonly LoginFactor[]>> = {
  otp: ['otp'],
  'push-notification': ['push'],
  phone: ['sms', 'voice'],
  email: ['email'],
  'recovery-code': ['recovery-code'],
};

const E164 = /^\+[1-9]\d{1,14}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;
/** Auth0 authenticator ids: `sms|dev_…`, `totp|dev_…`. */
const AUTHENTICATOR_ID = /^[\w|.:-]{1,128}$/;

/**
 * Keys whose push is being polled, per token store: engines sharing a store in one process poll
 * Auth0 for a key one at a time; across processes the store's lock does it.
 */
const polling = new WeakMap<object, Set<string>>();

/** A lock that was not available: another instance is polling that push. */
const LOCKED = Symbol('locked');

/**
 * The second-factor steps of the sign-in engine: what happens between `mfa_required` and the
 * tokens. Every step reads the session's pending record from the token store, sends nothing for
 * input that cannot succeed, and, when the sign-in completes, stores the tokens, forgets the
 * record and renews the session id.
 */
export function createMfaSteps(context: StepContext) {
  const { manager, pending, clock, forwarded } = context;

  /** The session's key and open step, unless there is none or it expired. */
  async function openStep(session: LoginSession) {
    const key = session.readKey();
    const step = key === undefined ? undefined : await pending.getPendingSignIn(key);
    // An empty mfa_token: a record of a step-up only, with no MFA step open.
    if (key === undefined || step === undefined || step.mfaToken === '') return undefined;
    if (step.expiresAt <= clock()) return undefined;
    return { key, step };
  }

  /** Writes `step` with `changes` (an `undefined` field is removed). */
  async function save(
    key: string,
    step: PendingSignIn,
    changes: Partial<PendingSignIn>,
  ): Promise<PendingSignIn> {
    const next = normalizePendingSignIn({ ...step, ...changes });
    await pending.setPendingSignIn(key, next);
    return next;
  }

  /**
   * Stores the tokens, forgets the step (or, for a step-up, keeps that it was done), renews the
   * session: the sign-in is complete. A recovery code to show wins over a missed step-up: it is
   * never answered again.
   */
  async function complete(
    session: LoginSession,
    key: string,
    step: PendingSignIn,
    tokens: TokenSet,
    replaced?: SecretText,
  ): Promise<LoginOutcome> {
    await manager.save(key, tokens);
    const ended =
      step.stepUp === undefined
        ? undefined
        : await context.stepUps.completed(key, step.stepUp, tokens);
    if (ended === undefined) await pending.deletePendingSignIn(key);
    await context.adopt(session, key);
    const returnTo = typeof ended === 'object' ? ended.returnTo : undefined;
    const back = returnTo === undefined ? {} : { returnTo };
    if (replaced !== undefined) {
      return {
        status: 'new_recovery_code',
        message: 'Signed in. Save this new recovery code: the one you used no longer works',
        recoveryCode: replaced,
        ...back,
      };
    }
    const first = step.enrolment?.recoveryCode;
    if (first !== undefined) {
      return {
        status: 'new_recovery_code',
        message: 'Signed in. Save this recovery code: it signs you in if you lose your device',
        recoveryCode: new SecretText(first),
        ...back,
      };
    }
    return ended === 'unsatisfied' ? STEP_UP_UNSATISFIED : { status: 'signed_in', ...back };
  }

  /** A grant failed: an expired mfa_token closes the step; the rest is `outcomeOf`. */
  async function failed(key: string, error: unknown): Promise<LoginOutcome> {
    if (error instanceof MfaExpiredError) {
      await pending.deletePendingSignIn(key);
      return MFA_STEP_EXPIRED;
    }
    return outcomeOf(error, 'invalid_otp');
  }

  /** An MFA API call failed: a dead mfa_token closes the step; a refused factor is unavailable. */
  async function apiFailed(
    key: string,
    error: unknown,
    refused: readonly string[],
  ): Promise<LoginOutcome> {
    if (
      error instanceof MfaExpiredError ||
      (error instanceof OAuthError && ['invalid_grant', 'invalid_token'].includes(error.error))
    ) {
      await pending.deletePendingSignIn(key);
      return MFA_STEP_EXPIRED;
    }
    if (error instanceof OAuthError && refused.includes(error.error)) return FACTOR_UNAVAILABLE;
    return outcomeOf(error, 'invalid_otp');
  }

  return {
    /**
     * Opens the step after `mfa_required`: the factors from Auth0's `mfa_requirements` (or, when
     * it sent none, from the user's authenticators, as Auth0's guide does), kept under `key`
     * with the step-up the sign-in is for, if any.
     */
    start: async (
      key: string,
      error: MfaRequiredError,
      stepUp?: PendingStepUp,
    ): Promise<LoginOutcome> => {
      let mode: 'challenge' | 'enroll';
      let factors: LoginFactor[];
      const { requirements } = error;
      if (requirements === undefined) {
        let authenticators: MfaAuthenticator[];
        try {
          authenticators = await manager.client.mfaAuthenticators({ token: error.mfaToken });
        } catch (listing) {
          return outcomeOf(listing, 'invalid_credentials');
        }
        factors = ordered(authenticators.flatMap(factorOfAuthenticator));
        mode = factors.length === 0 ? 'enroll' : 'challenge';
        if (mode === 'enroll') factors = [...ENROL_FACTORS];
      } else {
        mode = requirements.challenge.length === 0 ? 'enroll' : 'challenge';
        const types = mode === 'enroll' ? requirements.enroll : requirements.challenge;
        factors = ordered(types.flatMap((type) => FACTORS_OF[type]));
        if (mode === 'enroll') factors = factors.filter((factor) => factor !== 'recovery-code');
      }
      await pending.setPendingSignIn(
        key,
        normalizePendingSignIn({
          mfaToken: error.mfaToken,
          expiresAt: clock() + context.mfaStepTtlMs,
          mode,
          factors,
          ...(stepUp === undefined ? {} : { stepUp }),
        }),
      );
      return mode === 'enroll'
        ? {
            status: 'mfa_enrollment_required',
            message: 'Set up a second factor to finish signing in',
            factors: factors.filter(isEnrolFactor),
          }
        : { status: 'mfa_required', factors };
    },

    /** `POST /login/otp`: the code of an authenticator app (also the first one, at enrolment). */
    verifyOtp: async ({ body, ip, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const otp = readOtpField(body);
      if (!/^\d{6,8}$/.test(otp)) return OTP_MALFORMED;
      const { key, step } = open;
      if (step.mode === 'enroll' && step.enrolment?.factor !== 'otp') return ENROLMENT_FIRST;
      if (step.mode !== 'enroll' && !offers(step, 'otp')) return FACTOR_UNAVAILABLE;
      let tokens: TokenSet;
      try {
        tokens = await manager.client.mfaOtp({ mfaToken: step.mfaToken, otp, ...forwarded(ip) });
      } catch (error) {
        return failed(key, error);
      }
      return complete(session, key, step, tokens);
    },

    /** `POST /login/challenge`: sends a code (SMS, voice, email) or a push. */
    challenge: async ({ body, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const factor = readChoice(body, 'factor', OOB_FACTORS);
      const authenticatorId = readTextField(body, 'authenticator_id');
      if (
        factor === undefined ||
        (authenticatorId !== '' && !AUTHENTICATOR_ID.test(authenticatorId))
      )
        return CHALLENGE_MALFORMED;
      const { key, step } = open;
      if (step.mode === 'enroll') return ENROLMENT_FIRST;
      if (!offers(step, factor)) return FACTOR_UNAVAILABLE;
      let challenge;
      try {
        challenge = await manager.client.mfaChallenge({
          mfaToken: step.mfaToken,
          challengeType: 'oob',
          oobChannel: factor === 'push' ? 'auth0' : factor,
          ...(authenticatorId === '' ? {} : { authenticatorId }),
        });
      } catch (error) {
        return apiFailed(key, error, [
          'unsupported_challenge_type',
          'association_required',
          'invalid_request',
        ]);
      }
      if (
        challenge.challengeType !== 'oob' ||
        (challenge.bindingMethod === 'prompt') === (factor === 'push')
      ) {
        return FACTOR_UNAVAILABLE;
      }
      if (factor === 'push') {
        await save(key, step, { oob: pushRecord(challenge.oobCode, clock()) });
        return pushPending(PUSH_INTERVAL_SECONDS);
      }
      await save(key, step, { oob: { oobCode: challenge.oobCode, factor } });
      return codeSent(factor);
    },

    /** `POST /login/oob`: the code sent by SMS, voice or email (a challenge or an enrolment). */
    verifyOob: async ({ body, ip, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const bindingCode = readTextField(body, 'binding_code');
      if (!/^\d{4,10}$/.test(bindingCode)) return BINDING_CODE_MALFORMED;
      const { key, step } = open;
      const { oob } = step;
      if (oob === undefined || oob.factor === 'push') return NO_CODE_SENT;
      let tokens: TokenSet;
      try {
        tokens = await manager.client.mfaOob({
          mfaToken: step.mfaToken,
          oobCode: oob.oobCode,
          bindingCode,
          ...forwarded(ip),
        });
      } catch (error) {
        if (!(error instanceof MfaExpiredError)) return failed(key, error);
        // The code expired; the step may still send another.
        await save(key, step, { oob: undefined });
        return CHALLENGE_EXPIRED;
      }
      return complete(session, key, step, tokens);
    },

    /**
     * `POST /login/push`: polls the push at most once per interval, whatever the browser does:
     * sooner, or while another request (on any instance sharing the store) polls it, it answers
     * `push_pending` with the seconds left, without a request to Auth0.
     */
    pollPush: async ({ ip, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const { key, step } = open;
      if (step.oob?.factor !== 'push') return NO_PUSH_SENT;
      const interval = step.oob.intervalSeconds ?? PUSH_INTERVAL_SECONDS;
      const store = manager.store;
      let keys = polling.get(store);
      if (keys === undefined) polling.set(store, (keys = new Set()));
      if (keys.has(key)) return pushPending(interval);
      keys.add(key);
      let lock: RefreshLock | undefined | typeof LOCKED;
      try {
        // A store shared by several processes (@ropkit/redis) has a lock: one poller at a time.
        // Should taking it fail, the claim below still spaces the polls.
        lock =
          typeof store.lock === 'function'
            ? ((await store.lock(key).catch(() => undefined)) ?? LOCKED)
            : undefined;
        if (lock === LOCKED) return pushPending(interval);
        return await pollOnce(key, session, ip);
      } finally {
        keys.delete(key);
        if (lock !== undefined && lock !== LOCKED) await lock.release().catch(() => undefined);
      }
    },

    /** `POST /login/recovery`: a recovery code; answers the new one Auth0 gives in its place. */
    verifyRecoveryCode: async ({ body, ip, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const recoveryCode = readTextField(body, 'recovery_code');
      if (!/^[A-Za-z0-9-]{4,64}$/.test(recoveryCode)) return RECOVERY_CODE_MALFORMED;
      const { key, step } = open;
      if (step.mode === 'enroll') return ENROLMENT_FIRST;
      let signIn;
      try {
        signIn = await manager.client.mfaRecoveryCode({
          mfaToken: step.mfaToken,
          recoveryCode,
          ...forwarded(ip),
        });
      } catch (error) {
        return failed(key, error);
      }
      return complete(session, key, step, signIn.tokens, signIn.recoveryCode);
    },

    /** `POST /login/enroll`: sets a first factor up, for a user who has none. */
    enroll: async ({ body, session }: StepRequest): Promise<LoginOutcome> => {
      const open = await openStep(session);
      if (open === undefined) return MFA_STEP_EXPIRED;
      const factor = readChoice(body, 'factor', ENROL_FACTORS);
      if (factor === undefined) return ENROLMENT_MALFORMED;
      let authenticator: MfaAuthenticatorToEnrol;
      if (factor === 'sms' || factor === 'voice') {
        const phoneNumber = readTextField(body, 'phone_number');
        if (!E164.test(phoneNumber)) return PHONE_NUMBER_MALFORMED;
        authenticator = { type: factor, phoneNumber };
      } else if (factor === 'email') {
        const email = readTextField(body, 'email');
        if (email !== '' && !EMAIL.test(email)) return EMAIL_MALFORMED;
        authenticator = email === '' ? { type: 'email' } : { type: 'email', email };
      } else {
        authenticator = { type: factor };
      }
      const { key, step } = open;
      if (step.mode !== 'enroll') return ALREADY_ENROLLED;
      if (!offers(step, factor)) return FACTOR_UNAVAILABLE;
      let enrolment;
      try {
        enrolment = await manager.client.mfaAssociate({ token: step.mfaToken, authenticator });
      } catch (error) {
        if (error instanceof OAuthError && error.error === 'access_denied') return ALREADY_ENROLLED;
        return apiFailed(key, error, ['invalid_request', 'unsupported_challenge_type']);
      }
      const recoveryCode = enrolment.recoveryCodes[0]?.reveal();
      const record = { factor, ...(recoveryCode === undefined ? {} : { recoveryCode }) };
      if (enrolment.authenticatorType === 'otp') {
        if (factor !== 'otp') return FACTOR_UNAVAILABLE;
        await save(key, step, { enrolment: record, oob: undefined });
        return {
          status: 'enrollment_started',
          message: 'Scan the QR code with your authenticator app, then enter the code it shows',
          factor: 'otp',
          barcodeUri: enrolment.barcodeUri,
          secret: enrolment.secret,
        };
      }
      if (factor === 'otp') return FACTOR_UNAVAILABLE;
      if (factor === 'push') {
        if (enrolment.barcodeUri === undefined) return FACTOR_UNAVAILABLE;
        await save(key, step, { enrolment: record, oob: pushRecord(enrolment.oobCode, clock()) });
        return {
          status: 'enrollment_started',
          message: 'Scan the QR code with Auth0 Guardian, then approve the sign-in',
          factor: 'push',
          barcodeUri: enrolment.barcodeUri,
          retryAfter: PUSH_INTERVAL_SECONDS,
        };
      }
      await save(key, step, { enrolment: record, oob: { oobCode: enrolment.oobCode, factor } });
      return codeSent(factor);
    },
  };

  /**
   * One poll, by the one poller of the key: re-reads the step, answers the wait left when the
   * interval has not passed, and otherwise claims the next interval before asking Auth0, so that
   * a poll that reads the record meanwhile (another instance) waits too.
   */
  async function pollOnce(
    key: string,
    session: LoginSession,
    ip: string | undefined,
  ): Promise<LoginOutcome> {
    const step = await pending.getPendingSignIn(key);
    const now = clock();
    if (step === undefined || step.expiresAt <= now) return MFA_STEP_EXPIRED;
    const { oob } = step;
    if (oob?.factor !== 'push') return NO_PUSH_SENT;
    const interval = oob.intervalSeconds ?? PUSH_INTERVAL_SECONDS;
    if (oob.nextPollAt !== undefined && now < oob.nextPollAt) {
      return pushPending(Math.max(1, Math.ceil((oob.nextPollAt - now) / 1000)));
    }
    const claimed = await save(key, step, {
      oob: { ...oob, intervalSeconds: interval, nextPollAt: now + interval * 1000 },
    });
    let answer: MfaPushPoll;
    try {
      answer = await manager.client.mfaPushPoll({
        mfaToken: step.mfaToken,
        oobCode: oob.oobCode,
        ...forwarded(ip),
      });
    } catch (error) {
      if (error instanceof MfaDeniedError) {
        await save(key, claimed, { oob: undefined });
        return PUSH_DENIED;
      }
      if (
        error instanceof MfaExpiredError ||
        (error instanceof OAuthError && error.error === 'invalid_grant')
      ) {
        await save(key, claimed, { oob: undefined });
        return CHALLENGE_EXPIRED;
      }
      if (error instanceof OAuthError && error.retryAfter !== undefined) {
        // Told to wait (RFC 9110 section 10.2.3): no poll before then either.
        const wait = Math.max(interval, error.retryAfter);
        await save(key, claimed, { oob: { ...oob, nextPollAt: clock() + wait * 1000 } });
      }
      return outcomeOf(error, 'invalid_otp');
    }
    if (answer.status === 'approved') return complete(session, key, claimed, answer.tokens);
    if (answer.status === 'slow_down') {
      // RFC 8628 section 3.5: 5 seconds more "for this and all subsequent requests".
      const grown = interval + 5;
      await save(key, claimed, {
        oob: { ...oob, intervalSeconds: grown, nextPollAt: clock() + grown * 1000 },
      });
      return pushPending(grown);
    }
    return pushPending(interval);
  }
}

/** Whether the step offered `factor` (a record without the list offers any). */
function offers(step: PendingSignIn, factor: LoginFactor): boolean {
  return step.factors === undefined || step.factors.includes(factor);
}

function isEnrolFactor(factor: LoginFactor): factor is LoginEnrolFactor {
  return factor !== 'recovery-code';
}

/** A push waiting to be polled, first after the interval. */
function pushRecord(oobCode: string, now: number) {
  return {
    oobCode,
    factor: 'push' as const,
    intervalSeconds: PUSH_INTERVAL_SECONDS,
    nextPollAt: now + PUSH_INTERVAL_SECONDS * 1000,
  };
}

/** The factor of a confirmed authenticator of `GET /mfa/authenticators`, if the routes have it. */
function factorOfAuthenticator(authenticator: MfaAuthenticator): LoginFactor[] {
  if (!authenticator.active) return [];
  switch (authenticator.authenticatorType) {
    case 'otp':
      return ['otp'];
    case 'recovery-code':
      return ['recovery-code'];
    case 'oob':
      if (authenticator.oobChannel === undefined) return [];
      return [authenticator.oobChannel === 'auth0' ? 'push' : authenticator.oobChannel];
    default:
      return [];
  }
}

/** `factors` without duplicates, in {@link FACTOR_ORDER}. */
function ordered(factors: readonly LoginFactor[]): LoginFactor[] {
  return FACTOR_ORDER.filter((factor) => factors.includes(factor));
}
