import type { Context, Middleware } from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AuthorizedFetch, LoginOutcome, VerifiedAccessToken } from '@ropkit/core';
// The package's own entry, as a user imports it: nothing else is needed to type ctx.state.
import { auth, authErrors, passwordLogin, requireScopes } from '@ropkit/koa';

/** Does not compile unless ctx.state.auth is possibly undefined (so not `any`). */
function subjectWithoutNarrowing(ctx: Context): unknown {
  // @ts-expect-error auth is undefined on optional routes: it must be narrowed first.
  return ctx.state.auth.payload.sub;
}

// These assertions are checked by `tsc` (`pnpm run typecheck`); at run time they are no-ops, so
// each test also checks that the imported values are the middleware factories.
describe('declaration merging: importing @ropkit/koa types ctx.state', () => {
  it('types ctx.state.auth as the verified token, possibly undefined', () => {
    expectTypeOf<Context['state']['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<NonNullable<Context['state']['auth']>['scopes']>().toEqualTypeOf<
      readonly string[]
    >();
    expect(typeof subjectWithoutNarrowing).toBe('function');
    expect(typeof auth).toBe('function');
  });

  it('types ctx.state.accessToken() and ctx.state.apiFetch()', () => {
    expectTypeOf<Context['state']['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<Context['state']['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();
    expectTypeOf<Context['state']['loginOutcome']>().toEqualTypeOf<LoginOutcome | undefined>();
    expect(typeof passwordLogin).toBe('function');
  });

  it('returns plain Koa middleware usable with app.use() and routers', () => {
    expectTypeOf(auth).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireScopes).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(authErrors).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(passwordLogin).returns.toHaveProperty('login').toEqualTypeOf<Middleware>();
    expect(typeof authErrors()).toBe('function');
  });
});
