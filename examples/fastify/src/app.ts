import Fastify, { type FastifyInstance } from 'fastify';
import { auth, fastifyRopkit, requireScopes } from '@ropkit/fastify';
import type { ApiConfig } from './config.ts';

/**
 * The API of Auth0's API quickstarts, protected as the @ropkit/fastify README shows:
 * `GET /api/public` (no token), `GET /api/private` (any valid access token) and
 * `GET /api/private-scoped` (the `read:sample` scope). The hooks answer failures themselves
 * with RFC 6750 responses.
 */
export async function createApp(config: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyRopkit); // declares request.auth

  // One auth() per API: it holds the verifier, its key set and its cache.
  const protect = auth({
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    tokenProfile: config.tokenProfile,
  });

  app.get('/api/public', () => ({
    message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
  }));
  // onRequest: the token is checked before any body is read.
  app.get('/api/private', { onRequest: protect }, (request) => ({
    message: 'Hello from a private endpoint! You need to be authenticated to see this.',
    sub: request.auth?.payload.sub,
  }));
  app.get(
    '/api/private-scoped',
    { onRequest: [protect, requireScopes('read:sample')] },
    (request) => ({
      message:
        'Hello from a private endpoint! You need to be authenticated and have a scope of read:sample to see this.',
      sub: request.auth?.payload.sub,
    }),
  );
  return app;
}
