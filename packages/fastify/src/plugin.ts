import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

async function ropkitPlugin(fastify: FastifyInstance): Promise<void> {
  // Every request gets the same shape up front (Fastify keeps one hidden class per request).
  fastify.decorateRequest('auth', undefined);
}

/**
 * The Fastify plugin of ropkit: declares `request.auth` (set by {@link auth}'s hook, `undefined`
 * until then) on every request. Wrapped with fastify-plugin (Fastify 5), so the decoration reaches
 * the routes of the instance it is registered on: register it once, on the root instance. The
 * sign-in's `request.accessToken()`, `request.apiFetch()`, `request.identity()` and
 * `request.userinfo()` come from `passwordLogin().tokens`.
 *
 * @example
 * ```ts
 * await app.register(fastifyRopkit);
 * ```
 */
export const fastifyRopkit: FastifyPluginAsync = fp(ropkitPlugin, {
  fastify: '5.x',
  name: '@ropkit/fastify',
});
