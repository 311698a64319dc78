import * as rules from '@ropkit/core/adapter';
import type { AuthRequirement } from '@ropkit/core/adapter';
import type { RequestHandler } from 'express';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * Middleware applying any core `AuthRequirement` after `auth()`; a failure goes to `next(err)`.
 *
 * @throws {TypeError} at declaration, when `rule` is not a function.
 */
export function requirement(rule: AuthRequirement): RequestHandler {
  rules.assertRequirement(rule);
  return (req, _res, next) => {
    try {
      rules.applyRequirement(rule, req.auth, req);
    } catch (error) {
      next(error);
      return;
    }
    next();
  };
}

/** Turns one of core's requirement builders into a builder of Express middleware. */
const toMiddleware =
  <A extends unknown[]>(build: (...args: A) => AuthRequirement) =>
  (...args: A): RequestHandler =>
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
