import {
  createLoginRoutes,
  loginRouteHandlers,
  optionsObject,
  type LoginAnswer,
  type LoginRouteName,
} from '@ropkit/core/adapter';
import type { LoginOptions, LoginResult, TokenManager } from '@ropkit/core';
import type { Context, Middleware } from 'koa';
import { koaSession } from './session.js';

/**
 * Writes the answer to a login route yourself (a redirect, a page). It may be
 * async (a template being rendered): the handler awaits it, as Koa answers once they settle.
 */
export type LoginResponder = (result: LoginResult, ctx: Context) => void | Promise<void>;

/**
 * Options of {@link passwordLogin}: core's sign-in options (the token client or a ready token
 * manager, `realm`, `forwardUserIp`, `mfaStepTtlMs`, `logger`), and `respond`.
 */
export type PasswordLoginOptions = LoginOptions & {
  /** Writes each result yourself. Default: core's answer, the same bytes in every adapter. */
  respond?: LoginResponder;
};

/**
 * The middleware {@link passwordLogin} returns: one `POST` handler per login route of core's
 * engine (`login`, `verifyOtp`, `challenge`, `verifyOob`, `pollPush`, `verifyRecoveryCode`,
 * `enroll`, `logout`: `LOGIN_ROUTES`, documented on core's `LoginRoutes`), `tokens` and `manager`.
 */
export interface PasswordLoginHandlers extends Record<LoginRouteName, Middleware> {
  /**
   * Middleware adding `ctx.state.accessToken()`, `ctx.state.apiFetch()`, `ctx.state.identity()`
   * and `ctx.state.userinfo()`; after the session.
   */
  tokens: Middleware;
  /** The token manager holding every session's tokens. */
  manager: TokenManager;
}

/**
 * The Resource Owner Password sign-in for Koa: core's sign-in engine over koa-session. Parse the
 * body first (`@koa/bodyparser`, form and JSON).
 *
 * @example
 * ```ts
 * const login = passwordLogin({ client: { issuer: 'https://YOUR_DOMAIN/', clientId, clientSecret } });
 * app.use(session(app)).use(bodyParser()).use(login.tokens);
 * for (const route of LOGIN_ROUTES) router.post(LOGIN_ROUTE_PATHS[route], login[route]);
 * ```
 * @throws {TypeError} naming the option, for an unknown or invalid one.
 */
export function passwordLogin(options: PasswordLoginOptions): PasswordLoginHandlers {
  const { respond, ...engineOptions } = optionsObject(options, 'passwordLogin()');
  if (respond !== undefined && typeof respond !== 'function') {
    throw new TypeError('"respond" must be a function');
  }
  const routes = createLoginRoutes(engineOptions, 'passwordLogin()');
  const send = async ({ answer, result }: LoginAnswer, ctx: Context): Promise<void> => {
    if (respond !== undefined) {
      await respond(result, ctx);
      return;
    }
    // The default: core's rendering, byte for byte what the Express and Fastify adapters write.
    ctx.status = answer.status;
    ctx.set(answer.headers);
    // A string body keeps the Content-Type set above; 204 has none.
    if (answer.body !== '') ctx.body = answer.body;
  };
  const handle =
    (route: LoginRouteName): Middleware =>
    async (ctx) => {
      const body: unknown = Reflect.get(ctx.request, 'body');
      await send(await routes[route]({ body, ip: ctx.ip, session: koaSession(ctx) }), ctx);
    };

  return {
    tokens: async (ctx, next) => {
      ctx.state.accessToken = () => routes.accessToken(koaSession(ctx), ctx.ip);
      const from = { method: ctx.method, url: ctx.originalUrl }; // returnTo after a step-up
      ctx.state.apiFetch = (input, init) =>
        routes.apiFetch(koaSession(ctx), ctx.ip, from)(input, init);
      ctx.state.identity = () => routes.identity(koaSession(ctx), ctx.ip);
      ctx.state.userinfo = () => routes.userinfo(koaSession(ctx), ctx.ip);
      await next();
    },
    ...loginRouteHandlers(handle),
    manager: routes.manager,
  };
}
