import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, loadAdapter, runSuite } from '../src/index.js';
import { CONFORMANCE_DIR } from './support/cli-process.js';

const PEERS = join(CONFORMANCE_DIR, 'examples', 'peers');

/** Scenarios every peer passes: its module loads, starts, and honours issuer, audience, keys. */
const BASICS = CATALOGUE.filter((s) =>
  ['bearer-02', 'jwt-01', 'jwt-02', 'jwt-10', 'jwt-12'].includes(s.id),
);

describe('the peer modules of examples/peers load as third-party modules and run', () => {
  it.each([
    [
      'express-oauth2-jwt-bearer.ts',
      'express-oauth2-jwt-bearer',
      [
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
      ],
    ],
    [
      'express-jwt.ts',
      'express-jwt + jwks-rsa',
      ['bearer', 'optional', 'key-set', 'hs256', 'static-key'],
    ],
    ['koa-jwt.ts', 'koa-jwt + jwks-rsa', ['bearer', 'optional', 'key-set', 'hs256', 'static-key']],
    [
      'fastify-jwt.ts',
      '@fastify/jwt + get-jwks',
      ['bearer', 'key-set', 'issuers', 'hs256', 'static-key'],
    ],
  ])('%s', async (file, name, capabilities) => {
    const adapter = await loadAdapter(join(PEERS, file));
    expect(adapter).toMatchObject({ name, capabilities });
    expect(adapter.profiles).toBeUndefined();
    // The several-issuers skip of express-oauth2-jwt-bearer is for NODE_ENV=production only.
    expect(adapter.skips ?? {}).toEqual({});
    const report = await runSuite([{ kind: 'adapter', target: file, adapter }], {
      runtime: 'in-process',
      scenarios: BASICS,
    });
    expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual(
      BASICS.map((s) => [s.id, 'pass', undefined]),
    );
  });
});

describe('the peers that declare dpop and issuers honour those options', () => {
  it('express-oauth2-jwt-bearer: DPoP-bound tokens with a valid proof, and two issuers', async () => {
    const adapter = await loadAdapter(join(PEERS, 'express-oauth2-jwt-bearer.ts'));
    const scenarios = CATALOGUE.filter((s) =>
      ['dpop-01', 'dpop-10', 'dpop-14', 'iss-01', 'iss-03'].includes(s.id),
    );
    const report = await runSuite([{ kind: 'adapter', target: 'eojb', adapter }], {
      runtime: 'in-process',
      scenarios,
    });
    expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual(
      scenarios.map((s) => [s.id, 'pass', undefined]),
    );
  });

  it('@fastify/jwt + get-jwks: a token of each of two issuers', async () => {
    const adapter = await loadAdapter(join(PEERS, 'fastify-jwt.ts'));
    const scenarios = CATALOGUE.filter((s) => s.id === 'iss-01');
    const report = await runSuite([{ kind: 'adapter', target: 'fjwt', adapter }], {
      runtime: 'in-process',
      scenarios,
    });
    expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['iss-01', 'pass', undefined],
    ]);
  });
});

describe('the peers that declare hs256, static-key, mtls and step-up honour those options', () => {
  it.each([
    [
      'express-oauth2-jwt-bearer.ts',
      ['hs-01', 'hs-03', 'static-01', 'static-02', 'mtls-01', 'mtls-03', 'stepup-01', 'stepup-02'],
    ],
    ['express-jwt.ts', ['hs-01', 'hs-03', 'static-01', 'static-03']],
    ['koa-jwt.ts', ['hs-01', 'hs-03', 'static-01', 'static-03']],
    ['fastify-jwt.ts', ['hs-01', 'hs-02', 'static-01', 'static-03']],
  ])('%s: a token of the secret or key served, another refused', async (file, ids) => {
    const adapter = await loadAdapter(join(PEERS, file));
    const scenarios = CATALOGUE.filter((s) => ids.includes(s.id));
    const report = await runSuite([{ kind: 'adapter', target: file, adapter }], {
      runtime: 'in-process',
      scenarios,
    });
    expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual(
      scenarios.map((s) => [s.id, 'pass', undefined]),
    );
  });
});
