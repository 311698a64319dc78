import type { AnyFastifyRequest } from './fastify-types.js';

/**
 * The one field this package writes in the session: a random key (core's `newSessionKey()`)
 * under which the tokens are filed server-side. Never a token: the session may live in a cookie.
 */
export const SESSION_KEY_FIELD = 'ropkitKey';

/**
 * What is used of `request.session`. Structural, so @fastify/session and other session plugins
 * with `get`/`set` fit, and the published types do not depend on any of them.
 */
interface SessionLike {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  /** @fastify/session: a new session id, data dropped; resolves when stored. */
  regenerate?(): Promise<void> | void;
}

function isSession(value: unknown): value is SessionLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'get') === 'function' &&
    typeof Reflect.get(value, 'set') === 'function'
  );
}

/** @throws {Error} when no session plugin runs for this route. */
function sessionOf(request: AnyFastifyRequest): SessionLike {
  const session: unknown = Reflect.get(request, 'session');
  if (isSession(session)) return session;
  throw new Error(
    '@ropkit/fastify: request.session is missing: register @fastify/cookie and @fastify/session ' +
      'before the login routes',
  );
}

/** Fails early, before a grant runs, when the route has no session. */
export function assertSession(request: AnyFastifyRequest): void {
  sessionOf(request);
}

/** The session's key, or `undefined` when it never signed in (or signed out). */
export function readSessionKey(request: AnyFastifyRequest): string | undefined {
  const key = sessionOf(request).get(SESSION_KEY_FIELD);
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * Moves the request to a new session holding `key` (or no key): the session id changes whenever
 * the user's authentication does, so an id planted before sign-in (session fixation, OWASP ASVS
 * V3.2.1) is worth nothing after it.
 */
export async function renewSession(
  request: AnyFastifyRequest,
  key: string | undefined,
): Promise<void> {
  await sessionOf(request).regenerate?.();
  // regenerate() replaces request.session: read it again.
  sessionOf(request).set(SESSION_KEY_FIELD, key);
}
