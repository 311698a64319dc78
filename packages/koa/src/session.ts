import { SESSION_KEY_FIELD, sessionMissingError, type LoginSession } from '@ropkit/core/adapter';
import type { Context } from 'koa';

/** The parts of koa-session's `ctx.session` the login routes use (koa-session 7). */
interface RenewableSession {
  toJSON(): object;
  regenerate(): Promise<void> | undefined;
}

function isRenewable(session: unknown): session is RenewableSession {
  return (
    typeof session === 'object' &&
    session !== null &&
    typeof Reflect.get(session, 'toJSON') === 'function' &&
    typeof Reflect.get(session, 'regenerate') === 'function'
  );
}

function sessionOf(ctx: Context): RenewableSession {
  // Read without koa-session's types, so this package's types do not depend on them.
  const session: unknown = Reflect.get(ctx, 'session');
  if (!isRenewable(session)) throw sessionMissingError('koa-session 7 (app.use(session(app)))');
  return session;
}

/**
 * koa-session's `regenerate()` keeps the data under the new id: the data is dropped first, as
 * the other adapters' session libraries do; then `key`, if any, is filed.
 */
async function renew(ctx: Context, key: string | undefined): Promise<void> {
  const session = sessionOf(ctx);
  for (const field of Object.keys(session.toJSON())) Reflect.deleteProperty(session, field);
  if (key !== undefined) Reflect.set(session, SESSION_KEY_FIELD, key);
  await session.regenerate();
}

/** The login engine's session port for koa-session. */
export function koaSession(ctx: Context): LoginSession {
  return {
    readKey() {
      const key: unknown = Reflect.get(sessionOf(ctx), SESSION_KEY_FIELD);
      return typeof key === 'string' && key !== '' ? key : undefined;
    },
    adoptKey: (key) => renew(ctx, key),
    clear: () => renew(ctx, undefined),
  };
}
