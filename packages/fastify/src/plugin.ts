import type { AuthorizedFetch } from '@ropkit/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { PasswordLoginHandlers } from './login.js';

/** Options of {@link fastifyRopkit}. */
export interface FastifyRopkitOptions {
  /**
   * The sign-in routes from `passwordLogin()`, whose tokens `request.accessToken()` and
   * `request.apiFetch()` use. Needs a session plugin registered first. Default: none (both
   * methods then throw).
   */
  login?: PasswordLoginHandlers;
}

function isPasswordLoginHandlers(value: unknown): value is PasswordLoginHandlers {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'accessToken') === 'function' &&
    typeof Reflect.get(value, 'apiFetch') === 'function'
  );
}

async function ropkitPlugin(
  fastify: FastifyInstance,
  options: FastifyRopkitOptions,
): Promise<void> {
  const { login } = options;
  if (login !== undefined) {
    if (!isPasswordLoginHandlers(login)) {
      throw new TypeError('"login" must be what passwordLogin() returns');
    }
    if (!fastify.hasRequestDecorator('session')) {
      throw new Error(
        '@ropkit/fastify: register @fastify/cookie and @fastify/session before this plugin: ' +
          'the login keeps a key in the session',
      );
    }
  }
  const signIn = (): PasswordLoginHandlers => {
    if (login === undefined) {
      throw new Error('@ropkit/fastify: register the plugin with { login: passwordLogin(...) }');
    }
    return login;
  };

  // Every request gets the same shape up front (Fastify keeps one hidden class per request).
  fastify.decorateRequest('auth', undefined);
  fastify.decorateRequest('accessToken', function accessToken(this: FastifyRequest) {
    return signIn().accessToken(this);
  });
  fastify.decorateRequest(
    'apiFetch',
    function apiFetch(this: FastifyRequest, ...args: Parameters<AuthorizedFetch>) {
      return signIn().apiFetch(this)(...args);
    },
  );
}

/**
 * The Fastify plugin of ropkit: declares `request.auth` (set by {@link auth}'s hook, `undefined`
 * until then) and, given `login`, `request.accessToken()` and `request.apiFetch()`. Wrapped with
 * fastify-plugin (Fastify 5), so the decorations reach the routes of the instance it is registered
 * on. Register it once, on the root instance.
 *
 * @example
 * ```ts
 * await app.register(fastifyRopkit);
 * const protect = auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'https://api.example.com' });
 * app.get('/api/private', { onRequest: protect }, async (request) => request.auth?.payload);
 * ```
 */
export const fastifyRopkit: FastifyPluginAsync<FastifyRopkitOptions> = fp(ropkitPlugin, {
  fastify: '5.x',
  name: '@ropkit/fastify',
});
