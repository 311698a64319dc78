import { once } from 'node:events';
import { createServer } from 'node:http';
import type { JWK } from 'jose';
import { createKitKey, type KitKey } from './token-factory.js';

/**
 * Another authorization server for the several-issuers scenarios: its own issuer name on its own
 * listener, with a signing key of its own in its key set (the mock server's custom domain shares
 * the tenant's keys, as Auth0's does). The kit serves it on 127.0.0.1 in its own process, whatever
 * the runtime of the mock server: discovery and key set only, the scenarios sign its tokens.
 */
export interface SecondIssuer {
  /** `http://127.0.0.1:<port>/`. */
  issuer: string;
  /** `<issuer>.well-known/jwks.json`: this issuer's key, not the first one's. */
  jwksUri: string;
  /** Its signing key; the key set publishes the public half. */
  key: KitKey;
  /** Stops it (and the connections apps keep open to it). */
  close(): Promise<void>;
}

/** The public members of an RSA or EC private JWK, with its kid and alg. */
function publicJwkOf(key: KitKey): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = key.privateJwk;
  return { ...publicJwk, use: 'sig' };
}

/**
 * Starts the second issuer with a fresh key `kid`: it answers its OpenID and RFC 8414 discovery
 * documents and its key set, and 404 to anything else.
 */
export async function startSecondIssuer(kid = 'another-server'): Promise<SecondIssuer> {
  const key = await createKitKey(kid);
  let issuer = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (
      path === '/.well-known/openid-configuration' ||
      path === '/.well-known/oauth-authorization-server'
    ) {
      json({ issuer, jwks_uri: `${issuer}.well-known/jwks.json` });
    } else if (path === '/.well-known/jwks.json') {
      json({ keys: [publicJwkOf(key)] });
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  issuer = `http://127.0.0.1:${port}/`;
  return {
    issuer,
    jwksUri: `${issuer}.well-known/jwks.json`,
    key,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
