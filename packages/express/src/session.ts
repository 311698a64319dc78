import { SESSION_KEY_FIELD, sessionMissingError, type LoginSession } from '@ropkit/core/adapter';
import type { Request } from 'express';

/** The parts of express-session's `req.session` the login routes use. */
interface RenewableSession {
  regenerate(callback: (error?: unknown) => void): unknown;
}

function isRenewable(session: unknown): session is RenewableSession {
  return (
    typeof session === 'object' &&
    session !== null &&
    typeof Reflect.get(session, 'regenerate') === 'function'
  );
}

function sessionOf(req: Request): RenewableSession {
  // Read without express-session's types, so this package's types do not depend on them.
  const session: unknown = Reflect.get(req, 'session');
  if (!isRenewable(session)) throw sessionMissingError('express-session');
  return session;
}

/** express-session's `regenerate()`: a new id, the old data gone; then `key`, if any, in it. */
async function renew(req: Request, key: string | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    sessionOf(req).regenerate((error) => {
      if (error === undefined || error === null) resolve();
      else reject(error instanceof Error ? error : new Error('The session could not be renewed'));
    });
  });
  // regenerate() put a new Session object on req.session.
  if (key !== undefined) Reflect.set(sessionOf(req), SESSION_KEY_FIELD, key);
}

/** The login engine's session port for express-session. */
export function expressSession(req: Request): LoginSession {
  return {
    readKey() {
      const key: unknown = Reflect.get(sessionOf(req), SESSION_KEY_FIELD);
      return typeof key === 'string' && key !== '' ? key : undefined;
    },
    adoptKey: (key) => renew(req, key),
    clear: () => renew(req, undefined),
  };
}
