/**
 * The Koa test app of ropkit's cross-adapter conformance suite: the routes of core's `TestApp`,
 * built with this adapter as a user would, with koa-session (an in-memory store) and
 * {@link authErrors}.
 *
 * @packageDocumentation
 */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import type { StartTestApp } from '@ropkit/core';
import {
  ReauthenticationRequiredError,
  auth,
  authErrors,
  passwordLogin,
  requireAnyScope,
  requireScopes,
} from './index.js';

/** The body of the protected routes: who the token is for (`null` when anonymous). */
function subject(ctx: Koa.Context): { sub: string | null } {
  return { sub: ctx.state.auth?.payload.sub ?? null };
}

/**
 * Starts the test app on 127.0.0.1, port 0. Routes: `GET /api/public`, `/api/private`,
 * `/api/private-scoped` (`read:sample`), `/api/any-scope` (`read:sample` or `write:sample`),
 * `/api/optional`; with `login`: `POST /login`, `POST /login/otp`, `GET /call-api`,
 * `POST /logout`.
 */
export const startTestApp: StartTestApp = async (options) => {
  const app = new Koa();
  // Signs the session cookie; a fresh secret per app is enough for a test app.
  app.keys = [randomBytes(32).toString('base64url')];
  if (options.trustProxy === true) {
    // ctx.ip from X-Forwarded-For: its last entry, the one a single trusted proxy hop appends.
    app.proxy = true;
    app.maxIpsCount = 1;
  }
  app.use(authErrors());
  // Session data stays in memory here; the cookie carries only koa-session's random id.
  const sessions = new Map<string, unknown>();
  app.use(
    session(
      {
        store: {
          get: async (id: string) => sessions.get(id),
          set: async (id: string, data: unknown) => void sessions.set(id, data),
          destroy: async (id: string) => void sessions.delete(id),
        },
      },
      app,
    ),
  );
  app.use(bodyParser());

  const router = new Router();
  const required = auth(options.verifier);
  const optional = auth({ ...options.verifier, optional: true });

  router.get('/api/public', (ctx) => {
    ctx.body = { message: 'Hello from a public endpoint! You do not need to be authenticated.' };
  });
  router.get('/api/private', required, (ctx) => {
    ctx.body = subject(ctx);
  });
  router.get('/api/private-scoped', required, requireScopes('read:sample'), (ctx) => {
    ctx.body = subject(ctx);
  });
  router.get('/api/any-scope', required, requireAnyScope('read:sample', 'write:sample'), (ctx) => {
    ctx.body = subject(ctx);
  });
  router.get('/api/optional', optional, (ctx) => {
    ctx.body = subject(ctx);
  });

  const login = options.login;
  if (login !== undefined) {
    const signIn = passwordLogin({
      client: login.client,
      ...(login.realm === undefined ? {} : { realm: login.realm }),
      ...(login.forwardUserIp === undefined ? {} : { forwardUserIp: login.forwardUserIp }),
    });
    app.use(signIn.middleware);
    router.post('/login', signIn.login);
    router.post('/login/otp', signIn.verifyOtp);
    router.post('/logout', signIn.logout);
    const downstreamUrl = login.downstreamUrl;
    if (downstreamUrl !== undefined) {
      router.get('/call-api', async (ctx) => {
        try {
          const response = await ctx.state.apiFetch(downstreamUrl);
          ctx.status = response.status;
          const type = response.headers.get('content-type');
          if (type !== null) ctx.set('Content-Type', type);
          ctx.body = Buffer.from(await response.arrayBuffer());
        } catch (error) {
          if (!(error instanceof ReauthenticationRequiredError)) throw error;
          ctx.status = 401;
          ctx.body = { status: 'reauthentication_required', message: 'Sign in first' };
        }
      });
    }
  }
  app.use(router.routes());

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
};
