import * as rules from '@ropkit/core/adapter';
import type { AuthHook } from './auth.js';
import { ropkitAuthErrorHandler } from './errors.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * A hook applying any core `AuthRequirement` after `auth()`; a failure is answered here.
 *
 * @throws {TypeError} at declaration, when `rule` is not a function.
 */
export function requirement(rule: rules.AuthRequirement): AuthHook {
  rules.assertRequirement(rule);
  return async function ropkitRequirement(request, reply) {
    try {
      rules.applyRequirement(rule, request.auth, request);
    } catch (error) {
      return ropkitAuthErrorHandler(error, request, reply);
    }
    return undefined;
  };
}

/** Turns one of core's requirement builders into a builder of Fastify hooks. */
const toHook =
  <A extends unknown[]>(build: (...args: A) => rules.AuthRequirement) =>
  (...args: A): AuthHook =>
    requirement(build(...args));

/** {@inheritDoc "@ropkit/core/adapter"!requireScopes} */
export const requireScopes = toHook(rules.requireScopes);
/** {@inheritDoc "@ropkit/core/adapter"!requireAnyScope} */
export const requireAnyScope = toHook(rules.requireAnyScope);
/** {@inheritDoc "@ropkit/core/adapter"!claimCheck} */
export const claimCheck = toHook(rules.claimCheck);
/** {@inheritDoc "@ropkit/core/adapter"!claimEquals} */
export const claimEquals = toHook(rules.claimEquals);
/** {@inheritDoc "@ropkit/core/adapter"!claimIncludes} */
export const claimIncludes = toHook(rules.claimIncludes);
/** {@inheritDoc "@ropkit/core/adapter"!requireStepUp} */
export const requireStepUp = toHook(rules.requireStepUp);
