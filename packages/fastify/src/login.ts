import {
  createLoginRoutes,
  loginRouteHandlers,
  optionsObject,
  type LoginRouteName,
} from '@ropkit/core/adapter';
import type { LoginOptions, LoginResult, TokenManager } from '@ropkit/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { sendAnswer } from './errors.js';
import type { AnyFastifyReply, AnyFastifyRequest } from './fastify-types.js';
import { fastifySession } from './session.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from.
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/** Writes the answer to a login route yourself (a redirect, a page). */
export type LoginResponder = (
  result: LoginResult,
  request: AnyFastifyRequest,
  reply: AnyFastifyReply,
) => unknown;

/**
 * Options of {@link passwordLogin}: core's sign-in options (the token client or a ready token
 * manager, `realm`, `forwardUserIp`, `mfaStepTtlMs`, `logger`), and `respond`.
 */
export type PasswordLoginOptions = LoginOptions & {
  /** Writes each result yourself. Default: core's answer, the same bytes in every adapter. */
  respond?: LoginResponder;
};

/** A route handler of {@link passwordLogin}. */
export type LoginRouteHandler = (
  request: AnyFastifyRequest,
  reply: AnyFastifyReply,
) => Promise<unknown>;

/**
 * The handlers {@link passwordLogin} returns: one `POST` handler per login route of core's
 * engine (`login`, `verifyOtp`, `challenge`, `verifyOob`, `pollPush`, `verifyRecoveryCode`,
 * `enroll`, `logout`: `LOGIN_ROUTES`, documented on core's `LoginRoutes`), `tokens` and `manager`.
 */
export interface PasswordLoginHandlers extends Record<LoginRouteName, LoginRouteHandler> {
  /**
   * A plugin adding `request.accessToken()`, `request.apiFetch()`, `request.identity()` and
   * `request.userinfo()`; register it.
   */
  tokens: FastifyPluginAsync;
  /** The token manager holding every session's tokens. */
  manager: TokenManager;
}

/**
 * The Resource Owner Password sign-in for Fastify: core's sign-in engine over @fastify/session
 * (registered with @fastify/cookie). JSON bodies work as they are; register @fastify/formbody for
 * form posts.
 *
 * @example
 * ```ts
 * const login = passwordLogin({ client: { issuer: 'https://YOUR_DOMAIN/', clientId, clientSecret } });
 * await app.register(login.tokens);
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
  const handle =
    (route: LoginRouteName): LoginRouteHandler =>
    async (request, reply) => {
      const neutral = { body: request.body, ip: request.ip, session: fastifySession(request) };
      const { answer, result } = await routes[route](neutral);
      // The default: core's rendering, byte for byte what the Express and Koa adapters write.
      return respond === undefined ? sendAnswer(reply, answer) : respond(result, request, reply);
    };

  // Methods on Fastify's request prototype: `this` is the request (typed by decorateRequest from
  // the declarations in index.ts), whose session and IP each call hands to the engine.
  async function tokens(fastify: FastifyInstance): Promise<void> {
    fastify.decorateRequest('accessToken', function accessToken() {
      return routes.accessToken(fastifySession(this), this.ip);
    });
    fastify.decorateRequest('apiFetch', function apiFetch(input, init) {
      return routes.apiFetch(fastifySession(this), this.ip, this)(input, init); // this: returnTo
    });
    fastify.decorateRequest('identity', function identity() {
      return routes.identity(fastifySession(this), this.ip);
    });
    fastify.decorateRequest('userinfo', function userinfo() {
      return routes.userinfo(fastifySession(this), this.ip);
    });
  }

  return {
    tokens: fp(tokens, { fastify: '5.x', name: '@ropkit/fastify/tokens' }),
    ...loginRouteHandlers(handle),
    manager: routes.manager,
  };
}
