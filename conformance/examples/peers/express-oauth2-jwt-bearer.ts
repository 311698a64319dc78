/**
 * The conformance kit's test app for express-oauth2-jwt-bearer (Auth0's Express middleware),
 * written as its README shows: `auth()` with the issuer and audience, `requiredScopes()` and
 * `scopeIncludesAny()` for scopes, `authRequired: false` for an optional route, `claimEquals()` and
 * `claimCheck()` to restrict routes by claims, and Express's default error handler (which sets
 * `err.status` and `err.headers`).
 *
 * Every option the kit passes that the library has a setting for is honoured: the key set URL,
 * the algorithm, the clock tolerance and the key set cooldown; DPoP (`dpop: { enabled, required,
 * iatOffset, iatLeeway }`, off when the kit gives none, as the kit's default app has none); several
 * issuers, each with its key set (`mcd: { issuers }`); instead of a key set, an HS256 `secret` or
 * a static `publicKey` (with `tokenSigningAlg`); certificate-bound tokens (`getCertificate`, which
 * enables its mTLS check, reading the certificate the kit forwards as a TLS-terminating proxy
 * would). It has no setting for the DPoP proof algorithms and no server nonces, so it does not
 * declare `dpop-nonce`. It has no step-up of its own: the step-up routes check `acr` with
 * `claimEquals()` and `auth_time` with `claimCheck()`, as its README restricts routes by claims.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/express-oauth2-jwt-bearer.ts`.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  KIT_STEP_UP,
  issuersOf,
  keySourceOf,
  type Capability,
  type KitVerifierOptions,
  type StartTestApp,
  type TestApp,
} from '@ropkit/conformance';
import express, { type Request, type RequestHandler } from 'express';
import {
  auth,
  claimCheck,
  claimEquals,
  requiredScopes,
  scopeIncludesAny,
  type ClientCertificate,
} from 'express-oauth2-jwt-bearer';

export const name = 'express-oauth2-jwt-bearer';

/**
 * It validates bearer, DPoP-bound and certificate-bound JWTs, from a key set or with a secret or
 * a public key, checks scopes and claims, has optional routes and takes several issuers; no
 * `permissions`, no DPoP nonces, no login.
 */
export const capabilities: Capability[] = [
  'bearer',
  'optional',
  'scopes',
  'key-set',
  'dpop',
  'issuers',
  'hs256',
  'static-key',
  'mtls',
  'step-up',
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

/** The issuer settings: one issuer and its key set, secret or public key, or several (mcd). */
function issuerSettings(verifier: KitVerifierOptions, alg: string) {
  if (typeof verifier.issuer !== 'string')
    return { mcd: { issuers: issuersOf(verifier).map((entry) => ({ ...entry, alg })) } };
  const source = keySourceOf(verifier);
  if (source.secret !== undefined) return { issuer: source.issuer, secret: source.secret };
  if (source.publicKey !== undefined) return { issuer: source.issuer, publicKey: source.publicKey };
  return { issuer: source.issuer, jwksUri: source.jwksUri };
}

/**
 * `getCertificate` for a TLS-terminating proxy that forwards the client certificate in `header`:
 * RFC 9440's `:<base64 DER>:` as the DER bytes, or a URL-encoded PEM as the PEM; none when the
 * header is missing or repeated.
 */
function forwardedCertificate(header: string) {
  return (req: Request): ClientCertificate | undefined => {
    const value = req.headers[header.toLowerCase()];
    if (typeof value !== 'string' || value === '') return undefined;
    const bytes = /^:([A-Za-z0-9+/=]+):$/.exec(value.trim())?.[1];
    return bytes === undefined ? decodeURIComponent(value) : Buffer.from(bytes, 'base64');
  };
}

/** Answers the subject of the request's token. */
const subject: RequestHandler = (req, res) => {
  res.json({ sub: req.auth?.payload.sub ?? null });
};

export const startTestApp: StartTestApp = async ({ verifier }) => {
  const alg = verifier.algorithms[0] ?? 'RS256';
  const { dpop, mtls } = verifier;
  const settings = {
    ...issuerSettings(verifier, alg),
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
    // mTLS is off unless getCertificate is given.
    ...(mtls === undefined ? {} : { getCertificate: forwardedCertificate(mtls.certificateHeader) }),
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
  // Step-up routes, restricted by claims: a multi-factor acr, an authentication 5 minutes old.
  app.get('/api/step-up', checkJwt, claimEquals('acr', KIT_STEP_UP.acr), subject);
  app.get(
    '/api/recent',
    checkJwt,
    claimCheck(
      ({ auth_time: authTime }) =>
        typeof authTime === 'number' && Date.now() / 1000 - authTime <= KIT_STEP_UP.maxAge,
    ),
    subject,
  );
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
