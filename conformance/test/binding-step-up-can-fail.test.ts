import { createServer, type IncomingMessage } from 'node:http';
import { createPublicKey } from 'node:crypto';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '@ropkit/core';
import { auth, authErrorHandler, claimCheck, claimEquals } from '@ropkit/express';
import express, { type Express } from 'express';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/adapters/listen.js';
import { capabilities, startTestApp } from '../src/adapters/express.js';
import {
  CATALOGUE,
  KIT_STEP_UP,
  runSuite,
  type AdapterUnderTest,
  type KitVerifierOptions,
  type StartTestApp,
  type TestApp,
} from '../src/index.js';

/**
 * Each HS256, static-key, certificate-bound and step-up scenario must be able to fail: run against
 * verifiers that get one thing wrong on purpose, each scenario the wrong verifier would slip
 * through fails, and the others pass.
 */
const HS256 = CATALOGUE.filter((s) => s.group === 'Symmetric signatures (HS256)');
const STATIC = CATALOGUE.filter((s) => s.group === 'A static public key');
const MTLS = CATALOGUE.filter((s) => s.group === 'Certificate-bound tokens (RFC 8705)');
const STEP_UP = CATALOGUE.filter((s) => s.group === 'Step-up (RFC 9470)');

async function outcomes(adapter: AdapterUnderTest, scenarios: typeof CATALOGUE) {
  const report = await runSuite([{ kind: 'adapter', target: adapter.name, adapter }], {
    runtime: 'in-process',
    scenarios,
  });
  return Object.fromEntries(report.results.map((r) => [r.id, r.outcome]));
}

const everyOne = (
  scenarios: typeof CATALOGUE,
  outcome: string,
  except: Record<string, string> = {},
) => Object.fromEntries(scenarios.map((s) => [s.id, except[s.id] ?? outcome]));

/** Serves `app` on 127.0.0.1 as a test app. */
async function serve(app: Express): Promise<TestApp> {
  const server = createServer(app);
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The bearer token of a request, or `''`. */
const tokenOf = (req: IncomingMessage) =>
  /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';

/**
 * A test app whose `/api/private` answers `{"sub"}` when `accepts(token)` resolves to a payload,
 * and 401 otherwise.
 */
function appOf(
  accepts: (token: string, req: IncomingMessage) => Promise<{ sub?: unknown } | undefined>,
): Promise<TestApp> {
  const app = express();
  app.get('/api/private', (req, res) => {
    accepts(tokenOf(req), req).then(
      (payload) => {
        if (payload === undefined) res.status(401).json({ error: 'invalid_token' });
        else res.json({ sub: payload.sub ?? null });
      },
      () => res.status(401).json({ error: 'invalid_token' }),
    );
  });
  return serve(app);
}

/** The one issuer these apps are given. */
function issuerOf(verifier: KitVerifierOptions): string {
  if (typeof verifier.issuer !== 'string') throw new TypeError('one issuer expected');
  return verifier.issuer;
}

/** The mock server's key set, where the kit's tenant publishes it. */
const keySetOf = (verifier: KitVerifierOptions) =>
  verifier.jwksUri ?? `${issuerOf(verifier)}.well-known/jwks.json`;

/** The claims any of these naive verifiers checks: iss and aud. */
function claimsHold(payload: { iss?: unknown; aud?: unknown }, verifier: KitVerifierOptions) {
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  return payload.iss === issuerOf(verifier) && aud.includes(verifier.audience);
}

/** The payload when jose verifies `token` with `key` (a secret, or a key set), or `undefined`. */
async function verifiesWith(
  token: string,
  key: Uint8Array | JWTVerifyGetKey,
  verifier: KitVerifierOptions,
) {
  const options = { issuer: issuerOf(verifier), audience: verifier.audience };
  try {
    const { payload } =
      key instanceof Uint8Array
        ? await jwtVerify(token, key, options)
        : await jwtVerify(token, key, options);
    return payload;
  } catch {
    return undefined;
  }
}

describe('the HS256 scenarios fail against verifiers that mix algorithms or keys', () => {
  it('one that never checks the MAC (decodes the token, checks iss and aud)', async () => {
    const adapter: AdapterUnderTest = {
      name: 'decodes only',
      capabilities: ['bearer', 'hs256'],
      startTestApp: ({ verifier }) =>
        appOf(async (token) => {
          const payload = decodeJwt(token);
          return claimsHold(payload, verifier) ? payload : undefined;
        }),
    };
    // hs-01 is the valid token every refusal is the other side of: served either way.
    expect(await outcomes(adapter, HS256)).toEqual(everyOne(HS256, 'fail', { 'hs-01': 'pass' }));
  });

  it('one that takes any algorithm its keys verify: the secret, the key set, keys as secrets, none', async () => {
    const adapter: AdapterUnderTest = {
      name: 'any algorithm',
      capabilities: ['bearer', 'hs256'],
      startTestApp: ({ verifier }) => {
        const keySetUri = keySetOf(verifier);
        const remote = createRemoteJWKSet(new URL(keySetUri));
        return appOf(async (token) => {
          const { alg } = decodeProtectedHeader(token);
          if (alg === 'none') {
            const payload = decodeJwt(token);
            return claimsHold(payload, verifier) ? payload : undefined;
          }
          if (alg?.startsWith('HS') !== true) return verifiesWith(token, remote, verifier);
          // The secret, then each published key's PEM and JSON as an HMAC secret.
          const { keys } = (await (await fetch(keySetUri)).json()) as { keys: JWK[] };
          const secrets = [
            verifier.secret ?? '',
            ...keys.flatMap(({ n, e, kty }) => [
              createPublicKey({ key: { n, e, kty }, format: 'jwk' })
                .export({ type: 'spki', format: 'pem' })
                .toString(),
              JSON.stringify({ e, kty, n }),
            ]),
          ];
          for (const secret of secrets) {
            const payload = await verifiesWith(token, new TextEncoder().encode(secret), verifier);
            if (payload !== undefined) return payload;
          }
          return undefined;
        });
      },
    };
    expect(await outcomes(adapter, HS256)).toEqual(
      everyOne(HS256, 'fail', { 'hs-01': 'pass', 'hs-02': 'pass' }),
    );
  });
});

describe('the static-key scenarios fail against verifiers that do not keep to the one key', () => {
  it('one that ignores verifier.publicKey and discovers the issuer', async () => {
    const adapter: AdapterUnderTest = {
      name: 'discovers',
      capabilities,
      startTestApp: (options) =>
        startTestApp({ ...options, verifier: { ...options.verifier, publicKey: undefined } }),
    };
    expect(await outcomes(adapter, STATIC)).toEqual(everyOne(STATIC, 'fail'));
  });

  it("one that accepts the configured key or the issuer's key set", async () => {
    const adapter: AdapterUnderTest = {
      name: 'key or key set',
      capabilities: ['bearer', 'static-key'],
      startTestApp: ({ verifier }) => {
        const { publicKey: _pinned, ...rest } = verifier;
        const both: AccessTokenVerifier[] = [
          createAccessTokenVerifier(verifier),
          createAccessTokenVerifier({ ...rest, jwksUri: keySetOf(verifier) }),
        ];
        return appOf(async (token) => {
          for (const one of both) {
            const verified = await one.verify(token).catch(() => undefined);
            if (verified !== undefined) return verified.payload;
          }
          return undefined;
        });
      },
    };
    expect(await outcomes(adapter, STATIC)).toEqual(
      everyOne(STATIC, 'pass', { 'static-02': 'fail', 'static-03': 'fail' }),
    );
  });

  it('one that takes the configured PEM as the HMAC secret of an HS256 token', async () => {
    const adapter: AdapterUnderTest = {
      name: 'PEM as HMAC secret',
      capabilities: ['bearer', 'static-key'],
      startTestApp: ({ verifier }) => {
        const pinned = createAccessTokenVerifier(verifier);
        return appOf(async (token) => {
          if (decodeProtectedHeader(token).alg === 'HS256')
            return verifiesWith(token, new TextEncoder().encode(verifier.publicKey), verifier);
          return (await pinned.verify(token)).payload;
        });
      },
    };
    expect(await outcomes(adapter, STATIC)).toEqual(
      everyOne(STATIC, 'pass', { 'static-04': 'fail' }),
    );
  });
});

describe('the certificate-bound scenarios fail against verifiers that do not bind', () => {
  it('one that ignores verifier.mtls (reads the TLS connection, which plain HTTP has not)', async () => {
    const adapter: AdapterUnderTest = {
      name: 'ignores mtls',
      capabilities,
      startTestApp: (options) =>
        startTestApp({ ...options, verifier: { ...options.verifier, mtls: undefined } }),
    };
    expect(await outcomes(adapter, MTLS)).toEqual(everyOne(MTLS, 'fail', { 'mtls-04': 'pass' }));
  });

  it('one that ignores cnf altogether', async () => {
    const adapter: AdapterUnderTest = {
      name: 'ignores cnf',
      capabilities: ['bearer', 'mtls'],
      startTestApp: ({ verifier }) => {
        const remote = createRemoteJWKSet(new URL(keySetOf(verifier)));
        return appOf((token) => verifiesWith(token, remote, verifier));
      },
    };
    expect(await outcomes(adapter, MTLS)).toEqual(
      everyOne(MTLS, 'pass', { 'mtls-02': 'fail', 'mtls-03': 'fail', 'mtls-05': 'fail' }),
    );
  });

  it('one that reads the RFC 9440 form only', async () => {
    const adapter: AdapterUnderTest = {
      name: 'RFC 9440 only',
      capabilities,
      startTestApp: async (options) => {
        const app = express();
        app.use((req, _res, next) => {
          const value = req.headers['client-cert'];
          if (typeof value === 'string' && !/^:.*:$/.test(value)) delete req.headers['client-cert'];
          next();
        });
        app.get('/api/private', auth(options.verifier), (req, res) => {
          res.json({ sub: req.auth?.payload.sub ?? null });
        });
        app.use(authErrorHandler());
        return serve(app);
      },
    };
    expect(await outcomes(adapter, MTLS)).toEqual(everyOne(MTLS, 'pass', { 'mtls-05': 'fail' }));
  });
});

/** Answers the subject of the request's token. */
const subject: express.RequestHandler = (req, res) => {
  res.json({ sub: req.auth?.payload.sub ?? null });
};

/** An app of @ropkit/express whose step-up routes have the given middleware after auth(). */
function stepUpApp(
  acr: express.RequestHandler | undefined,
  recent: express.RequestHandler | undefined,
): StartTestApp {
  return ({ verifier }) => {
    const app = express();
    const required = auth(verifier);
    app.get('/api/step-up', required, ...(acr === undefined ? [] : [acr]), subject);
    app.get('/api/recent', required, ...(recent === undefined ? [] : [recent]), subject);
    app.use(authErrorHandler());
    return serve(app);
  };
}

describe('the step-up scenarios fail against routes that do not step up', () => {
  it('routes without the requirement', async () => {
    const adapter: AdapterUnderTest = {
      name: 'no step-up',
      capabilities: ['bearer', 'step-up'],
      startTestApp: stepUpApp(undefined, undefined),
    };
    expect(await outcomes(adapter, STEP_UP)).toEqual(
      everyOne(STEP_UP, 'fail', { 'stepup-01': 'pass' }),
    );
  });

  it('routes that check acr and auth_time as plain claims (401 invalid_token)', async () => {
    const adapter: AdapterUnderTest = {
      name: 'claim checks',
      capabilities: ['bearer', 'step-up'],
      startTestApp: stepUpApp(
        claimEquals('acr', KIT_STEP_UP.acr),
        claimCheck(
          ({ auth_time: at }) =>
            typeof at === 'number' && Date.now() / 1000 - at <= KIT_STEP_UP.maxAge,
        ),
      ),
    };
    // They refuse what they should, without RFC 9470's error code and auth-params.
    expect(await outcomes(adapter, STEP_UP)).toEqual(
      everyOne(STEP_UP, 'fail', { 'stepup-01': 'pass', 'stepup-02': 'pass', 'stepup-05': 'pass' }),
    );
  });
});
