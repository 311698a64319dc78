import { randomUUID } from 'node:crypto';

/**
 * The one session field the sign-in engine uses, in every adapter: a random key under which the session's tokens, or its pending MFA step, are filed in
 * the token store. Never a token: the session may be a cookie or a shared store.
 */
export const SESSION_KEY_FIELD = 'ropkitKey';

/**
 * The port through which the sign-in engine uses a request's session: each adapter implements
 * it once for its session library (express-session, koa-session, @fastify/session). The engine
 * decides when to call what; the adapter only knows how its library does it.
 */
export interface LoginSession {
  /** The value of {@link SESSION_KEY_FIELD} in the session, when it is a non-empty string. */
  readKey(): string | undefined;
  /**
   * Moves the request to a new session, under a new id and without the old session's data, that
   * holds `key` in {@link SESSION_KEY_FIELD}. Called when a sign-in starts or completes, so that a
   * session id planted before it (session fixation, OWASP ASVS V3.2.1) is worth nothing after.
   */
  adoptKey(key: string): Promise<void>;
  /** Moves the request to a new, empty session under a new id: at logout. */
  clear(): Promise<void>;
}

/** A fresh, unguessable key to file a session's tokens under (not the session id itself). */
export function newSessionKey(): string {
  return randomUUID();
}

/**
 * The `TypeError` an adapter throws when a request reaches the login routes without a session it
 * can renew: named the same way in every adapter, with the fix.
 */
export function sessionMissingError(library: string): TypeError {
  return new TypeError(
    `The login routes need a session that can renew its id: register ${library} before them`,
  );
}
