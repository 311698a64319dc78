/**
 * The session: its cookie's name and what this app keeps in it besides the random key
 * @ropkit/express files the tokens under. Names to show, never a token: the tokens stay in the
 * token manager's store on the server.
 */
export const SESSION_COOKIE = 'password-login.sid';

declare module 'express-session' {
  interface SessionData {
    /** Who signed in, for the page header. */
    username: string;
    /** Who is between the password and the one-time code of an MFA sign-in. */
    pendingUsername: string;
  }
}
