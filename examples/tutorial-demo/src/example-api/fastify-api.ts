import Fastify from 'fastify';
import { auth, fastifyRopkit, requireScopes } from '@ropkit/fastify';
import {
  DPOP_OPTIONS,
  REQUIRED_SCOPE,
  type ExampleApiOptions,
  type RunningApi,
} from './api-options.ts';

/**
 * The API of `@ropkit/fastify`'s README ("Protect an API"), with DPoP allowed, listening on
 * 127.0.0.1.
 */
export async function startFastifyApi(options: ExampleApiOptions): Promise<RunningApi> {
  const app = Fastify();
  await app.register(fastifyRopkit); // declares request.auth

  // One verifier (key set, cache) per call: create the hook once and reuse it.
  const protect = auth({
    issuer: options.issuer,
    audience: options.audience,
    dpop: options.dpop ?? DPOP_OPTIONS, // Bearer tokens, and DPoP-bound ones with their proof
  });

  app.get('/api/public', () => ({ message: 'no token needed' }));
  app.get('/api/private', { onRequest: protect }, (request) => ({
    sub: request.auth?.payload.sub,
  }));
  app.get(
    '/api/private-scoped',
    { onRequest: [protect, requireScopes(REQUIRED_SCOPE)] },
    (request) => ({
      sub: request.auth?.payload.sub,
    }),
  );

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, close: () => app.close() };
}
