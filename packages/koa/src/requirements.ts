import * as rules from '@ropkit/core/adapter';
import type { AuthRequirement } from '@ropkit/core/adapter';
import type { Middleware } from 'koa';

/**
 * Middleware applying any core `AuthRequirement` after `auth()`; a failure is thrown.
 *
 * @throws {TypeError} at declaration, when `rule` is not a function.
 */
export function requirement(rule: AuthRequirement): Middleware {
  rules.assertRequirement(rule);
  return async function ropkitRequirement(ctx, next) {
    rules.applyRequirement(rule, ctx.state.auth, ctx);
    await next();
  };
}

/** Turns one of core's requirement builders into a builder of Koa middleware. */
const toMiddleware =
  <A extends unknown[]>(build: (...args: A) => AuthRequirement) =>
  (...args: A): Middleware =>
    requirement(build(...args));

/** {@inheritDoc "@ropkit/core/adapter"!requireScopes} */
export const requireScopes = toMiddleware(rules.requireScopes);
/** {@inheritDoc "@ropkit/core/adapter"!requireAnyScope} */
export const requireAnyScope = toMiddleware(rules.requireAnyScope);
/** {@inheritDoc "@ropkit/core/adapter"!claimCheck} */
export const claimCheck = toMiddleware(rules.claimCheck);
/** {@inheritDoc "@ropkit/core/adapter"!claimEquals} */
export const claimEquals = toMiddleware(rules.claimEquals);
/** {@inheritDoc "@ropkit/core/adapter"!claimIncludes} */
export const claimIncludes = toMiddleware(rules.claimIncludes);
/** {@inheritDoc "@ropkit/core/adapter"!requireStepUp} */
export const requireStepUp = toMiddleware(rules.requireStepUp);
