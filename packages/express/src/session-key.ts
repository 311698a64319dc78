import type { Request } from 'express';

/**
 * The session field holding the key the session's tokens are filed under in the token manager.
 * Only this random key (from core's `newSessionKey()`) lives in the session, never a token: the
 * session may be a cookie-backed or shared store.
 */
export const SESSION_KEY_FIELD = 'ropkitTokenKey';

/** The parts of an express-session `Session` used here. */
interface RegenerableSession {
  regenerate(callback: (error?: unknown) => void): unknown;
}

function isRegenerableSession(value: unknown): value is RegenerableSession {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'regenerate') === 'function'
  );
}

/**
 * The request's session, as express-session sets it.
 *
 * @throws {TypeError} no session middleware ran before.
 */
function sessionOf(req: Request): RegenerableSession {
  // Read without express-session's types, so this package's types do not depend on them.
  const session: unknown = Reflect.get(req, 'session');
  if (!isRegenerableSession(session)) {
    throw new TypeError(
      'passwordLogin() needs a session middleware with regenerate() before it, such as express-session',
    );
  }
  return session;
}

/** The session's token key, if it has one. @throws {TypeError} without a session middleware. */
export function readSessionKey(req: Request): string | undefined {
  const key: unknown = Reflect.get(sessionOf(req), SESSION_KEY_FIELD);
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** Files `key` in the request's current session. */
export function writeSessionKey(req: Request, key: string): void {
  Reflect.set(sessionOf(req), SESSION_KEY_FIELD, key);
}

/** Removes the token key from the session. */
export function clearSessionKey(req: Request): void {
  Reflect.deleteProperty(sessionOf(req), SESSION_KEY_FIELD);
}

/**
 * Replaces the session with a new one under a new id, then files `key` in it. Done whenever the
 * session gains a sign-in, so an id planted before (session fixation, OWASP) is worth nothing.
 */
export async function regenerateSessionWithKey(req: Request, key: string): Promise<void> {
  const session = sessionOf(req);
  await new Promise<void>((resolve, reject) => {
    session.regenerate((error) => {
      if (error === undefined || error === null) resolve();
      else reject(error instanceof Error ? error : new Error('The session could not be renewed'));
    });
  });
  // express-session puts a new Session object on req.session.
  writeSessionKey(req, key);
}
