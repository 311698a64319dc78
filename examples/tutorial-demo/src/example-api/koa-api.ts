import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa, { type Middleware } from 'koa';
import { auth, authErrorHandler, requireScopes } from '@ropkit/koa';
import {
  DPOP_OPTIONS,
  REQUIRED_SCOPE,
  type ExampleApiOptions,
  type RunningApi,
} from './api-options.ts';

/**
 * The API of `@ropkit/koa`'s README ("Protect an API"), with DPoP allowed, listening on
 * 127.0.0.1. The README routes with `@koa/router`, which this package does not depend on;
 * {@link get} stands in for `router.get` with the same middleware chain.
 */
export async function startKoaApi(options: ExampleApiOptions): Promise<RunningApi> {
  const app = new Koa();
  app.use(authErrorHandler()); // first: answers 401/403/400/503 with WWW-Authenticate and a JSON body

  const checkJwt = auth({
    issuer: options.issuer,
    audience: options.audience,
    dpop: options.dpop ?? DPOP_OPTIONS, // Bearer tokens, and DPoP-bound ones with their proof
  });

  app.use(
    get('/api/public', (ctx) => {
      ctx.body = { message: 'No token needed' };
    }),
  );
  app.use(
    get('/api/private', checkJwt, (ctx) => {
      ctx.body = { sub: ctx.state.auth?.payload.sub };
    }),
  );
  app.use(
    get('/api/private-scoped', checkJwt, requireScopes(REQUIRED_SCOPE), (ctx) => {
      ctx.body = { sub: ctx.state.auth?.payload.sub };
    }),
  );

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Runs `chain` in order for `GET path`, like `router.get(path, ...chain)`; passes on otherwise. */
function get(path: string, ...chain: Middleware[]): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || ctx.path !== path) {
      await next();
      return;
    }
    const dispatch = async (index: number): Promise<void> => {
      const middleware = chain[index];
      if (middleware !== undefined) await middleware(ctx, () => dispatch(index + 1));
    };
    await dispatch(0);
  };
}
