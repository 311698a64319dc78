import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { auth, authErrorHandler, requireScopes } from '@ropkit/express';
import {
  DPOP_OPTIONS,
  REQUIRED_SCOPE,
  type ExampleApiOptions,
  type RunningApi,
} from './api-options.ts';

/**
 * The API of `@ropkit/express`'s README ("Protect an API"), with DPoP allowed, listening on
 * 127.0.0.1.
 */
export async function startExpressApi(options: ExampleApiOptions): Promise<RunningApi> {
  const app = express();
  const requireAuth = auth({
    issuer: options.issuer,
    audience: options.audience,
    dpop: options.dpop ?? DPOP_OPTIONS, // Bearer tokens, and DPoP-bound ones with their proof
  });

  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public: no token needed' });
  });
  app.get('/api/private', requireAuth, (req, res) => {
    res.json({ sub: req.auth?.payload.sub });
  });
  app.get('/api/private-scoped', requireAuth, requireScopes(REQUIRED_SCOPE), (req, res) => {
    res.json({ scopes: req.auth?.scopes });
  });
  app.use(authErrorHandler()); // RFC 6750 answers as JSON; after the routes

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
