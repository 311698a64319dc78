/**
 * The servers the adapter benchmark measures, one configuration per name: each framework bare,
 * with the peers users would pick instead, and with ropkit. Each runs in its own child process
 * (see server-process.ts); every protected route answers `{"ok":true}` after validation.
 */
import { createPublicKey } from 'node:crypto';
import type { Server } from 'node:http';
import type { JWK } from 'jose';

/** What every configuration is started with. */
export interface BenchEnv {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** The signing key's public JWK, for peers that take a key rather than a JWKS URL. */
  publicJwk: JWK;
}

export type Started = { port: number; close(): Promise<void> };
type Starter = (env: BenchEnv) => Promise<Started>;

async function listenNode(server: Server): Promise<Started> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const body = { ok: true };

async function express() {
  return (await import('express')).default;
}

async function koaApp() {
  const Koa = (await import('koa')).default;
  return new Koa();
}

async function fastifyApp() {
  return (await import('fastify')).default({ logger: false });
}

async function listenFastify(app: Awaited<ReturnType<typeof fastifyApp>>): Promise<Started> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, close: () => app.close() };
}

export const PEER_SERVERS: Record<string, Starter> = {
  'express bare': async () => {
    const app = (await express())();
    app.get('/api/private', (_req, res) => res.json(body));
    return listenNode(app.listen(0, '127.0.0.1'));
  },
  'express + express-oauth2-jwt-bearer': async (env) => {
    // Loaded by a computed name so its global `req.auth` declaration stays out of this program:
    // it conflicts with @ropkit/express's, and nobody installs both in one app.
    const peerModule: string = 'express-oauth2-jwt-bearer';
    const { auth } = (await import(peerModule)) as {
      auth: (options: Record<string, unknown>) => import('express').RequestHandler;
    };
    const app = (await express())();
    app.get(
      '/api/private',
      auth({
        issuer: env.issuer,
        audience: env.audience,
        jwksUri: env.jwksUri,
        tokenSigningAlg: 'RS256',
      }),
      (_req, res) => res.json(body),
    );
    return listenNode(app.listen(0, '127.0.0.1'));
  },
  'express + express-jwt + jwks-rsa': async (env) => {
    const { expressjwt } = await import('express-jwt');
    const jwksRsa = (await import('jwks-rsa')).default;
    const app = (await express())();
    app.get(
      '/api/private',
      expressjwt({
        secret: jwksRsa.expressJwtSecret({
          jwksUri: env.jwksUri,
          cache: true,
          rateLimit: true,
        }) as never,
        audience: env.audience,
        issuer: env.issuer,
        algorithms: ['RS256'],
      }),
      (_req, res) => res.json(body),
    );
    return listenNode(app.listen(0, '127.0.0.1'));
  },
  'koa bare': async () => {
    const app = await koaApp();
    app.use((ctx) => {
      ctx.body = body;
    });
    return listenNode(app.listen(0, '127.0.0.1'));
  },
  'koa + koa-jwt + jwks-rsa': async (env) => {
    const koaJwt = (await import('koa-jwt')).default;
    const jwksRsa = (await import('jwks-rsa')).default;
    const app = await koaApp();
    app.use(
      koaJwt({
        secret: jwksRsa.koaJwtSecret({
          jwksUri: env.jwksUri,
          cache: true,
          rateLimit: true,
        }) as never,
        audience: env.audience,
        issuer: env.issuer,
        algorithms: ['RS256'],
      }),
    );
    app.use((ctx) => {
      ctx.body = body;
    });
    return listenNode(app.listen(0, '127.0.0.1'));
  },
  'fastify bare': async () => {
    const app = await fastifyApp();
    app.get('/api/private', async () => body);
    return listenFastify(app);
  },
  ...fastifyJwt('fastify + @fastify/jwt', false),
  ...fastifyJwt('fastify + @fastify/jwt (cache)', true),
};

function fastifyJwt(name: string, cache: boolean): Record<string, Starter> {
  return {
    [name]: async (env) => {
      const fastifyJwtPlugin = (await import('@fastify/jwt')).default;
      const app = await fastifyApp();
      const pem = createPublicKey({ key: env.publicJwk, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      await app.register(fastifyJwtPlugin, {
        secret: { public: pem, private: 'unused' },
        verify: {
          algorithms: ['RS256'],
          allowedIss: env.issuer,
          allowedAud: env.audience,
          ...(cache ? { cache: true } : {}),
        },
      });
      app.get(
        '/api/private',
        { onRequest: [async (request) => request.jwtVerify()] },
        async () => body,
      );
      return listenFastify(app);
    },
  };
}
