/**
 * ropkit's adapters in the adapter benchmark, written as each package README shows, with the
 * same keys, issuer and audience as the peers. The key set is fetched once from the JWKS URL.
 */
import type { BenchEnv, Started } from './peer-servers.ts';

const body = { ok: true };

function portOf(address: unknown): number {
  return typeof address === 'object' &&
    address !== null &&
    'port' in address &&
    typeof address.port === 'number'
    ? address.port
    : 0;
}

export const ROPKIT_SERVERS: Record<string, (env: BenchEnv) => Promise<Started>> = {
  'express + @ropkit/express': async (env) => {
    const express = (await import('express')).default;
    const { auth, authErrorHandler } = await import('@ropkit/express');
    const app = express();
    app.get(
      '/api/private',
      auth({ issuer: env.issuer, audience: env.audience, jwksUri: env.jwksUri }),
      (_req, res) => {
        res.json(body);
      },
    );
    app.use(authErrorHandler());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return {
      port: portOf(server.address()),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  'koa + @ropkit/koa': async (env) => {
    const Koa = (await import('koa')).default;
    const { auth, authErrorHandler } = await import('@ropkit/koa');
    const app = new Koa();
    app.use(authErrorHandler());
    app.use(auth({ issuer: env.issuer, audience: env.audience, jwksUri: env.jwksUri }));
    app.use((ctx) => {
      ctx.body = body;
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return {
      port: portOf(server.address()),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  'fastify + @ropkit/fastify': async (env) => {
    const Fastify = (await import('fastify')).default;
    const { auth, fastifyRopkit } = await import('@ropkit/fastify');
    const app = Fastify({ logger: false });
    await app.register(fastifyRopkit);
    const protect = auth({ issuer: env.issuer, audience: env.audience, jwksUri: env.jwksUri });
    app.get('/api/private', { onRequest: protect }, async () => body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: portOf(app.server.address()), close: () => app.close() };
  },
};
