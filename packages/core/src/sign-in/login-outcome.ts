import { randomUUID } from 'node:crypto';
import { MfaRequiredError, OAuthError, TokenError } from '../client/token-errors.js';
import type { TokenManager } from '../client/token-manager.js';
import { forwardableIp } from './forwardable-ip.js';

/**
 * What a login form needs to show, with no secret in it. `status` says which case it is:
 * - `signed_in`: tokens are stored server-side under the session's key;
 * - `invalid_request`: the form had no username or password; nothing was sent to the server;
 * - `mfa_required`: ask for a one-time password (the mfa_token is kept server-side);
 * - `invalid_credentials`: wrong email or password (Auth0 does not say which);
 * - `invalid_otp`: the one-time password was wrong or the MFA step expired;
 * - `blocked`: an administrator blocked the user;
 * - `too_many_attempts`: brute-force protection blocked this user from this IP;
 * - `rate_limited`: too many requests; try again after `retryAfter` seconds;
 * - `access_denied`: a rule or the API refused the user;
 * - `unavailable`: the authorization server failed or did not answer.
 */
export type LoginOutcome =
  | { status: 'signed_in' }
  | { status: 'mfa_required' }
  | {
      status:
        | 'invalid_request'
        | 'invalid_credentials'
        | 'invalid_otp'
        | 'blocked'
        | 'too_many_attempts'
        | 'access_denied'
        | 'unavailable';
      message: string;
    }
  | { status: 'rate_limited'; message: string; retryAfter: number | undefined };

/** The HTTP status a login route should answer each outcome with. */
export const LOGIN_OUTCOME_STATUS: Readonly<Record<LoginOutcome['status'], number>> = {
  signed_in: 200,
  invalid_request: 400,
  mfa_required: 401,
  invalid_credentials: 401,
  invalid_otp: 401,
  blocked: 403,
  too_many_attempts: 429,
  rate_limited: 429,
  access_denied: 403,
  unavailable: 503,
};

/** Options of {@link PasswordLogin}. */
export interface PasswordLoginOptions {
  /** The token manager that runs the grants and keeps the tokens. */
  manager: TokenManager;
  /** Default connection for the password-realm grant. Default: the tenant's default directory. */
  realm?: string;
  /** Send the end user's IP as `auth0-forwarded-for`. Default `false`. */
  forwardUserIp?: boolean;
  /** How long an MFA step stays open, in milliseconds. Default `600000` (Auth0's mfa_token life). */
  mfaStepTtlMs?: number;
  /** Most MFA steps pending at once; the oldest are dropped. Default `10000`. */
  maxPendingMfa?: number;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** Credentials read from a login form or JSON body. */
export interface LoginCredentials {
  username: string;
  password: string;
  realm?: string;
}

/**
 * Reads `username` (or `email`), `password` and an optional `realm` from a parsed form or JSON
 * body. Returns `undefined` when they are missing or not strings.
 */
export function readLoginCredentials(body: unknown): LoginCredentials | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const username: unknown = Reflect.get(body, 'username') ?? Reflect.get(body, 'email');
  const password: unknown = Reflect.get(body, 'password');
  const realm: unknown = Reflect.get(body, 'realm');
  if (
    typeof username !== 'string' ||
    username === '' ||
    typeof password !== 'string' ||
    password === ''
  ) {
    return undefined;
  }
  return realm === undefined || realm === ''
    ? { username, password }
    : typeof realm === 'string'
      ? { username, password, realm }
      : undefined;
}

/**
 * What a login route answers when {@link readLoginCredentials} finds no credentials. Nothing is
 * sent to the authorization server: an empty form must not count as a failed login in its
 * brute-force protection.
 */
export const LOGIN_FIELDS_MISSING: LoginOutcome = Object.freeze({
  status: 'invalid_request',
  message: 'Enter your email and password',
});

/** The `otp` field of a parsed form or JSON body; `''` when absent or not a string. */
export function readOtpField(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const otp: unknown = Reflect.get(body, 'otp');
  return typeof otp === 'string' ? otp : '';
}

/** A fresh, unguessable key to file a session's tokens under (not the session id itself). */
export function newSessionKey(): string {
  return randomUUID();
}

/**
 * The framework-neutral login flow behind every adapter's login handler: runs the password (or
 * password-realm) grant through the {@link TokenManager}, keeps an MFA step server-side, and maps
 * failures to a {@link LoginOutcome}. It never returns or logs a token, password or mfa_token.
 */
export class PasswordLogin {
  readonly #manager: TokenManager;
  readonly #realm: string | undefined;
  readonly #forwardUserIp: boolean;
  readonly #mfaStepTtlMs: number;
  readonly #maxPendingMfa: number;
  readonly #clock: () => number;
  readonly #pendingMfa = new Map<string, { mfaToken: string; expiresAt: number }>();

  constructor(options: PasswordLoginOptions) {
    if (typeof options?.manager?.signIn !== 'function')
      throw new TypeError('"manager" must be a TokenManager');
    this.#manager = options.manager;
    if (
      options.realm !== undefined &&
      (typeof options.realm !== 'string' || options.realm === '')
    ) {
      throw new TypeError('"realm" must be a non-empty string');
    }
    this.#realm = options.realm;
    this.#forwardUserIp = options.forwardUserIp ?? false;
    if (typeof this.#forwardUserIp !== 'boolean')
      throw new TypeError('"forwardUserIp" must be a boolean');
    this.#mfaStepTtlMs = options.mfaStepTtlMs ?? 600_000;
    this.#maxPendingMfa = options.maxPendingMfa ?? 10_000;
    if (
      !(this.#mfaStepTtlMs > 0) ||
      !Number.isSafeInteger(this.#maxPendingMfa) ||
      this.#maxPendingMfa <= 0
    ) {
      throw new TypeError('"mfaStepTtlMs" and "maxPendingMfa" must be positive numbers');
    }
    this.#clock = options.clock ?? Date.now;
  }

  /** The manager holding the tokens, for per-request access tokens and fetch. */
  get manager(): TokenManager {
    return this.#manager;
  }

  /** Signs the user in; on success the tokens are stored under `sessionKey`. */
  async login(
    sessionKey: string,
    credentials: LoginCredentials,
    userIp?: string,
  ): Promise<LoginOutcome> {
    this.#pendingMfa.delete(sessionKey);
    const realm = credentials.realm ?? this.#realm;
    try {
      await this.#manager.signIn(sessionKey, {
        username: credentials.username,
        password: credentials.password,
        ...(realm === undefined ? {} : { realm }),
        ...this.#forwardedFor(userIp),
      });
      return { status: 'signed_in' };
    } catch (error) {
      if (error instanceof MfaRequiredError) {
        this.#rememberMfa(sessionKey, error.mfaToken);
        return { status: 'mfa_required' };
      }
      return outcomeOf(error, 'invalid_credentials');
    }
  }

  /** Finishes a pending MFA step with a one-time password. */
  async verifyOtp(sessionKey: string, otp: string, userIp?: string): Promise<LoginOutcome> {
    const pending = this.#pendingMfa.get(sessionKey);
    if (pending === undefined || pending.expiresAt <= this.#clock()) {
      this.#pendingMfa.delete(sessionKey);
      return { status: 'invalid_otp', message: 'The sign-in step expired: sign in again' };
    }
    if (typeof otp !== 'string' || !/^\d{6,8}$/.test(otp)) {
      return { status: 'invalid_otp', message: 'Enter the code from your authenticator app' };
    }
    try {
      await this.#manager.completeMfa(sessionKey, {
        mfaToken: pending.mfaToken,
        otp,
        ...this.#forwardedFor(userIp),
      });
      this.#pendingMfa.delete(sessionKey);
      return { status: 'signed_in' };
    } catch (error) {
      return outcomeOf(error, 'invalid_otp');
    }
  }

  /** True while an MFA step is open for the session. */
  hasPendingMfa(sessionKey: string): boolean {
    const pending = this.#pendingMfa.get(sessionKey);
    return pending !== undefined && pending.expiresAt > this.#clock();
  }

  /** Revokes the refresh token and clears the session's tokens. */
  async logout(sessionKey: string): Promise<void> {
    this.#pendingMfa.delete(sessionKey);
    await this.#manager.signOut(sessionKey);
  }

  #forwardedFor(userIp: string | undefined): { forwardedFor?: string } {
    const ip = this.#forwardUserIp ? forwardableIp(userIp) : undefined;
    return ip === undefined ? {} : { forwardedFor: ip };
  }

  #rememberMfa(sessionKey: string, mfaToken: string): void {
    if (this.#pendingMfa.size >= this.#maxPendingMfa) {
      const oldest = this.#pendingMfa.keys().next();
      if (oldest.done !== true) this.#pendingMfa.delete(oldest.value);
    }
    this.#pendingMfa.set(sessionKey, { mfaToken, expiresAt: this.#clock() + this.#mfaStepTtlMs });
  }
}

/** Maps a failed grant to what the form shows; messages are fixed sentences. */
function outcomeOf(
  error: unknown,
  wrongSecret: 'invalid_credentials' | 'invalid_otp',
): LoginOutcome {
  if (error instanceof OAuthError) {
    switch (error.error) {
      case 'invalid_grant':
        return wrongSecret === 'invalid_otp'
          ? { status: 'invalid_otp', message: 'The code is not valid' }
          : { status: 'invalid_credentials', message: 'Wrong email or password' };
      case 'unauthorized':
        return { status: 'blocked', message: 'This account is blocked' };
      case 'too_many_attempts':
        return {
          status: 'too_many_attempts',
          message: 'This account is blocked after too many attempts',
        };
      case 'too_many_requests':
        return {
          status: 'rate_limited',
          message: 'Too many requests: try again later',
          retryAfter: error.retryAfter,
        };
      case 'access_denied':
        return { status: 'access_denied', message: 'Access denied' };
      default:
        break;
    }
  }
  if (error instanceof TokenError) {
    return {
      status: 'unavailable',
      message: 'The sign-in service is unavailable: try again later',
    };
  }
  throw error;
}
