import {
  createLoginRoutes,
  loginRouteHandlers,
  optionsObject,
  type LoginAnswer,
  type LoginRouteName,
} from '@ropkit/core/adapter';
import type { LoginOptions, LoginResult, TokenManager } from '@ropkit/core';
import type { Request, RequestHandler, Response } from 'express';
import { withFormOrJsonBody } from './form-or-json-body.js';
import { expressSession } from './session.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Writes the answer to a login route yourself (a redirect, a page). */
export type LoginResponder = (
  result: LoginResult,
  req: Request,
  res: Response,
) => void | Promise<void>;

/**
 * Options of {@link passwordLogin}: core's sign-in options (the token client or a ready token
 * manager, `realm`, `forwardUserIp`, `mfaStepTtlMs`, `logger`), and `respond`.
 */
export type PasswordLoginOptions = LoginOptions & {
  /** Writes each result yourself. Default: core's answer, the same bytes in every adapter. */
  respond?: LoginResponder;
};

/**
 * The handlers {@link passwordLogin} returns: one `POST` handler per login route of core's
 * engine (`login`, `verifyOtp`, `challenge`, `verifyOob`, `pollPush`, `verifyRecoveryCode`,
 * `enroll`, `logout`: `LOGIN_ROUTES`, documented on core's `LoginRoutes`), `tokens` and `manager`.
 */
export interface PasswordLoginHandlers extends Record<LoginRouteName, RequestHandler> {
  /**
   * Middleware adding `req.accessToken()`, `req.apiFetch()`, `req.identity()` and
   * `req.userinfo()`; mount it after the session.
   */
  tokens: RequestHandler;
  /** The token manager holding every session's tokens. */
  manager: TokenManager;
}

/**
 * The Resource Owner Password sign-in for Express: core's sign-in engine over express-session.
 * The handlers read form or JSON bodies themselves (up to 16 kB) when the app did not parse them.
 *
 * @example
 * ```ts
 * const login = passwordLogin({ client: { issuer: 'https://YOUR_DOMAIN/', clientId, clientSecret } });
 * app.use(session({ secret, resave: false, saveUninitialized: false }), login.tokens);
 * for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
 * ```
 * @throws {TypeError} naming the option, for an unknown or invalid one.
 */
export function passwordLogin(options: PasswordLoginOptions): PasswordLoginHandlers {
  const { respond, ...engineOptions } = optionsObject(options, 'passwordLogin()');
  if (respond !== undefined && typeof respond !== 'function') {
    throw new TypeError('"respond" must be a function');
  }
  const routes = createLoginRoutes(engineOptions, 'passwordLogin()');
  const send = async ({ answer, result }: LoginAnswer, req: Request, res: Response) => {
    if (respond !== undefined) await respond(result, req, res);
    // The default: core's rendering, byte for byte what the Koa and Fastify adapters write.
    else res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  const handle = (route: LoginRouteName) =>
    withFormOrJsonBody(async (req, res) => {
      await send(
        await routes[route]({ body: req.body, ip: req.ip, session: expressSession(req) }),
        req,
        res,
      );
    });

  return {
    tokens: (req, _res, next) => {
      req.accessToken = () => routes.accessToken(expressSession(req), req.ip);
      const from = { method: req.method, url: req.originalUrl }; // returnTo after a step-up
      req.apiFetch = (input, init) =>
        routes.apiFetch(expressSession(req), req.ip, from)(input, init);
      req.identity = () => routes.identity(expressSession(req), req.ip);
      req.userinfo = () => routes.userinfo(expressSession(req), req.ip);
      next();
    },
    ...loginRouteHandlers(handle),
    manager: routes.manager,
  };
}
