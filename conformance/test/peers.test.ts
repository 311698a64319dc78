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
      ['bearer', 'optional', 'scopes', 'key-set'],
    ],
    ['express-jwt.ts', 'express-jwt + jwks-rsa', ['bearer', 'optional', 'key-set']],
    ['koa-jwt.ts', 'koa-jwt + jwks-rsa', ['bearer', 'optional', 'key-set']],
    ['fastify-jwt.ts', '@fastify/jwt + get-jwks', ['bearer', 'key-set']],
  ])('%s', async (file, name, capabilities) => {
    const adapter = await loadAdapter(join(PEERS, file));
    expect(adapter).toMatchObject({ name, capabilities });
    expect(adapter.profiles).toBeUndefined();
    const report = await runSuite([{ kind: 'adapter', target: file, adapter }], {
      runtime: 'in-process',
      scenarios: BASICS,
    });
    expect(report.results.map((r) => [r.id, r.outcome, r.reason])).toEqual(
      BASICS.map((s) => [s.id, 'pass', undefined]),
    );
  });
});
