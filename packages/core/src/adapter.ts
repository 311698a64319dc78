/**
 * `@ropkit/core/adapter`: what a framework adapter is built from. Application code does not need
 * it; `@ropkit/express`, `@ropkit/koa` and `@ropkit/fastify` are built from it, and so can be an
 * adapter for another framework. Every policy is here, decided once; an adapter only converts its
 * framework's request, session and response to these neutral shapes and back:
 *
 * - `auth()`: {@link createAuthenticate} per route, {@link renderBearerError} for its failures;
 * - route requirements: the neutral rules ({@link requireScopes}, {@link claimCheck}, ...) and
 *   {@link applyRequirement};
 * - sign-in: {@link createLoginRoutes} over a {@link LoginSession} port for the framework's
 *   session library; its answers are ready to write, and {@link loginRouteHandlers} makes one
 *   handler per route ({@link LOGIN_ROUTES}), generically.
 *
 * @packageDocumentation
 */
export { renderBearerError, renderError, type HttpAnswer } from './http-api/error-response.js';
export { isLoopbackHost } from './http/url-policy.js';
export { createAuthenticate, type Authenticate, type AuthOptions } from './http-api/protect.js';
export {
  applyRequirement,
  assertRequirement,
  claimCheck,
  claimEquals,
  claimIncludes,
  requireAnyScope,
  requireScopes,
  requireStepUp,
  type AuthRequirement,
  type StepUpRequirement,
} from './http-api/route-requirements.js';
export { renderLoginResult } from './sign-in/login-answer.js';
export { optionsObject } from './sign-in/login-options.js';
export {
  createLoginRoutes,
  type LoginAnswer,
  type LoginRequest,
  type LoginRoute,
  type LoginRoutes,
} from './sign-in/login-routes.js';
export {
  LOGIN_ROUTES,
  loginRouteHandlers,
  type LoginRouteName,
} from './sign-in/login-route-names.js';
export {
  SESSION_KEY_FIELD,
  sessionMissingError,
  type LoginSession,
} from './sign-in/session-port.js';
export type { CallingRequest } from './sign-in/step-up.js';
