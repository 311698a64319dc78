/**
 * The conformance kit's test app for express-oauth2-jwt-bearer (Auth0's Express middleware),
 * written as its README shows: `auth()` with the issuer and audience, `requiredScopes()` and
 * `scopeIncludesAny()` for scopes, `authRequired: false` for an optional route, and Express's
 * default error handler (which sets `err.status` and `err.headers`).
 *
 * Every option the kit passes that the library has a setting for is honoured: the key set URL,
 * the algorithm, the clock tolerance and the key set cooldown.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/express-oauth2-jwt-bearer.ts`.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Capability, StartTestApp, TestApp } from '@ropkit/conformance';
import express from 'express';
import { auth, requiredScopes, scopeIncludesAny } from 'express-oauth2-jwt-bearer';

export const name = 'express-oauth2-jwt-bearer';

/** It validates bearer JWTs, checks scopes and has optional routes; no `permissions`, no login. */
export const capabilities: Capability[] = ['bearer', 'optional', 'scopes', 'key-set'];

export const startTestApp: StartTestApp = async ({ verifier }) => {
  const settings = {
    issuer: verifier.issuer,
    audience: verifier.audience,
    jwksUri: verifier.jwksUri,
    tokenSigningAlg: verifier.algorithms[0] ?? 'RS256',
    clockTolerance: verifier.clockTolerance,
    cooldownDuration: verifier.keySet.cooldownMs,
  };
  const app = express();
  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public: no token needed' });
  });
  const checkJwt = auth(settings);
  app.get('/api/private', checkJwt, (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.get('/api/private-scoped', checkJwt, requiredScopes('read:sample'), (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.get('/api/any-scope', checkJwt, scopeIncludesAny('read:sample write:sample'), (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.get('/api/optional', auth({ ...settings, authRequired: false }), (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  return opened(app.listen(0, '127.0.0.1'));
};

/** The test app of a server listening on 127.0.0.1: its URL, and how to close it. */
async function opened(server: Server): Promise<TestApp> {
  if (!server.listening) await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}
