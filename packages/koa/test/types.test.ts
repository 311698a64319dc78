import type { Context, Middleware } from 'koa';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  AuthorizedFetch,
  IdTokenClaims,
  LoginResult,
  TokenManager,
  UserinfoClaims,
  VerifiedAccessToken,
} from '@ropkit/core';
// The package's own entry, as a user imports it: nothing else is needed to type ctx.state.
import * as koa from '@ropkit/koa';
import {
  auth,
  authErrorHandler,
  claimEquals,
  claimIncludes,
  passwordLogin,
  requireScopes,
  type LoginResponder,
  type PasswordLoginHandlers,
  type PasswordLoginOptions,
} from '@ropkit/koa';

/** Does not compile unless ctx.state.auth is possibly undefined (so not `any`). */
function subjectWithoutNarrowing(ctx: Context): unknown {
  // @ts-expect-error auth is undefined on optional routes: it must be narrowed first.
  return ctx.state.auth.payload.sub;
}

const client = { issuer: 'https://tenant.example.com/', clientId: 'app', clientSecret: 's' };

// The expectTypeOf assertions are checked by `tsc` (`pnpm typecheck`); at run time they are
// no-ops, so each test also checks something that runs.
describe('declaration merging: importing @ropkit/koa types ctx.state', () => {
  it('types ctx.state.auth as the verified token, possibly undefined', () => {
    expectTypeOf<Context['state']['auth']>().toEqualTypeOf<VerifiedAccessToken | undefined>();
    expectTypeOf<NonNullable<Context['state']['auth']>['scopes']>().toEqualTypeOf<
      readonly string[]
    >();
    expect(typeof subjectWithoutNarrowing).toBe('function');
  });

  it('types ctx.state.accessToken(), apiFetch(), identity() and userinfo()', () => {
    expectTypeOf<Context['state']['accessToken']>().toEqualTypeOf<() => Promise<string>>();
    expectTypeOf<Context['state']['apiFetch']>().toEqualTypeOf<AuthorizedFetch>();
    expectTypeOf<Context['state']['identity']>().toEqualTypeOf<
      () => Promise<Readonly<IdTokenClaims> | undefined>
    >();
    expectTypeOf<Context['state']['userinfo']>().toEqualTypeOf<() => Promise<UserinfoClaims>>();
    expect(typeof passwordLogin).toBe('function');
  });
});

describe('the middleware factories', () => {
  it('return plain Koa middleware usable with app.use() and routers', () => {
    expectTypeOf(auth).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(authErrorHandler).returns.toEqualTypeOf<Middleware>();
    expectTypeOf(requireScopes).returns.toEqualTypeOf<Middleware>();
    expectTypeOf<PasswordLoginHandlers['tokens']>().toEqualTypeOf<Middleware>();
    expectTypeOf<PasswordLoginHandlers['login']>().toEqualTypeOf<Middleware>();
    expectTypeOf<PasswordLoginHandlers['manager']>().toEqualTypeOf<TokenManager>();
    expect(typeof authErrorHandler()).toBe('function');
  });

  it("keep core's parameter types in the requirement wrappers", () => {
    expectTypeOf(requireScopes).parameters.toEqualTypeOf<string[]>();
    expectTypeOf(claimEquals).parameters.toEqualTypeOf<
      [claim: string, value: string | number | boolean]
    >();
    expectTypeOf(claimIncludes).parameters.toEqualTypeOf<[claim: string, ...values: string[]]>();
    // @ts-expect-error a claim value is a string, number or boolean
    expect(() => claimEquals('gty', null)).not.toThrow();
  });
});

describe('passwordLogin() options', () => {
  it('type respond(result, ctx), sync or async', () => {
    expectTypeOf<LoginResponder>().parameters.toEqualTypeOf<[LoginResult, Context]>();
    const options: PasswordLoginOptions = {
      client,
      async respond(result, ctx) {
        await Promise.resolve();
        if (result.status === 'rate_limited') ctx.set('Retry-After', String(result.retryAfter));
        ctx.body = result;
      },
    };
    const login = passwordLogin(options);
    expect(typeof login.tokens).toBe('function');
    login.manager.close();
  });

  it('refuse an unknown option or a missing client, as core does at run time', () => {
    // @ts-expect-error a misspelt option
    const misspelt: PasswordLoginOptions = { client, forwardUserip: true };
    // @ts-expect-error neither client nor manager
    const empty: PasswordLoginOptions = {};
    expect(() => passwordLogin(misspelt)).toThrow('Unknown passwordLogin() option "forwardUserip"');
    expect(() => passwordLogin(empty)).toThrow(TypeError);
  });

  it('export the new names only', () => {
    expectTypeOf<typeof koa>().not.toHaveProperty('authErrors');
    expectTypeOf<typeof koa>().not.toHaveProperty('SESSION_TOKEN_KEY_FIELD');
    expectTypeOf<PasswordLoginHandlers>().not.toHaveProperty('middleware');
    expect(Object.keys(koa).filter((name) => /authErrors$|SESSION_TOKEN/.test(name))).toEqual([]);
  });
});
