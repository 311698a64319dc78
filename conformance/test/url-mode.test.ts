import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTestApp as startExpress } from '../src/adapters/express.js';
import { runCli, type CliIo } from '../src/cli-main.js';
import { KIT, kitVerifierOptions } from '../src/index.js';
import { CONFORMANCE_DIR } from './support/cli-process.js';

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function cli(argv: string[]) {
  const output = { stdout: '', stderr: '' };
  const io: CliIo = {
    argv,
    env: {},
    cwd: CONFORMANCE_DIR,
    stdout: (text) => (output.stdout += text),
    stderr: (text) => (output.stderr += text),
    stderrIsTty: false,
    untilStopped: () => Promise.resolve(),
  };
  return { code: await runCli(io), ...output };
}

describe('run --url: audit a running server without writing a module', () => {
  it('serves the issuer where the server was told, says what to trust, and runs bearer, JWT and scope scenarios', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/`;
    // The server under test, configured before the kit runs, as a maintainer would.
    const app = await startExpress({
      verifier: kitVerifierOptions(issuer, KIT.audience, `${issuer}.well-known/jwks.json`),
    });
    try {
      const result = await cli([
        'run',
        '--url',
        app.url,
        '--issuer-port',
        String(port),
        '--only',
        'bearer-01,bearer-11,jwt-02,jwt-12,keys-02,scope-02,scope-05,login-01',
      ]);
      expect(result.stderr).toContain(
        `ropkit-conformance: the kit's issuer is up; configure the server at ${app.url} to trust it:\n  issuer          ${issuer}\n  audience        ${KIT.audience}\n  jwksUri         ${issuer}.well-known/jwks.json\n`,
      );
      expect(result.code).toBe(0);
      for (const id of ['bearer-01', 'bearer-11', 'jwt-02', 'jwt-12', 'scope-02', 'scope-05'])
        expect(result.stdout).toMatch(new RegExp(`^${id} +\\w+ +pass `, 'm'));
      expect(result.stdout).toContain(
        `skip ${app.url} keys-02: needs the "key-set" capability, which ${app.url} does not declare`,
      );
      expect(result.stdout).toContain(`skip ${app.url} login-01: needs the "login" capability`);
    } finally {
      await app.close();
    }
  });

  it('--capabilities narrows what runs; a server that never answers is reported, naming the URL', async () => {
    const port = await freePort();
    const result = await cli([
      'run',
      '--url',
      `http://127.0.0.1:${port}`,
      '--issuer-port',
      String(await freePort()),
      '--capabilities',
      'bearer',
      '--wait',
      '300ms',
      '--only',
      'bearer-01',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `http://127\\.0\\.0\\.1:${port}: did not start: http://127\\.0\\.0\\.1:${port}/api/public did not answer within 300 ms \\(last: GET http://127\\.0\\.0\\.1:${port}/api/public failed: connect ECONNREFUSED`,
      ),
    );
  });

  it('--url and --adapter do not mix; an unknown capability is named', async () => {
    expect((await cli(['run', '--url', 'http://127.0.0.1:1', '--adapter', 'express'])).stderr).toBe(
      'ropkit-conformance: give --adapter or --url, not both (--url audits one running server)\n',
    );
    const unknown = await cli([
      'run',
      '--url',
      'http://127.0.0.1:1',
      '--capabilities',
      'bearer,scope',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--capabilities: unknown scope (known: bearer, optional,');
  });
});

describe('list', () => {
  it('prints every scenario with id, level, profile, group, needs and options', async () => {
    const result = await cli(['list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^158 scenarios\. Levels: MUST fails the run/);
    expect(result.stdout).toContain('== Key set and rotation');
    expect(result.stdout).toMatch(
      /^bearer-16 {2}MAY {5}rfc {5}MAY name the configured realm in the challenge \(realm="api"\) \(RFC 6750 section 3\)\n {27}needs bearer; uses verifier\.issuer, verifier\.audience, verifier\.jwksUri, verifier\.realm$/m,
    );
    expect(result.stdout).toMatch(
      /^keys-03 {4}MUST {4}ropkit {2}.*\n.*uses .*verifier\.keySet\.cooldownMs$/m,
    );
    // A secret replaces the key set URL.
    expect(result.stdout).toMatch(
      /^hs-01 {6}MUST {4}rfc {5}.*\n {27}needs bearer, hs256; uses verifier\.issuer, verifier\.audience, verifier\.secret, verifier\.algorithms$/m,
    );
  });

  it('--json gives tools every field', async () => {
    const result = await cli(['list', '--json']);
    const entries = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(158);
    expect(entries.find((entry) => entry['id'] === 'jwt-13')).toMatchObject({
      level: 'MAY',
      profile: 'rfc',
      group: 'JWT access token validation',
      requires: ['bearer'],
      uses: expect.arrayContaining(['verifier.clockTolerance']),
      words: expect.stringContaining('MAY provide for some small leeway'),
    });
  });
});

describe('capabilities instead of id lists', () => {
  it('a module that declares only bearer validation gets the rest skipped, each with why', async () => {
    const result = await cli([
      'run',
      '--adapter',
      './test/fixtures/declares-bearer-only.ts',
      '--runtime',
      'in-process',
      '--only',
      'bearer-02,scope-01,login-01,sess-05,life-01',
      '--quiet',
    ]);
    expect(result.stdout).toContain(
      'skip bearer only scope-01: needs the "scopes" capability, which bearer only does not declare',
    );
    expect(result.stdout).toContain(
      'skip bearer only sess-05: needs the "login", "lifecycle" and "sessions" capabilities, which bearer only does not declare',
    );
    expect(result.stdout).toContain(
      '5 scenarios x 1 adapters: 0 passed, 0 failed, 1 informational, 4 skipped',
    );
    // Only the ropkit-profile bearer-02 ran, and failed: informational, so the run passes.
    expect(result.code).toBe(0);
  });
});
