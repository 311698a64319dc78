import { createServer } from 'node:http';
import { auth, authErrorHandler } from '@ropkit/express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../src/adapters/listen.js';
import { capabilities, startTestApp } from '../src/adapters/express.js';
import {
  CATALOGUE,
  issuersOf,
  runSuite,
  type AdapterUnderTest,
  type StartTestApp,
} from '../src/index.js';

/**
 * Each DPoP and several-issuers scenario must be able to fail: run against verifiers that get
 * one thing wrong on purpose, each scenario the wrong verifier would slip through fails.
 */
const DPOP = CATALOGUE.filter((s) => s.group === 'Sender-constrained tokens (DPoP)');
const ISSUERS = CATALOGUE.filter((s) => s.group === 'Several issuers');

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

/** A test app of @ropkit/express whose /api/private reads the DPoP scheme as Bearer. */
const takesDpopAsBearer: StartTestApp = async ({ verifier }) => {
  const app = express();
  app.use((req, _res, next) => {
    // The token of "DPoP <token>" is read as a bearer token; the proof is dropped unread.
    req.headers.authorization = req.headers.authorization?.replace(/^DPoP /, 'Bearer ');
    delete req.headers['dpop'];
    next();
  });
  app.get('/api/private', auth({ ...verifier, dpop: undefined }), (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.use(authErrorHandler());
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
};

describe('every DPoP scenario fails against a verifier that does not do DPoP', () => {
  it('one that ignores verifier.dpop (the Bearer scheme only)', async () => {
    const adapter: AdapterUnderTest = {
      name: 'ignores dpop',
      capabilities,
      startTestApp: (options) =>
        startTestApp({ ...options, verifier: { ...options.verifier, dpop: undefined } }),
    };
    expect(await outcomes(adapter, DPOP)).toEqual(everyOne(DPOP, 'fail'));
  });

  it('one that takes the DPoP scheme as Bearer and never reads the proof', async () => {
    const adapter: AdapterUnderTest = {
      name: 'DPoP as Bearer',
      capabilities: ['bearer', 'dpop', 'dpop-nonce'],
      startTestApp: takesDpopAsBearer,
    };
    // dpop-01 is the valid request every refusal is the other side of: served either way.
    expect(await outcomes(adapter, DPOP)).toEqual(everyOne(DPOP, 'fail', { 'dpop-01': 'pass' }));
  });
});

describe('the several-issuers scenarios fail against verifiers that get the issuers wrong', () => {
  it('one that keeps the first issuer of the list', async () => {
    const adapter: AdapterUnderTest = {
      name: 'first issuer only',
      capabilities,
      startTestApp: (options) => {
        const [first] = issuersOf(options.verifier);
        if (first === undefined) throw new Error('no issuer');
        return startTestApp({ ...options, verifier: { ...options.verifier, ...first } });
      },
    };
    expect(await outcomes(adapter, ISSUERS)).toEqual(everyOne(ISSUERS, 'fail'));
  });

  it('one that checks every issuer with the keys of both (one merged key set)', async () => {
    const merged: { close(): Promise<void> }[] = [];
    const adapter: AdapterUnderTest = {
      name: 'merged key sets',
      capabilities,
      startTestApp: async (options) => {
        const issuers = issuersOf(options.verifier);
        // One key set holding the keys of every issuer, fetched when asked.
        const server = createServer((_req, res) => {
          Promise.all(
            issuers.map(async ({ jwksUri }) => {
              const set = (await (await fetch(jwksUri)).json()) as { keys: unknown[] };
              return set.keys;
            }),
          ).then(
            (sets) => {
              // The custom domain serves the tenant's keys: each kid once.
              const keys = new Map(
                sets.flat().map((key) => [Reflect.get(Object(key), 'kid'), key]),
              );
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ keys: [...keys.values()] }));
            },
            () => res.writeHead(502).end(),
          );
        });
        const url = await listenOnLoopback(server);
        merged.push({
          close: () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        });
        if (typeof options.verifier.issuer === 'string') return startTestApp(options);
        const { jwksUri: _none, issuer: _list, ...rest } = options.verifier;
        const verifier = {
          ...rest,
          issuer: issuers.map(({ issuer }) => ({ issuer, jwksUri: `${url}/jwks.json` })),
        };
        return startTestApp({ ...options, verifier });
      },
    };
    try {
      // Only the scenario of a key of the other issuer can tell.
      expect(await outcomes(adapter, ISSUERS)).toEqual(
        everyOne(ISSUERS, 'pass', { 'iss-03': 'fail' }),
      );
    } finally {
      await Promise.all(merged.map((server) => server.close()));
    }
  });
});
