import { Router } from '@koa/router';
import Koa from 'koa';
import { auth, authErrorHandler, requireScopes } from '@ropkit/koa';
import type { ApiConfig } from './config.ts';

/**
 * The API of Auth0's API quickstarts, protected as the @ropkit/koa README shows:
 * `GET /api/public` (no token), `GET /api/private` (any valid access token) and
 * `GET /api/private-scoped` (the `read:sample` scope). Failures are RFC 6750 answers.
 */
export function createApp(config: ApiConfig): Koa {
  const app = new Koa();
  // First, so it answers every failure below: status, WWW-Authenticate and a JSON body.
  app.use(authErrorHandler());

  // One auth() per API: it holds the verifier, its key set and its cache.
  const checkJwt = auth({
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    tokenProfile: config.tokenProfile,
  });

  const router = new Router();
  router.get('/api/public', (ctx) => {
    ctx.body = {
      message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
    };
  });
  router.get('/api/private', checkJwt, (ctx) => {
    ctx.body = {
      message: 'Hello from a private endpoint! You need to be authenticated to see this.',
      sub: ctx.state.auth?.payload.sub,
    };
  });
  router.get('/api/private-scoped', checkJwt, requireScopes('read:sample'), (ctx) => {
    ctx.body = {
      message:
        'Hello from a private endpoint! You need to be authenticated and have a scope of read:sample to see this.',
      sub: ctx.state.auth?.payload.sub,
    };
  });
  app.use(router.routes());
  return app;
}
