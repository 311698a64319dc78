/**
 * The conformance kit's test app for express-jwt with jwks-rsa, written as their READMEs show:
 * `expressjwt()` with `jwksRsa.expressJwtSecret()` (cache and rate limit on), the audience, the
 * issuer and the algorithms; `credentialsRequired: false` for an optional route; and the README's
 * error handler (401 "invalid token..." for an `UnauthorizedError`, the next handler otherwise).
 *
 * Every option the kit passes that the libraries have a setting for is honoured: the key set URL,
 * the algorithms, the clock tolerance, and the key set cooldown as jwks-rsa's requests per minute;
 * instead of a key set, an HS256 secret or a public key's PEM as express-jwt's `secret` (its
 * README's `secret: "shhhhhhared-secret", algorithms: ["HS256"]`). express-jwt has no scope
 * checks, no certificate binding and no step-up of its own, so those scenarios are skipped.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/express-jwt.ts`.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  keySourceOf,
  type Capability,
  type KitKeySource,
  type StartTestApp,
  type TestApp,
} from '@ropkit/conformance';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt, type Request as JWTRequest } from 'express-jwt';
import jwksRsa from 'jwks-rsa';

export const name = 'express-jwt + jwks-rsa';

/**
 * Bearer JWTs from a key set, or with an HS256 secret or a public key instead, and optional
 * routes; no scope checks, no login.
 */
export const capabilities: Capability[] = ['bearer', 'optional', 'key-set', 'hs256', 'static-key'];

/** express-jwt's `secret`: the HS256 secret, the public key's PEM, or jwks-rsa's key set. */
function secretOf(source: KitKeySource, cooldownMs: number) {
  if (source.secret !== undefined) return source.secret;
  if (source.publicKey !== undefined) return source.publicKey;
  // jwks-rsa's typings name an older express-jwt's secret type; the function is the same.
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion
  return jwksRsa.expressJwtSecret({
    cache: true,
    rateLimit: true,
    jwksRequestsPerMinute: Math.max(1, Math.floor(60_000 / cooldownMs)),
    jwksUri: source.jwksUri,
  }) as never;
}

export const startTestApp: StartTestApp = async ({ verifier }) => {
  // One issuer (it does not declare the issuers capability), and its key set, secret or key.
  const source = keySourceOf(verifier);
  const { issuer } = source;
  const secret = secretOf(source, verifier.keySet.cooldownMs);
  const options = (credentialsRequired: boolean) =>
    expressjwt({
      secret,
      audience: verifier.audience,
      issuer,
      // jsonwebtoken's own algorithm names, of which the kit's (['RS256'], ['HS256']) are some.
      // oxlint-disable-next-line typescript/no-unsafe-type-assertion
      algorithms: [...verifier.algorithms] as never,
      clockTolerance: verifier.clockTolerance,
      credentialsRequired,
    });
  const app = express();
  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public: no token needed' });
  });
  app.get('/api/private', options(true), (req: JWTRequest, res: Response) => {
    res.json({ sub: req.auth?.sub ?? null });
  });
  app.get('/api/optional', options(false), (req: JWTRequest, res: Response) => {
    res.json({ sub: req.auth?.sub ?? null });
  });
  app.use((err: Error, _req: Request, res: Response, next: NextFunction) => {
    if (err.name === 'UnauthorizedError') {
      res.status(401).send('invalid token...');
    } else {
      next(err);
    }
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
