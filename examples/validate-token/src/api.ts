import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  BearerError,
  checkScopes,
  createAccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '@ropkit/core';

/**
 * The routes of Auth0's API quickstarts on plain `node:http`:
 * `GET /api/public` (no token), `GET /api/private` (any valid token),
 * `GET /api/private-scoped` (needs `read:sample`).
 */
export function createApi(options: AccessTokenVerifierOptions): Server {
  const verifier = createAccessTokenVerifier(options);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/public') return json(res, 200, { message: 'Public: no token needed' });
    try {
      const auth = await verifier.authenticate(req);
      if (path === '/api/private') return json(res, 200, { message: `Hello ${auth.payload.sub}` });
      if (path === '/api/private-scoped') {
        checkScopes(auth.scopes, ['read:sample'], 'all', verifier.options.realm);
        return json(res, 200, { message: 'You have read:sample' });
      }
      return json(res, 404, { error: 'not_found' });
    } catch (error) {
      // The error carries the status, the exact WWW-Authenticate value and the body.
      if (error instanceof BearerError) return json(res, error.status, error.body, error.headers);
      throw error;
    }
  }

  return createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
  });
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify(body));
}
