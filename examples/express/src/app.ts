import express, { type Express } from 'express';
import { auth, authErrorHandler, requireScopes } from '@ropkit/express';
import type { ApiConfig } from './config.ts';

/**
 * The API of Auth0's API quickstarts, protected as the @ropkit/express README shows:
 * `GET /api/public` (no token), `GET /api/private` (any valid access token) and
 * `GET /api/private-scoped` (the `read:sample` scope). Failures are RFC 6750 answers.
 */
export function createApp(config: ApiConfig): Express {
  const app = express();
  // One auth() per API: it holds the verifier, its key set and its cache.
  const requireAuth = auth({
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms,
    tokenProfile: config.tokenProfile,
  });

  app.get('/api/public', (_req, res) => {
    res.json({
      message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
    });
  });
  app.get('/api/private', requireAuth, (req, res) => {
    res.json({
      message: 'Hello from a private endpoint! You need to be authenticated to see this.',
      sub: req.auth?.payload.sub,
    });
  });
  app.get('/api/private-scoped', requireAuth, requireScopes('read:sample'), (req, res) => {
    res.json({
      message:
        'Hello from a private endpoint! You need to be authenticated and have a scope of read:sample to see this.',
      sub: req.auth?.payload.sub,
    });
  });
  // RFC 6750 section 3: status, WWW-Authenticate and a JSON body; after the routes.
  app.use(authErrorHandler());
  return app;
}
