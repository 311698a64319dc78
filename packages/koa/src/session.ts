import type { Context } from 'koa';

/**
 * The session field holding the key the session's tokens are filed under in the token manager.
 * Only this random key (from core's `newSessionKey()`) lives in the session, never a token:
 * with koa-session's default cookie store the session is the cookie.
 */
export const SESSION_TOKEN_KEY_FIELD = 'ropkitTokenKey';

/** `ctx.session` as koa-session provides it; a clear error when no session middleware ran. */
function sessionOf(ctx: Context): object {
  const session: unknown = Reflect.get(ctx, 'session');
  if (typeof session !== 'object' || session === null) {
    throw new Error(
      '@ropkit/koa needs ctx.session: add koa-session (app.use(session(app))) before the login middleware',
    );
  }
  return session;
}

/** The session's token key, or `undefined` when no one signed in on this session. */
export function readTokenKey(ctx: Context): string | undefined {
  const key: unknown = Reflect.get(sessionOf(ctx), SESSION_TOKEN_KEY_FIELD);
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * Files `key` in the session under a new session id, when the session library can issue one
 * (koa-session's `regenerate()`): a session id planted before sign-in (session fixation, OWASP)
 * must not end up signed in.
 */
export async function storeTokenKey(ctx: Context, key: string): Promise<void> {
  const session = sessionOf(ctx);
  Reflect.set(session, SESSION_TOKEN_KEY_FIELD, key);
  const regenerate: unknown = Reflect.get(session, 'regenerate');
  if (typeof regenerate === 'function') {
    const done: unknown = Reflect.apply(regenerate, session, []);
    await done;
  }
}

/** Ends the session (koa-session: `ctx.session = null` clears the cookie and the store entry). */
export function destroySession(ctx: Context): void {
  sessionOf(ctx);
  Reflect.set(ctx, 'session', null);
}
