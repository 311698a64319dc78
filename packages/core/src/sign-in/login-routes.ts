import { createAuthorizedFetch, type AuthorizedFetch } from '../client/authorized-fetch.js';
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
import { readLoginCredentials, readOtpField } from './login-form.js';
import { resolveLoginOptions, type LoginOptions } from './login-options.js';
import {
  LOGIN_FIELDS_MISSING,
  MFA_STEP_EXPIRED,
  OTP_MALFORMED,
  outcomeOf,
  type LoginResult,
} from './login-outcome.js';
import { newSessionKey, type LoginSession } from './session-port.js';

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

/** The sign-in engine: the login routes and the session's tokens, for one application. */
export interface LoginRoutes {
  /** The token manager holding every session's tokens. */
  readonly manager: TokenManager;
  /**
   * `POST /login`: reads `username` (or `email`), `password` and an optional `realm`, runs the
   * password grant (the password-realm grant with a realm), and on success files the tokens under
   * a new key in a renewed session. `mfa_required` keeps the step in the token store instead.
   */
  login(request: LoginRequest): Promise<LoginAnswer>;
  /** `POST /login/otp`: finishes the session's MFA step with the `otp` field. */
  verifyOtp(request: LoginRequest): Promise<LoginAnswer>;
  /** `POST /logout`: revokes the refresh token, forgets the tokens and renews the session. */
  logout(request: Omit<LoginRequest, 'body'>): Promise<LoginAnswer>;
  /**
   * A valid access token of the session, refreshed first when due.
   *
   * @throws {ReauthenticationRequiredError} (401) no one is signed in on the session, or its
   *   refresh token stopped working.
   */
  accessToken(session: LoginSession, ip: string | undefined): Promise<string>;
  /**
   * A `fetch` that calls your API with the session's access token (see
   * {@link createAuthorizedFetch}); it rejects like {@link LoginRoutes.accessToken}.
   */
  apiFetch(session: LoginSession, ip: string | undefined): AuthorizedFetch;
}

/**
 * The sign-in engine behind every adapter's login routes. Every policy is decided here, once:
 *
 * - the session holds one field, a random key; tokens and a pending MFA step stay in the token
 *   store under it (so any instance sharing the store can serve or finish them);
 * - the session id is renewed when a sign-in starts or completes (session fixation) and at
 *   logout;
 * - a second sign-in in one session revokes the first one's refresh token;
 * - logout revokes the refresh token (RFC 7009), forgets the tokens and the key, and never fails
 *   because the revocation failed: the `ropkit:login:revocation-failed` event and the logger say
 *   so;
 * - a body without username or password, or an OTP that is not 6 to 8 digits, is answered
 *   without a request to the authorization server (it would count towards brute-force blocking);
 * - no answer, event or error holds a token, password or mfa_token.
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

  const forwarded = (ip: string | undefined): GetAccessTokenOptions => {
    const address = settings.forwardUserIp ? forwardableIp(ip) : undefined;
    return address === undefined ? {} : { forwardedFor: address };
  };

  return {
    manager,

    async login({ body, ip, session }) {
      const credentials = readLoginCredentials(body);
      if (credentials === undefined) return answer(LOGIN_FIELDS_MISSING);
      const previous = session.readKey();
      const key = newSessionKey();
      const realm = credentials.realm ?? settings.realm;
      try {
        await manager.signIn(key, {
          username: credentials.username,
          password: credentials.password,
          ...(realm === undefined ? {} : { realm }),
          ...forwarded(ip),
        });
      } catch (error) {
        if (!(error instanceof MfaRequiredError))
          return answer(outcomeOf(error, 'invalid_credentials'));
        await pending.setPendingSignIn(key, {
          mfaToken: error.mfaToken,
          expiresAt: Date.now() + settings.mfaStepTtlMs,
        });
        await replaceSignIn(session, key, previous);
        return answer({ status: 'mfa_required' });
      }
      await replaceSignIn(session, key, previous);
      return answer({ status: 'signed_in' });
    },

    async verifyOtp({ body, ip, session }) {
      const key = session.readKey();
      const step = key === undefined ? undefined : await pending.getPendingSignIn(key);
      if (key === undefined || step === undefined || step.expiresAt <= Date.now()) {
        return answer(MFA_STEP_EXPIRED);
      }
      const otp = readOtpField(body);
      if (!/^\d{6,8}$/.test(otp)) return answer(OTP_MALFORMED);
      try {
        await manager.completeMfa(key, { mfaToken: step.mfaToken, otp, ...forwarded(ip) });
      } catch (error) {
        return answer(outcomeOf(error, 'invalid_otp'));
      }
      await pending.deletePendingSignIn(key);
      // The sign-in completes now: a new session id again.
      await session.adoptKey(key);
      return answer({ status: 'signed_in' });
    },

    async logout({ session }) {
      const key = session.readKey();
      await session.clear();
      if (key !== undefined) await signOut(key, 'logout');
      return answer({ status: 'signed_out' });
    },

    accessToken: async (session, ip) => manager.getAccessToken(signedInKey(session), forwarded(ip)),

    apiFetch: (session, ip) => async (input, init) =>
      createAuthorizedFetch({ manager, key: signedInKey(session), ...forwarded(ip) })(input, init),
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
