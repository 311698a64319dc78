/**
 * Runs in a fresh npm project outside the workspace, against @ropkit/express as installed from
 * the rehearsal's registry: protects `/api/private` with `auth()` (the Auth0 tutorial's
 * protected API), then calls it without a token and with one signed by a local issuer, the way
 * the tutorial's "Call your API" step does. Exits 1 on any unexpected answer.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { auth, authErrorHandler } from '@ropkit/express';

const AUDIENCE = 'https://api.rehearsal.example';
const SUBJECT = 'auth0|rehearsal-user';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

// The issuer: one RS256 key, its JWKS on 127.0.0.1 (as Auth0 serves /.well-known/jwks.json).
const { privateKey, publicKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'rehearsal', alg: 'RS256', use: 'sig' };
const issuerServer = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
});
const issuer = await listen(issuerServer);

// The API: `req.auth` is typed by importing @ropkit/express; tsc checks that it is.
const app = express();
app.get(
  '/api/private',
  auth({ issuer, audience: AUDIENCE, jwksUri: `${issuer}jwks.json` }),
  (req, res) => {
    const subject: string | undefined = req.auth?.payload.sub;
    res.json({ sub: subject });
  },
);
app.use(authErrorHandler());
const apiServer = createServer(app);
const api = await listen(apiServer);

const token = await new SignJWT({ scope: 'read:sample' })
  .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'rehearsal' })
  .setIssuer(issuer)
  .setSubject(SUBJECT)
  .setAudience(AUDIENCE)
  .setIssuedAt()
  .setExpirationTime('5m')
  .sign(privateKey);

const failures: string[] = [];
function expect(ok: boolean, what: string): void {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
}

try {
  const without = await fetch(new URL('api/private', api));
  expect(without.status === 401, `no token: HTTP ${without.status}, expected 401`);
  const challenge = without.headers.get('www-authenticate');
  expect(challenge === 'Bearer realm="api"', `no token: WWW-Authenticate ${String(challenge)}`);

  const withToken = await fetch(new URL('api/private', api), {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(withToken.status === 200, `valid token: HTTP ${withToken.status}, expected 200`);
  const body = (await withToken.json()) as { sub?: unknown };
  expect(body.sub === SUBJECT, `valid token: sub ${String(body.sub)}, expected ${SUBJECT}`);
} finally {
  await Promise.all([close(apiServer), close(issuerServer)]);
}

process.exitCode = failures.length === 0 ? 0 : 1;
