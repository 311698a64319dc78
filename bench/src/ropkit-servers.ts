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

/**
 * Not adapters, measured only with `BENCH_SKETCHES=1`, to tell where a cache hit's microseconds
 * go: each framework with a middleware (or hook) that does nothing, the framework's own price of
 * one more step; and what an adapter could reach with core's synchronous cache hit
 * (`verifier.authenticateCached`), going on without a promise when the token is cached and
 * through `authenticate` otherwise.
 */
export const SKETCH_SERVERS: Record<string, (env: BenchEnv) => Promise<Started>> = {
  'express + no-op middleware': async () => {
    const express = (await import('express')).default;
    const app = express();
    app.get(
      '/api/private',
      (_req, _res, next) => {
        next();
      },
      (_req, res) => {
        res.json(body);
      },
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return {
      port: portOf(server.address()),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  'koa + no-op middleware': async () => {
    const Koa = (await import('koa')).default;
    const app = new Koa();
    app.use((_ctx, next) => next());
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
  'fastify + no-op onRequest hook': async () => {
    const Fastify = (await import('fastify')).default;
    const app = Fastify({ logger: false });
    app.get('/api/private', { onRequest: async () => undefined }, async () => body);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: portOf(app.server.address()), close: () => app.close() };
  },
  'express + core, sync cache hit': async (env) => {
    const express = (await import('express')).default;
    const { createAccessTokenVerifier, BearerError } = await import('@ropkit/core');
    const verifier = createAccessTokenVerifier({
      issuer: env.issuer,
      audience: env.audience,
      jwksUri: env.jwksUri,
    });
    const app = express();
    app.get(
      '/api/private',
      (req, res, next) => {
        const hit = verifier.authenticateCached(req);
        if (hit !== undefined) {
          next();
          return;
        }
        verifier.authenticate(req).then(
          () => next(),
          (error: unknown) => {
            if (!(error instanceof BearerError)) throw error;
            res.status(error.status).set(error.headers).json(error.body);
          },
        );
      },
      (_req, res) => {
        res.json(body);
      },
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return {
      port: portOf(server.address()),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  'koa + core, sync cache hit': async (env) => {
    const Koa = (await import('koa')).default;
    const { createAccessTokenVerifier } = await import('@ropkit/core');
    const verifier = createAccessTokenVerifier({
      issuer: env.issuer,
      audience: env.audience,
      jwksUri: env.jwksUri,
    });
    const app = new Koa();
    app.use((ctx, next) => {
      const request = { headers: ctx.headers, rawHeaders: ctx.req.rawHeaders };
      const hit = verifier.authenticateCached(request);
      if (hit !== undefined) return next();
      return verifier.authenticate(request).then(() => next());
    });
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
  'fastify + core, sync cache hit': async (env) => {
    const Fastify = (await import('fastify')).default;
    const { createAccessTokenVerifier } = await import('@ropkit/core');
    const verifier = createAccessTokenVerifier({
      issuer: env.issuer,
      audience: env.audience,
      jwksUri: env.jwksUri,
    });
    const app = Fastify({ logger: false });
    app.get(
      '/api/private',
      {
        onRequest: (request, _reply, done) => {
          const bearer = { headers: request.headers, rawHeaders: request.raw.rawHeaders };
          if (verifier.authenticateCached(bearer) !== undefined) {
            done();
            return;
          }
          verifier.authenticate(bearer).then(
            () => done(),
            (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
          );
        },
      },
      async () => body,
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    return { port: portOf(app.server.address()), close: () => app.close() };
  },
};
