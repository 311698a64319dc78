import type { LoginEnrolFactor, LoginFactor } from '@ropkit/core';

/**
 * The session: its cookie's name and what this app keeps in it besides the random key
 * @ropkit/express files the tokens (and a pending MFA step) under. Names, choices and the CSRF
 * token, never a token, mfa_token, oob_code, code or secret: those stay on the server, in the
 * token manager's store, or are shown once and forgotten.
 */
export const SESSION_COOKIE = 'password-login.sid';

/** How far a sign-in that needs a second factor got: what its pages show. Nothing secret. */
export interface SignInStep {
  /** Who is signing in, for the pages and for the home page once signed in. */
  username: string;
  /** `challenge`: the user answers with a factor it has; `enroll`: it sets one up first. */
  mode: 'challenge' | 'enroll';
  /** The factors Auth0 offered (challenge) or allows setting up (enroll). */
  factors: LoginFactor[];
  /** A code went out by SMS, voice call or email: the code page asks for it. */
  codeSentBy?: 'sms' | 'voice' | 'email';
  /** A push notification waits for the user (`challenge` or `enrolment`); `undefined` once cancelled. */
  push?: 'challenge' | 'enrolment';
  /** Seconds the push page waits before it polls (the last `Retry-After`). */
  pushRetryAfter?: number;
  /** A fixed sentence to show once on the next page (e.g. "You cancelled the notification"). */
  notice?: string;
}

declare module 'express-session' {
  interface SessionData {
    /** The per-session CSRF token every form carries and every POST must send back. */
    csrfToken: string;
    /** Who signed in, for the page header. */
    username: string;
    /** A sign-in between the password and its second factor. */
    signIn: SignInStep;
  }
}

/** The factors an enrolment can set up (all but a recovery code). */
export function isEnrolFactor(factor: LoginFactor): factor is LoginEnrolFactor {
  return factor !== 'recovery-code';
}
