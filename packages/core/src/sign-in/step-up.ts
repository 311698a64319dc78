import {
  sameStepUp,
  StepUpFailedError,
  type StepUpChallenge,
  type StepUpRequiredError,
} from '../client/step-up-challenge.js';
import type { TokenSet } from '../client/token-set.js';
import {
  normalizePendingSignIn,
  type PendingSignIn,
  type PendingSignInStore,
  type PendingStepUp,
} from './pending-sign-in.js';

/**
 * The application's request on whose behalf `apiFetch` calls the API: its method and URL (path
 * and query, as the framework received it). After a step-up, a `GET` is where the user is sent
 * back to (`returnTo`).
 */
export interface CallingRequest {
  readonly method: string;
  readonly url: string;
}

/**
 * How long after a step-up sign-in the API asking the same again counts as a loop, in
 * milliseconds: at most 5 minutes, at most the `max_age` asked (after that, a new sign-in is what
 * `max_age` means), but at least 30 seconds, so that the retry that follows the sign-in is always
 * covered (`max_age=0` included).
 */
export function stepUpRetryWindowMs(maxAge: number | undefined): number {
  const longest = 300_000;
  return maxAge === undefined ? longest : Math.min(longest, Math.max(30_000, maxAge * 1000));
}

/**
 * Seconds an ID token's `auth_time` may be older than `max_age` before the engine calls a step-up
 * unsatisfied itself (clock skew, a slow second factor): the API decides anything closer.
 */
const AUTH_TIME_LEEWAY_SECONDS = 30;

/** The longest `returnTo` kept. */
const MAX_RETURN_TO_LENGTH = 2048;

/**
 * Where to send the user back after a step-up: the calling request's URL when it is a `GET` of a
 * path of this site (`/...`, not `//host` nor `/\host`, which browsers read as another host),
 * printable ASCII only; otherwise none. A POST is never replayed by a redirect.
 */
export function returnToOf(request: CallingRequest | undefined): string | undefined {
  if (request === undefined || typeof request !== 'object' || request === null) return undefined;
  const { method, url } = request;
  if (typeof method !== 'string' || method.toUpperCase() !== 'GET') return undefined;
  if (
    typeof url !== 'string' ||
    url.length > MAX_RETURN_TO_LENGTH ||
    !/^\/(?![/\\])[\x21-\x7E]*$/.test(url)
  ) {
    return undefined;
  }
  return url;
}

/** How a step-up sign-in ended: its `returnTo`, or tokens that visibly miss the requirement. */
export type StepUpEnd = { returnTo: string | undefined } | 'unsatisfied';

/** What the step-up policy needs from the engine. */
export interface StepUpContext {
  readonly pending: PendingSignInStore;
  readonly clock: () => number;
  /** How long a step-up asked for waits for the sign-in: the engine's `mfaStepTtlMs`. */
  readonly ttlMs: number;
}

/**
 * The sign-in engine's step-up policy (RFC 9470), decided once: a record in the pending store
 * under the session's key (an empty `mfaToken`: no MFA step) remembers what the API asked and
 * where the user was, until the next sign-in sends it as `acr_values` and `max_age`; once that
 * sign-in completes, the record under the new key remembers it was done, so that the API asking
 * the same again right away is a {@link StepUpFailedError}, not another sign-in.
 */
export function createStepUps({ pending, clock, ttlMs }: StepUpContext) {
  /**
   * The step-up of the record under `key`, unless it expired: one asked for (no MFA step, or the
   * MFA step of a sign-in for it, which a new password replaces), or one done (`completedAt`).
   */
  async function recordOf(key: string): Promise<PendingStepUp | undefined> {
    const record = await pending.getPendingSignIn(key);
    return record === undefined || record.expiresAt <= clock() ? undefined : record.stepUp;
  }

  return {
    /** The step-up the next sign-in of the session holding `key` must send, if any. */
    async toSignInWith(key: string | undefined): Promise<PendingStepUp | undefined> {
      if (key === undefined) return undefined;
      const stepUp = await recordOf(key);
      return stepUp?.completedAt === undefined ? stepUp : undefined;
    },

    /**
     * `apiFetch` of the session holding `key` was refused with `error`: the error to throw. A
     * requirement the session just signed in again for is a loop: {@link StepUpFailedError}, as
     * long as the record of that sign-in lasts ({@link stepUpRetryWindowMs}), for a reload, a
     * second call or another replica alike; after it, a refusal asks again. Any other requirement
     * is remembered for the next sign-in, with `returnTo`, and `error` is thrown as it is.
     */
    async refused(
      key: string,
      error: StepUpRequiredError,
      returnTo: string | undefined,
      sub: string | undefined,
    ): Promise<StepUpRequiredError | StepUpFailedError> {
      const done = await recordOf(key);
      if (done?.completedAt !== undefined && sameStepUp(challengeOf(done), error)) {
        return new StepUpFailedError(error, { cause: error });
      }
      await pending.setPendingSignIn(
        key,
        stepUpRecord(clock() + ttlMs, {
          acrValues: error.acrValues,
          ...(error.maxAge === undefined ? {} : { maxAge: error.maxAge }),
          ...(returnTo === undefined ? {} : { returnTo }),
          ...(sub === undefined ? {} : { sub }),
        }),
      );
      return error;
    },

    /**
     * A sign-in for `stepUp` stored `tokens` under `key` (by the user the API refused, when both
     * ID tokens name one; another user's sign-in only drops it): the record of the completed step-up
     * replaces whatever was under `key` (the MFA step), so that the same refusal right after is a
     * loop. The answer is where to go back to, or `unsatisfied` when the ID token says the
     * requirement is missed (an `acr` not asked for, an `auth_time` older than `max_age`).
     */
    async completed(key: string, stepUp: PendingStepUp, tokens: TokenSet): Promise<StepUpEnd> {
      const now = clock();
      // Another user signed in on the session (an abandoned step-up): not theirs to complete.
      const signedIn = tokens.idTokenClaims?.sub;
      if (stepUp.sub !== undefined && signedIn !== undefined && signedIn !== stepUp.sub) {
        await pending.deletePendingSignIn(key);
        return { returnTo: undefined };
      }
      await pending.setPendingSignIn(
        key,
        stepUpRecord(now + stepUpRetryWindowMs(stepUp.maxAge), {
          acrValues: stepUp.acrValues,
          ...(stepUp.maxAge === undefined ? {} : { maxAge: stepUp.maxAge }),
          completedAt: now,
        }),
      );
      return satisfies(tokens, stepUp, now) ? { returnTo: stepUp.returnTo } : 'unsatisfied';
    },
  };
}

/** The policy's type, for the steps that complete a sign-in. */
export type StepUps = ReturnType<typeof createStepUps>;

/** A record that opens no MFA step and only keeps `stepUp`. */
function stepUpRecord(expiresAt: number, stepUp: PendingStepUp): PendingSignIn {
  return normalizePendingSignIn({ mfaToken: '', expiresAt, stepUp });
}

function challengeOf(stepUp: PendingStepUp): StepUpChallenge {
  return { acrValues: stepUp.acrValues, maxAge: stepUp.maxAge };
}

/**
 * Whether the tokens may satisfy the step-up, as far as their verified ID token tells: its `acr`
 * (when it has one) is one asked for, its `auth_time` (when it has one) is within `max_age` by the
 * server's clock. The access token is not read: it is opaque to the client (RFC 9068 section 6),
 * and the API, which reads it, has the last word anyway.
 */
function satisfies(tokens: TokenSet, stepUp: PendingStepUp, now: number): boolean {
  const claims = tokens.idTokenClaims;
  if (claims === undefined) return true;
  const { acr, auth_time: authTime } = claims;
  if (stepUp.acrValues.length > 0 && typeof acr === 'string' && !stepUp.acrValues.includes(acr)) {
    return false;
  }
  if (stepUp.maxAge !== undefined && typeof authTime === 'number') {
    const serverNow = (now + (tokens.clockOffsetMs ?? 0)) / 1000;
    if (serverNow - authTime > stepUp.maxAge + AUTH_TIME_LEEWAY_SECONDS) return false;
  }
  return true;
}
