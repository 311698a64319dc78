/**
 * The conformance kit's test app for express-oauth2-jwt-bearer (Auth0's Express middleware),
 * written as its README shows: `auth()` with the issuer and audience, `requiredScopes()` and
 * `scopeIncludesAny()` for scopes, `authRequired: false` for an optional route, and Express's
 * default error handler (which sets `err.status` and `err.headers`).
 *
 * Every option the kit passes that the library has a setting for is honoured: the key set URL,
 * the algorithm, the clock tolerance and the key set cooldown; DPoP (`dpop: { enabled, required,
 * iatOffset, iatLeeway }`, off when the kit gives none, as the kit's default app has none); several
 * issuers, each with its key set (`mcd: { issuers }`). It has no setting for the DPoP proof
 * algorithms and no server nonces, so it does not declare `dpop-nonce`.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/express-oauth2-jwt-bearer.ts`.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { issuersOf, type Capability, type StartTestApp, type TestApp } from '@ropkit/conformance';
import express from 'express';
import { auth, requiredScopes, scopeIncludesAny } from 'express-oauth2-jwt-bearer';

export const name = 'express-oauth2-jwt-bearer';

/**
 * It validates bearer and DPoP-bound JWTs, checks scopes, has optional routes and takes several
 * issuers; no `permissions`, no DPoP nonces, no login.
 */
export const capabilities: Capability[] = [
  'bearer',
  'optional',
  'scopes',
  'key-set',
  'dpop',
  'issuers',
];

/**
 * With NODE_ENV=production (as the peer report runs), its several-issuers mode refuses every
 * `http:` issuer, and the kit's issuers are `http:` on 127.0.0.1: those scenarios would test the
 * transport, not the library.
 */
export const skips: Record<string, string> =
  process.env['NODE_ENV'] === 'production'
    ? {
        'iss-*':
          'with NODE_ENV=production its mcd mode refuses http: issuers, and the kit serves its issuers over http on 127.0.0.1',
      }
    : {};

export const startTestApp: StartTestApp = async ({ verifier }) => {
  const alg = verifier.algorithms[0] ?? 'RS256';
  const { dpop } = verifier;
  const settings = {
    // One issuer and its key set, or several, each with its own (multiple custom domains).
    ...(typeof verifier.issuer === 'string'
      ? { issuer: verifier.issuer, jwksUri: verifier.jwksUri }
      : { mcd: { issuers: issuersOf(verifier).map((entry) => ({ ...entry, alg })) } }),
    audience: verifier.audience,
    tokenSigningAlg: alg,
    clockTolerance: verifier.clockTolerance,
    cooldownDuration: verifier.keySet.cooldownMs,
    // DPoP is on by default in this library; the kit's default app has it off.
    dpop:
      dpop === undefined
        ? { enabled: false }
        : {
            enabled: true,
            required: dpop.mode === 'required',
            iatOffset: dpop.iatWindow,
            iatLeeway: dpop.iatLeeway,
          },
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
