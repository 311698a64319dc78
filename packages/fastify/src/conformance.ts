/**
 * `@ropkit/fastify/conformance`: the test app every ropkit adapter ships, so one list of requests
 * can be replayed against Express, Koa and Fastify and the answers compared byte for byte. It is
 * built with this package only as a user would build it.
 *
 * Needs `@fastify/cookie`, `@fastify/session` and `@fastify/formbody` installed.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import {
  ReauthenticationRequiredError,
  TokenError,
  type StartTestApp,
  type TestAppOptions,
  type VerifiedAccessToken,
} from '@ropkit/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { auth } from './auth.js';
import { passwordLogin } from './login.js';
import { fastifyRopkit } from './plugin.js';
import { requireAnyScope, requireScopes } from './requirements.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * Starts the test app on 127.0.0.1 with an ephemeral port, with the routes listed in core's
 * `TestApp`: `/api/public`, `/api/private`, `/api/private-scoped`, `/api/any-scope`,
 * `/api/optional`, and with `login`: `POST /login`, `POST /login/otp`, `GET /call-api`,
 * `POST /logout`.
 */
export const startTestApp: StartTestApp = async (options) => {
  // trustProxy: the client IP comes from X-Forwarded-For, so a test can act as several end users.
  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false });
  try {
    await buildRoutes(app, options);
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = addressOf(app);
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
};

async function buildRoutes(app: FastifyInstance, options: TestAppOptions): Promise<void> {
  const login =
    options.login === undefined
      ? undefined
      : passwordLogin({
          client: options.login.client,
          ...(options.login.realm === undefined ? {} : { realm: options.login.realm }),
          ...(options.login.forwardUserIp === undefined
            ? {}
            : { forwardUserIp: options.login.forwardUserIp }),
        });

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // A fresh secret per app: sessions need not outlive it.
    secret: randomBytes(32).toString('base64url'),
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax' },
    saveUninitialized: false,
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyRopkit, login === undefined ? {} : { login });

  const protect = auth(options.verifier);
  const protectOptional = auth({ ...options.verifier, optional: true });

  app.get('/api/public', () => ({ message: 'public' }));
  app.get('/api/private', { onRequest: protect }, (request) => subject(request.auth));
  app.get(
    '/api/private-scoped',
    { onRequest: [protect, requireScopes('read:sample')] },
    (request) => subject(request.auth),
  );
  app.get(
    '/api/any-scope',
    { onRequest: [protect, requireAnyScope('read:sample', 'write:sample')] },
    (request) => subject(request.auth),
  );
  app.get('/api/optional', { onRequest: protectOptional }, (request) => subject(request.auth));

  if (login === undefined) return;
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);

  const downstreamUrl = options.login?.downstreamUrl;
  if (downstreamUrl === undefined) return;
  app.get('/call-api', async (request, reply) => {
    try {
      const response = await request.apiFetch(downstreamUrl);
      const contentType = response.headers.get('content-type');
      if (contentType !== null) reply.header('content-type', contentType);
      return reply.code(response.status).send(await response.text());
    } catch (error) {
      if (error instanceof ReauthenticationRequiredError) {
        return reply.code(401).send({ status: 'reauthentication_required', message: 'Sign in' });
      }
      if (error instanceof TokenError) {
        return reply.code(503).send({ status: 'unavailable', message: 'Try again later' });
      }
      throw error;
    }
  });
}

/** The body of the protected routes: who the token is about. */
function subject(verified: VerifiedAccessToken | undefined): { sub: string | null } {
  return { sub: verified?.payload.sub ?? null };
}

function addressOf(app: FastifyInstance): AddressInfo {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address;
}
