import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { runCli, type CliIo } from '../src/cli-main.js';
import {
  CONFORMANCE_DIR,
  runCliProcess,
  spawnCli,
  untilStdoutLine,
} from './support/cli-process.js';

const FIXTURES = join(CONFORMANCE_DIR, 'test', 'fixtures');
/** Two bearer scenarios and one JWT scenario: three results, in two groups, in well under 1 s. */
const FEW = ['--only', 'bearer-01,bearer-02,jwt-01', '--runtime', 'in-process'];

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ropkit-conformance-cli-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** No stack trace, no raw errno text, no loader path: what a newcomer must never see. */
function expectNoRawError(stderr: string): void {
  expect(stderr).not.toMatch(/ENOENT|EEXIST|ENOTDIR|\n\s+at |ERR_MODULE_NOT_FOUND|load-adapter/);
}

describe('ropkit-conformance --version and --help (a real process)', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(
      await readFile(join(CONFORMANCE_DIR, 'package.json'), 'utf8'),
    ) as { version: string };
    const result = await runCliProcess(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([['--help'], ['-h'], ['run', '--help'], ['help']])(
    '%s prints the usage on stdout and exits 0',
    async (...args) => {
      const result = await runCliProcess(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('ropkit-conformance run --adapter <express|koa|fastify');
      for (const flag of ['--runtime', '--only', '--json', '--junit', '--quiet', '--version'])
        expect(result.stdout).toContain(flag);
    },
  );

  it('without a command, prints the usage on stderr and exits 2', async () => {
    const result = await runCliProcess([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('usage:');
  });

  it('names an unknown command or option in one line and exits 2', async () => {
    const command = await runCliProcess(['rnu', '--adapter', 'express']);
    expect(command).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ropkit-conformance: unknown command rnu: give run, list or serve (ropkit-conformance --help)\n',
    });
    const option = await runCliProcess(['run', '--adaptor', 'express']);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe(
      "ropkit-conformance: Unknown option '--adaptor' (ropkit-conformance --help lists the options)\n",
    );
  });
});

describe('ropkit-conformance without --adapter', () => {
  it.each([
    ['serve', '--issuer', 'https://tenant.example.com/', '--audience', 'api'],
    ['serve'],
    ['run'],
  ])('%s says --adapter is required and exits 2', async (...args) => {
    const result = await runCliProcess(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ropkit-conformance: --adapter is required: /);
    expect(result.stderr).not.toContain('Cannot find package');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('--runtime and ROPKIT_CONFORMANCE_RUNTIME', () => {
  it('a bad --runtime names the flag and the valid values, not the variable', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--runtime', 'bogus']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ropkit-conformance: --runtime must be one of auto, container, in-process (got "bogus")\n',
    });
  });

  it('a bad ROPKIT_CONFORMANCE_RUNTIME names the variable, not the flag', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express'], {
      env: { ROPKIT_CONFORMANCE_RUNTIME: 'docker' },
    });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ropkit-conformance: ROPKIT_CONFORMANCE_RUNTIME must be one of auto, container, in-process (got "docker")\n',
    });
  });

  it('--runtime wins over the variable', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--quiet', ...FEW], {
      env: { ROPKIT_CONFORMANCE_RUNTIME: 'bogus' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('missing files', () => {
  it('--adapter ./nope.js: one line naming the file, exit 2', async () => {
    const result = await runCliProcess(['run', '--adapter', './nope.js', ...FEW], {
      cwd: directory,
    });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `ropkit-conformance: --adapter ./nope.js: no such file (${join(directory, 'nope.js')})\n`,
    });
  });

  it('serve --adapter ./nope.js says the same', async () => {
    const result = await runCliProcess(
      ['serve', '--adapter', './nope.js', '--issuer', 'https://t.example.com/', '--audience', 'a'],
      { cwd: directory },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `ropkit-conformance: --adapter ./nope.js: no such file (${join(directory, 'nope.js')})\n`,
    );
  });

  it('a bare file name that is not a package: says to write ./', async () => {
    await writeFile(join(directory, 'my-adapter.js'), 'export const startTestApp = () => {};\n');
    const result = await runCliProcess(['run', '--adapter', 'my-adapter.js', ...FEW], {
      cwd: directory,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ropkit-conformance: --adapter my-adapter.js: no package "my-adapter.js" is installed; to load the file, write ./my-adapter.js\n',
    );
  });

  it('an adapter module that imports a missing package names both, in one line', async () => {
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'imports-a-missing-package.ts'),
      ...FEW,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('imports-a-missing-package.ts');
    expect(result.stderr).toContain("Cannot find package 'ropkit-no-such-framework'");
  });

  it('a --junit path through a file fails before the run, in one line, exit 2', async () => {
    const file = join(directory, 'not-a-directory');
    await writeFile(file, '');
    const result = await runCliProcess([
      'run',
      '--adapter',
      'express',
      ...FEW,
      '--junit',
      join(file, 'junit.xml'),
    ]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `ropkit-conformance: cannot write --junit ${join(file, 'junit.xml')}: a file stands in the way of ${file}\n`,
    });
  });

  it('--json into a directory that does not exist yet creates it', async () => {
    const report = join(directory, 'reports', 'deep', 'conformance.json');
    const result = await runCliProcess([
      'run',
      '--adapter',
      'express',
      '--quiet',
      ...FEW,
      '--json',
      report,
    ]);
    expect(result.code).toBe(0);
    const { results } = JSON.parse(await readFile(report, 'utf8')) as { results: unknown[] };
    expect(results).toHaveLength(3);
  });

  it('an unknown --only id is named, instead of running nothing and passing', async () => {
    const result = await runCliProcess([
      'run',
      '--adapter',
      'express',
      '--only',
      'bearer-01,jwt-99',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ropkit-conformance: --only: no scenario jwt-99 /);
  });
});

describe('a built-in adapter whose packages are missing', () => {
  it.each([
    ['express', 'express-session', '@ropkit/express express express-session'],
    ['express', '@ropkit/express', '@ropkit/express express express-session'],
    ['koa', '@koa/router', '@ropkit/koa koa koa-session @koa/router @koa/bodyparser'],
    [
      'fastify',
      '@fastify/session',
      '@ropkit/fastify fastify @fastify/cookie @fastify/session @fastify/formbody',
    ],
  ])('--adapter %s without %s prints what to install', async (adapter, hidden, packages) => {
    const result = await runCliProcess(['run', '--adapter', adapter, ...FEW], {
      env: { ROPKIT_TEST_HIDDEN_PACKAGES: hidden },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${hidden} is not installed`);
    expect(result.stderr).toContain(`\n  npm install --save-dev ${packages}\n`);
    expectNoRawError(result.stderr);
  });

  it('serve says the same', async () => {
    const result = await runCliProcess(
      ['serve', '--adapter', 'koa', '--issuer', 'https://t.example.com/', '--audience', 'a'],
      { env: { ROPKIT_TEST_HIDDEN_PACKAGES: 'koa-session' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('koa-session is not installed');
    expect(result.stderr).toContain(
      'npm install --save-dev @ropkit/koa koa koa-session @koa/router @koa/bodyparser',
    );
  });
});

describe('testcontainers is needed for the container runtime only', () => {
  it('--runtime container without it: says to install it, exit 2', async () => {
    const result = await runCliProcess(
      ['run', '--adapter', 'express', '--only', 'bearer-01', '--runtime', 'container'],
      { env: { ROPKIT_TEST_HIDDEN_PACKAGES: 'testcontainers' } },
    );
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ropkit-conformance: --runtime container needs the testcontainers package; install it with:\n  npm install --save-dev testcontainers\n',
    });
  });

  it('ROPKIT_CONFORMANCE_RUNTIME=container without it: names the variable', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--only', 'bearer-01'], {
      env: {
        ROPKIT_TEST_HIDDEN_PACKAGES: 'testcontainers',
        ROPKIT_CONFORMANCE_RUNTIME: 'container',
      },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^ropkit-conformance: ROPKIT_CONFORMANCE_RUNTIME=container needs the testcontainers package/,
    );
  });

  it('auto without it: runs in-process, said once for all adapters', async () => {
    const result = await runCliProcess(
      ['run', '--adapter', 'express', '--adapter', 'koa', '--only', 'bearer-01', '--quiet'],
      { env: { ROPKIT_TEST_HIDDEN_PACKAGES: 'testcontainers' } },
    );
    expect(result.stderr).toBe(
      'ropkit-conformance: no container runtime (testcontainers is not installed); using the in-process mock server\n',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 scenarios x 2 adapters: 2 passed, 0 failed');
  });
});

describe('progress on stderr', () => {
  it('not a terminal: one plain line per adapter and group; the matrix alone on stdout', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--adapter', 'koa', ...FEW]);
    expect(result.code).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    for (const adapter of ['express', 'koa']) {
      expect(lines).toContain(`${adapter}: RFC 6750 bearer usage: 2 passed, 0 failed`);
      expect(lines).toContain(`${adapter}: JWT access token validation: 1 passed, 0 failed`);
      // The group's line comes once it is done, before the next group's.
      expect(lines.indexOf(`${adapter}: RFC 6750 bearer usage: 2 passed, 0 failed`)).toBeLessThan(
        lines.indexOf(`${adapter}: JWT access token validation: 1 passed, 0 failed`),
      );
    }
    expect(result.stderr).not.toContain('\u001b[');
    expect(result.stdout).toMatch(/^scenario {4}level {3}express {2}koa /);
    expect(result.stdout).not.toContain('passed, 0 failed\nexpress:');
    expect(result.stdout).toContain('3 scenarios x 2 adapters: 6 passed, 0 failed, 0 skipped');
  });

  it('counts failures, and exits 1 when a scenario fails', async () => {
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'answers-404.ts'),
      ...FEW,
    ]);
    expect(result.code).toBe(1);
    // bearer-02 is the ropkit profile, which a third-party module does not claim: informational.
    expect(result.stderr).toContain(
      'answers-404: RFC 6750 bearer usage: 0 passed, 1 failed, 1 informational\n',
    );
    expect(result.stderr).toContain(
      'answers-404: JWT access token validation: 0 passed, 1 failed\n',
    );
  });

  it('--quiet: nothing on stderr, the same matrix on stdout', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--quiet', ...FEW]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('3 scenarios x 1 adapters: 3 passed, 0 failed, 0 skipped');
  });
});

/** runCli in this process, with stderr a terminal of `columns` columns. */
async function runOnTerminal(argv: string[], columns = 120) {
  const output = { stdout: '', stderr: '' };
  const io: CliIo = {
    argv,
    env: {},
    cwd: CONFORMANCE_DIR,
    stdout: (text) => (output.stdout += text),
    stderr: (text) => (output.stderr += text),
    stderrIsTty: true,
    columns: () => columns,
    untilStopped: () => Promise.resolve(),
  };
  const code = await runCli(io);
  return { code, ...output };
}

describe('progress on a terminal (runCli in-process)', () => {
  it('redraws one line per adapter in place, and erases it before the matrix', async () => {
    const result = await runOnTerminal(['run', '--adapter', 'express', ...FEW]);
    expect(result.code).toBe(0);
    // Each redraw moves up over the live line and erases it (ESC[1A, CR, ESC[J).
    expect(result.stderr).toContain('\u001b[1A\r\u001b[Jexpress  RFC 6750 bearer usage  1/2\n');
    expect(result.stderr).toContain('express  JWT access token validation  0/1\n');
    expect(result.stderr).toContain('express  done: 3 passed, 0 failed\n');
    expect(result.stderr.endsWith('\u001b[1A\r\u001b[J')).toBe(true);
    // No plain group lines on a terminal, and nothing of this on stdout.
    expect(result.stderr).not.toContain('express: RFC 6750 bearer usage:');
    expect(result.stdout).not.toContain('\u001b[');
    expect(result.stdout).toMatch(/^scenario {4}level {3}express /);
  });

  it('--quiet draws nothing', async () => {
    const result = await runOnTerminal(['run', '--adapter', 'express', '--quiet', ...FEW]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('serve (a real process)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('prints where the app listens, serves it, and exits 0 on SIGTERM', async () => {
    child = spawnCli([
      'serve',
      '--adapter',
      'express',
      '--issuer',
      'https://tenant.example.com/',
      '--audience',
      'https://api.example.com',
    ]);
    const [, url] = await untilStdoutLine(
      child,
      /^express test app listening on (http:\/\/127\.0\.0\.1:\d+) \(issuer https:\/\/tenant\.example\.com\/, audience https:\/\/api\.example\.com\)$/,
    );
    expect((await fetch(`${url}/api/public`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
