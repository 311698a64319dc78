/**
 * The routes of the sign-in engine, in the order a sign-in meets them: every adapter's
 * `passwordLogin()` returns one handler per name, so an adapter adds them generically.
 */
export const LOGIN_ROUTES = Object.freeze([
  'login',
  'verifyOtp',
  'challenge',
  'verifyOob',
  'pollPush',
  'verifyRecoveryCode',
  'enroll',
  'logout',
] as const);

/** The name of a login route (see {@link LOGIN_ROUTES}). */
export type LoginRouteName = (typeof LOGIN_ROUTES)[number];

/**
 * Where the documentation, the examples and the conformance kit mount each route (all `POST`).
 * Mount them elsewhere if you like: nothing depends on these paths.
 *
 * @example
 * ```ts
 * for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
 * ```
 */
export const LOGIN_ROUTE_PATHS: Readonly<Record<LoginRouteName, string>> = Object.freeze({
  login: '/login',
  verifyOtp: '/login/otp',
  challenge: '/login/challenge',
  verifyOob: '/login/oob',
  pollPush: '/login/push',
  verifyRecoveryCode: '/login/recovery',
  enroll: '/login/enroll',
  logout: '/logout',
});

/**
 * One handler per login route, made by `handler`: what an adapter's `passwordLogin()` spreads
 * into the object it returns, so that a route added to the engine reaches every adapter with no
 * adapter code.
 *
 * @example
 * ```ts
 * return { tokens, ...loginRouteHandlers((route) => toMiddleware(routes[route])), manager };
 * ```
 */
export function loginRouteHandlers<T>(
  handler: (route: LoginRouteName) => T,
): Record<LoginRouteName, T> {
  return {
    login: handler('login'),
    verifyOtp: handler('verifyOtp'),
    challenge: handler('challenge'),
    verifyOob: handler('verifyOob'),
    pollPush: handler('pollPush'),
    verifyRecoveryCode: handler('verifyRecoveryCode'),
    enroll: handler('enroll'),
    logout: handler('logout'),
  };
}
