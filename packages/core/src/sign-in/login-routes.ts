import { createAuthorizedFetch, type AuthorizedFetch } from '../client/authorized-fetch.js';
import type { IdTokenClaims, UserinfoClaims } from '../client/oidc-claims.js';
import { StepUpRequiredError } from '../client/step-up-challenge.js';
import {
  MfaRequiredError,
  ReauthenticationRequiredError,
  TokenError,
} from '../client/token-errors.js';
import type { GetAccessTokenOptions, TokenManager } from '../client/token-manager.js';
import type { HttpAnswer } from '../http-api/error-response.js';
import { forwardableIp } from '../http-api/forwardable-ip.js';
import { renderLoginResult } from './login-answer.js';
import { emitLoginEvent } from './login-events.js';
import { readLoginCredentials } from './login-form.js';
import { resolveLoginOptions, type LoginOptions } from './login-options.js';
import {
  LOGIN_FIELDS_MISSING,
  outcomeOf,
  STEP_UP_UNSATISFIED,
  type LoginOutcome,
  type LoginResult,
} from './login-outcome.js';
import type { LoginRouteName } from './login-route-names.js';
import { createMfaSteps } from './mfa-steps.js';
import { newSessionKey, type LoginSession } from './session-port.js';
import { createStepUps, returnToOf, type CallingRequest } from './step-up.js';

/** A login route's request, as an adapter hands it to the engine. */
export interface LoginRequest {
  /** The parsed form or JSON body (`undefined` when there is none). */
  body: unknown;
  /** The end user's IP as the framework reports it, its trust-proxy setting applied. */
  ip: string | undefined;
  /** The request's session, through the adapter's port. */
  session: LoginSession;
}

/** What a login route answers: the bytes to write, and the result they render. */
export interface LoginAnswer {
  /** Status, headers and body from {@link renderLoginResult}: write them as they are. */
  answer: HttpAnswer;
  /** The result, for an application that answers in its own way (a redirect, a page). */
  result: LoginResult;
}

/** A login route of the engine: a neutral request in, the answer to write out. */
export type LoginRoute = (request: LoginRequest) => Promise<LoginAnswer>;

/**
 * The sign-in engine: the login routes and the session's tokens, for one application. Each route
 * is `POST`, takes a form or JSON body, and answers a {@link LoginResult} (see
 * `LOGIN_OUTCOME_STATUS` for the HTTP status of each); `LOGIN_ROUTE_PATHS` has the paths the
 * documentation mounts them at. A second-factor route called for a session with no MFA step open
 * (none, or older than `mfaStepTtlMs`) answers `mfa_expired`, without a request to Auth0.
 */
export interface LoginRoutes extends Readonly<Record<LoginRouteName, LoginRoute>> {
  /** The token manager holding every session's tokens. */
  readonly manager: TokenManager;
  /**
   * `POST /login`: reads `username` (or `email`), `password` and an optional `realm`, runs the
   * password grant (the password-realm grant with a realm), and on success files the tokens under
   * a new key in a renewed session: `signed_in`. Auth0's `mfa_required` opens an MFA step instead,
   * kept in the token store: `mfa_required` with the `factors` the user can answer with, or
   * `mfa_enrollment_required` with those it may set up. After `apiFetch` was refused for a step-up
   * (option `stepUp`), the grant sends the `acr_values` and `max_age` the API asked for, and the
   * completed sign-in (here or after the MFA step) answers `returnTo`, or `step_up_failed` when the
   * ID token shows the requirement was missed.
   */
  readonly login: LoginRoute;
  /**
   * `POST /login/otp` (`otp`, 6 to 8 digits): the code of an authenticator app; also the app's
   * first code after `/login/enroll` with `otp`, which confirms it. `signed_in` (or
   * `new_recovery_code` when an enrolment is confirmed), `invalid_otp`.
   */
  readonly verifyOtp: LoginRoute;
  /**
   * `POST /login/challenge` (`factor`: `sms`, `voice`, `email` or `push`; `authenticator_id`
   * optional): sends a code (`code_sent`) or a push notification (`push_pending`, 202, with
   * `Retry-After`).
   */
  readonly challenge: LoginRoute;
  /**
   * `POST /login/oob` (`binding_code`, 4 to 10 digits): the code sent by SMS, voice or email, for
   * a challenge or an enrolment. `signed_in` (or `new_recovery_code`), `invalid_otp` (the same
   * code may be tried again), `challenge_expired`.
   */
  readonly verifyOob: LoginRoute;
  /**
   * `POST /login/push` (no body): polls the push notification of a challenge or an enrolment.
   * `push_pending` (202, `Retry-After`) until the user answers: `signed_in` (or
   * `new_recovery_code`), `push_denied`, `challenge_expired`. Auth0 is polled at most once per
   * interval (5 seconds, plus 5 after each `slow_down`) whatever the browser does.
   */
  readonly pollPush: LoginRoute;
  /**
   * `POST /login/recovery` (`recovery_code`): signs in with a recovery code and answers
   * `new_recovery_code` with the code Auth0 gives in its place: the application must show it,
   * it is never answered again.
   */
  readonly verifyRecoveryCode: LoginRoute;
  /**
   * `POST /login/enroll` (`factor`: `otp`, `sms`, `voice`, `email` or `push`; `phone_number` for
   * `sms` and `voice`, `email` optional for `email`), after `mfa_enrollment_required`: `otp` and
   * `push` answer `enrollment_started` with the QR code (`barcodeUri`; `secret` for `otp`), the
   * others `code_sent`. The first code (`/login/otp`, `/login/oob`) or the approved push
   * (`/login/push`) confirms the factor and signs in.
   */
  readonly enroll: LoginRoute;
  /** `POST /logout`: revokes the refresh token, forgets the tokens and renews the session. */
  readonly logout: (request: Omit<LoginRequest, 'body'>) => Promise<LoginAnswer>;
  /**
   * A valid access token of the session, refreshed first when due. A DPoP-bound one (the client's
   * `dpop` option) is usable only with a proof: call the API with {@link LoginRoutes.apiFetch},
   * or make the proof with `manager.client.dpop.proof(method, url, token)`.
   *
   * @throws {ReauthenticationRequiredError} (401) no one is signed in on the session, or its
   *   refresh token stopped working.
   */
  accessToken(session: LoginSession, ip: string | undefined): Promise<string>;
  /**
   * A `fetch` that calls your API with the session's access token (see
   * {@link createAuthorizedFetch}); it rejects like {@link LoginRoutes.accessToken}.
   *
   * Step-up (RFC 9470, option `stepUp`): when the API answers 401
   * `insufficient_user_authentication`, it rejects with a `StepUpRequiredError` (401 for
   * `renderError`: send the user to the sign-in form, without clearing the session) and remembers
   * the requirement for the session's next sign-in, and `from` (the request of your route: its
   * method and URL) as the `returnTo` of that sign-in when it is a `GET` of a path of this site.
   * When the API refuses the same requirement again right after that sign-in, it rejects with a
   * `StepUpFailedError` (403) instead: one sign-in per step-up, never a loop.
   *
   * @throws {ReauthenticationRequiredError} (401) as {@link LoginRoutes.accessToken}.
   * @throws {StepUpRequiredError} (401) the API asks for a stronger or more recent sign-in.
   * @throws {StepUpFailedError} (403) it still does right after one.
   */
  apiFetch(session: LoginSession, ip: string | undefined, from?: CallingRequest): AuthorizedFetch;
  /**
   * Who is signed in on the session: the verified claims of its ID token (`TokenManager.identity`),
   * after a refresh when one is due; `undefined` when the sign-in asked for no `openid`.
   *
   * @throws {ReauthenticationRequiredError} (401) as {@link LoginRoutes.accessToken}.
   * @throws {IdTokenError} a refresh answered a refused ID token (`renderError`: 502), or
   *   another user (`subject_changed`: the session's tokens are forgotten, 401).
   */
  identity(
    session: LoginSession,
    ip: string | undefined,
  ): Promise<Readonly<IdTokenClaims> | undefined>;
  /**
   * The session user's claims from `/userinfo` (`TokenManager.userinfo`: cached, its `sub`
   * checked against the ID token's).
   *
   * @throws {ReauthenticationRequiredError} (401) as {@link LoginRoutes.accessToken}.
   * @throws {UserinfoError} `/userinfo` failed (`renderError`: 502, or 503 when unavailable).
   */
  userinfo(session: LoginSession, ip: string | undefined): Promise<UserinfoClaims>;
}

/**
 * The sign-in engine behind every adapter's login routes. Every policy is decided here, once:
 *
 * - the session holds one field, a random key; tokens and a pending MFA step (its mfa_token, the
 *   oob_code of a code or push sent, the push polling interval, an enrolment) stay in the token
 *   store under it, so any instance sharing the store can serve or go on with them;
 * - the session id is renewed when a sign-in starts or completes (session fixation) and at
 *   logout; an MFA step lives `mfaStepTtlMs` from the password, whatever steps it goes through;
 * - a second sign-in in one session revokes the first one's refresh token;
 * - logout revokes the refresh token (RFC 7009), forgets the tokens and the key, and never fails
 *   because the revocation failed: the `ropkit:login:revocation-failed` event and the logger say
 *   so;
 * - a request that cannot succeed (no username or password, a malformed code, a factor the step
 *   did not offer, a step that was not started) is answered without a request to the
 *   authorization server (it would count towards brute-force blocking);
 * - a push is polled at most once per interval, across instances sharing the store;
 * - an API's step-up (RFC 9470) is one more sign-in, never a loop: `apiFetch` remembers what the
 *   API asked and where the user was, the next sign-in asks for it, and the same refusal right
 *   after is answered as a failure (`StepUpFailedError`);
 * - no answer, event or error holds a token, password, mfa_token or oob_code; the one secret an
 *   answer reveals is the one the user must see (a new recovery code, an enrolment's QR code).
 *
 * @param caller The adapter's function name, for option errors.
 * @throws {TypeError} for an invalid or unknown option.
 */
export function createLoginRoutes(
  options: LoginOptions,
  caller = 'createLoginRoutes()',
): LoginRoutes {
  const settings = resolveLoginOptions(options, caller);
  const { manager, pending } = settings;
  const stepUps = createStepUps({
    pending,
    clock: settings.clock,
    ttlMs: settings.mfaStepTtlMs,
  });

  const forwarded = (ip: string | undefined): GetAccessTokenOptions => {
    const address = settings.forwardUserIp ? forwardableIp(ip) : undefined;
    return address === undefined ? {} : { forwardedFor: address };
  };
  const steps = createMfaSteps({
    manager,
    pending,
    clock: settings.clock,
    mfaStepTtlMs: settings.mfaStepTtlMs,
    forwarded,
    adopt: (session, key) => replaceSignIn(session, key, undefined),
    stepUps,
  });
  return {
    manager,

    async login({ body, ip, session }) {
      const credentials = readLoginCredentials(body);
      if (credentials === undefined) return answer(LOGIN_FIELDS_MISSING);
      const previous = session.readKey();
      const key = newSessionKey();
      const realm = credentials.realm ?? settings.realm;
      const stepUp = settings.stepUp ? await stepUps.toSignInWith(previous) : undefined;
      let tokens;
      try {
        tokens = await manager.signIn(key, {
          username: credentials.username,
          password: credentials.password,
          ...(realm === undefined ? {} : { realm }),
          ...(stepUp === undefined || stepUp.acrValues.length === 0
            ? {}
            : { acrValues: stepUp.acrValues }),
          ...(stepUp?.maxAge === undefined ? {} : { maxAge: stepUp.maxAge }),
          ...forwarded(ip),
        });
      } catch (error) {
        if (!(error instanceof MfaRequiredError))
          return answer(outcomeOf(error, 'invalid_credentials'));
        const opened = await steps.start(key, error, stepUp);
        if (opened.status === 'mfa_required' || opened.status === 'mfa_enrollment_required') {
          await replaceSignIn(session, key, previous);
        }
        return answer(opened);
      }
      let outcome: LoginOutcome = { status: 'signed_in' };
      if (stepUp !== undefined) {
        const ended = await stepUps.completed(key, stepUp, tokens);
        outcome =
          ended === 'unsatisfied'
            ? STEP_UP_UNSATISFIED
            : {
                status: 'signed_in',
                ...(ended.returnTo === undefined ? {} : { returnTo: ended.returnTo }),
              };
      }
      await replaceSignIn(session, key, previous);
      return answer(outcome);
    },

    verifyOtp: route(steps.verifyOtp),
    challenge: route(steps.challenge),
    verifyOob: route(steps.verifyOob),
    pollPush: route(steps.pollPush),
    verifyRecoveryCode: route(steps.verifyRecoveryCode),
    enroll: route(steps.enroll),

    async logout({ session }) {
      const key = session.readKey();
      await session.clear();
      if (key !== undefined) await signOut(key, 'logout');
      return answer({ status: 'signed_out' });
    },

    accessToken: async (session, ip) => manager.getAccessToken(signedInKey(session), forwarded(ip)),

    identity: async (session, ip) => manager.identity(signedInKey(session), forwarded(ip)),

    userinfo: async (session, ip) => manager.userinfo(signedInKey(session), forwarded(ip)),

    apiFetch: (session, ip, from) => async (input, init) => {
      const key = signedInKey(session);
      const fetch = createAuthorizedFetch({
        manager,
        key,
        ...forwarded(ip),
        stepUp: settings.stepUp,
      });
      try {
        return await fetch(input, init);
      } catch (error) {
        if (!(error instanceof StepUpRequiredError)) throw error;
        // Whose sign-in the API refused. The token was just served, so no refresh is due; should
        // one be, it carries the end user's IP like every other call (attack protection).
        const sub = (await manager.identity(key, forwarded(ip)).catch(() => undefined))?.sub;
        throw await stepUps.refused(key, error, returnToOf(from), sub);
      }
    },
  };

  /**
   * Files `key` in a renewed session; the sign-in it replaces is signed out. If the session cannot
   * be renewed, the new sign-in is undone (its refresh token revoked) before the error goes on:
   * no session would ever hold its key.
   */
  async function replaceSignIn(session: LoginSession, key: string, previous: string | undefined) {
    try {
      await session.adoptKey(key);
    } catch (error) {
      await signOut(key, 'replaced');
      throw error;
    }
    if (previous !== undefined && previous !== key) await signOut(previous, 'replaced');
  }

  /**
   * Forgets a key's tokens and pending step, and revokes its refresh token. The manager forgets
   * before it revokes, so a failed revocation leaves a refresh token no one holds: it is reported
   * and passed over, never turned into a failed logout.
   */
  async function signOut(key: string, reason: 'logout' | 'replaced'): Promise<void> {
    await pending.deletePendingSignIn(key);
    try {
      await manager.signOut(key);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      emitLoginEvent(settings.logger, 'revocationFailed', { key, reason, code: error.code });
    }
  }
}

/** A step of the engine as a route: its result with the bytes that render it. */
function route(step: (request: LoginRequest) => Promise<LoginResult>): LoginRoute {
  return async (request) => answer(await step(request));
}

/** The result with the bytes that render it. */
function answer(result: LoginResult): LoginAnswer {
  return { answer: renderLoginResult(result), result };
}

/** The session's key. @throws {ReauthenticationRequiredError} when no one is signed in. */
function signedInKey(session: LoginSession): string {
  const key = session.readKey();
  if (key === undefined) {
    throw new ReauthenticationRequiredError('No one is signed in on this session: sign in first');
  }
  return key;
}
