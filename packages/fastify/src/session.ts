import { SESSION_KEY_FIELD, sessionMissingError, type LoginSession } from '@ropkit/core/adapter';
import type { AnyFastifyRequest } from './fastify-types.js';

/** The parts of @fastify/session's `request.session` the login routes use. */
interface RenewableSession {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  regenerate(): Promise<void>;
}

function isRenewable(session: unknown): session is RenewableSession {
  return (
    typeof session === 'object' &&
    session !== null &&
    ['get', 'set', 'regenerate'].every((name) => typeof Reflect.get(session, name) === 'function')
  );
}

function sessionOf(request: AnyFastifyRequest): RenewableSession {
  // Read without @fastify/session's types, so this package's types do not depend on them.
  const session: unknown = Reflect.get(request, 'session');
  if (!isRenewable(session)) throw sessionMissingError('@fastify/cookie and @fastify/session');
  return session;
}

/** @fastify/session's `regenerate()`: a new id, the old data gone; then `key`, if any, in it. */
async function renew(request: AnyFastifyRequest, key: string | undefined): Promise<void> {
  await sessionOf(request).regenerate();
  // regenerate() replaced request.session.
  if (key !== undefined) sessionOf(request).set(SESSION_KEY_FIELD, key);
}

/** The login engine's session port for @fastify/session. */
export function fastifySession(request: AnyFastifyRequest): LoginSession {
  return {
    readKey() {
      const key = sessionOf(request).get(SESSION_KEY_FIELD);
      return typeof key === 'string' && key !== '' ? key : undefined;
    },
    adoptKey: (key) => renew(request, key),
    clear: () => renew(request, undefined),
  };
}
