/**
 * "No hang, no silent pass": each rule proved, through the API and as a maintainer runs the CLI.
 *
 * - a startTestApp that never resolves fails that adapter at the start deadline; the others run;
 * - a route that never answers fails that scenario at the request deadline; the run goes on;
 * - a scenario that never finishes fails at the scenario deadline;
 * - an unknown id in --only or in skips is an error, not a run of nothing;
 * - a startTestApp that throws is reported with the adapter's name; the others still run, the
 *   matrix and the reports are still written;
 * - a module that fails to load names the file and the line.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdapterDefinitionError,
  CATALOGUE,
  ConformanceRun,
  runSuite,
  type AdapterUnderTest,
  type Scenario,
} from '../src/index.js';
import { startTestApp as startExpress } from '../src/adapters/express.js';
import { startTestApp as hangsOnPrivate } from './fixtures/hangs-on-private.ts';
import { CONFORMANCE_DIR, runCliProcess } from './support/cli-process.js';

const FIXTURES = join(CONFORMANCE_DIR, 'test', 'fixtures');
const byId = (id: string): Scenario => {
  const found = CATALOGUE.find((scenario) => scenario.id === id);
  if (found === undefined) throw new Error(`no scenario ${id}`);
  return found;
};

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ropkit-conformance-no-hang-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('a startTestApp that never resolves', () => {
  it('fails that adapter at the start deadline, and the other adapters still run', async () => {
    const started = performance.now();
    const report = await runSuite(
      [
        {
          kind: 'adapter',
          target: 'never',
          adapter: { name: 'never', startTestApp: () => new Promise(() => undefined) },
        },
        {
          kind: 'adapter',
          target: 'express',
          adapter: { name: 'express', startTestApp: startExpress },
        },
      ],
      { runtime: 'in-process', startTimeoutMs: 300, scenarios: [byId('bearer-01')] },
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(report.adapters[0]).toMatchObject({
      name: 'never',
      started: false,
      error: 'startTestApp did not resolve within 300 ms',
    });
    expect(report.adapters[1]).toMatchObject({ name: 'express', started: true });
    expect(report.results).toMatchObject([
      { adapter: 'express', id: 'bearer-01', outcome: 'pass' },
    ]);
  });

  it('an app that starts after the deadline is closed, not left listening', async () => {
    let closed = false;
    const late: AdapterUnderTest = {
      name: 'late',
      startTestApp: () =>
        new Promise((resolve) =>
          setTimeout(
            () =>
              resolve({
                url: 'http://127.0.0.1:1',
                close: () => {
                  closed = true;
                  return Promise.resolve();
                },
              }),
            400,
          ),
        ),
    };
    await expect(
      ConformanceRun.start(late, { runtime: 'in-process', startTimeoutMs: 100 }),
    ).rejects.toThrow('late: startTestApp did not resolve within 100 ms');
    await expect.poll(() => closed, { timeout: 2_000 }).toBe(true);
  });

  it('the CLI says so, runs the others, prints the matrix, writes both reports, exits 1', async () => {
    const json = join(directory, 'never.json');
    const junit = join(directory, 'never.xml');
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'never-starts.ts'),
      '--adapter',
      'express',
      '--start-timeout',
      '500ms',
      '--only',
      'bearer-01,bearer-02',
      '--runtime',
      'in-process',
      '--json',
      json,
      '--junit',
      junit,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'never-starts: did not start: startTestApp did not resolve within 500 ms\n',
    );
    expect(result.stdout).toContain('never-starts: did not start: startTestApp did not resolve');
    expect(result.stdout).toMatch(/bearer-01 +MUST +n\/a +pass /);
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      adapters: Array<{ name: string; started: boolean; error?: string }>;
      results: unknown[];
    };
    expect(report.adapters.map((a) => [a.name, a.started])).toEqual([
      ['never-starts', false],
      ['express', true],
    ]);
    expect(report.results).toHaveLength(2);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<error message="startTestApp did not resolve within 500 ms"/>');
    expect(xml).toMatch(/<testsuite name="express" timestamp="[^"]+" time="\d+\.\d{3}" tests="2"/);
  });
});

describe('a route that never answers', () => {
  it('fails each scenario that asks it at the request deadline, naming the request; the run goes on', async () => {
    const run = await ConformanceRun.start(
      { name: 'hangs', startTestApp: hangsOnPrivate, capabilities: ['bearer'] },
      { runtime: 'in-process', requestTimeoutMs: 300 },
    );
    try {
      const started = performance.now();
      const results = await run.runAll([byId('bearer-01'), byId('bearer-02'), byId('jwt-02')]);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(results.map((r) => [r.id, r.outcome])).toEqual([
        ['bearer-01', 'fail'],
        ['bearer-02', 'pass'],
        ['jwt-02', 'fail'],
      ]);
      expect(results[0]?.reason).toBe(`GET ${run.url}/api/private did not answer within 300 ms`);
    } finally {
      await run.close();
    }
  });

  it('the CLI ends too: --request-timeout, the reason in the matrix, exit 1', async () => {
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'hangs-on-private.ts'),
      '--request-timeout',
      '400',
      '--only',
      'bearer-01,bearer-02',
      '--runtime',
      'in-process',
      '--quiet',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL hangs-on-private bearer-01: GET http:\/\/127\.0\.0\.1:\d+\/api\/private did not answer within 400 ms\n/,
    );
  });

  it('a scenario that never finishes fails at the scenario deadline', async () => {
    const run = await ConformanceRun.start(
      { name: 'express', startTestApp: startExpress },
      { runtime: 'in-process', scenarioTimeoutMs: 200 },
    );
    try {
      const stuck: Scenario = { ...byId('bearer-02'), run: () => new Promise(() => undefined) };
      expect(await run.run(stuck)).toMatchObject({
        outcome: 'fail',
        severity: 'info',
        reason: 'the scenario did not finish within 200 ms',
      });
    } finally {
      await run.close();
    }
  });

  it('an app whose close never resolves does not hold the run', async () => {
    const report = await runSuite(
      [
        {
          kind: 'adapter',
          target: 'sticky',
          adapter: {
            name: 'sticky',
            startTestApp: async (options) => {
              const app = await startExpress(options);
              return { url: app.url, close: () => new Promise(() => undefined) };
            },
          },
        },
      ],
      { runtime: 'in-process', startTimeoutMs: 300, scenarios: [byId('bearer-02')] },
    );
    expect(report.results).toMatchObject([{ id: 'bearer-02', outcome: 'pass' }]);
  });
});

describe('unknown ids are errors, never a run of nothing', () => {
  it('--only bearer-1 (a typo) names it and exits 2', async () => {
    const result = await runCliProcess(['run', '--adapter', 'express', '--only', 'bearer-1']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ropkit-conformance: --only: no scenario bearer-1 /);
  });

  it('--only takes a group: keys-* selects the key set group', async () => {
    const result = await runCliProcess(['list', '--only', 'keys-*']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('6 scenarios.');
  });

  it('a skips id that names no scenario fails the load, naming the module and the id (exit 2)', async () => {
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'skips-a-typo.ts'),
      '--runtime',
      'in-process',
    ]);
    expect(result.code).toBe(2);
    // login-* is a group pattern that matches: only the typo is named.
    expect(result.stderr).toContain('skips names no scenario: bearer-1 (');
  });

  it('the API refuses it too, before starting anything', async () => {
    await expect(
      ConformanceRun.start({
        name: 'typo',
        startTestApp: startExpress,
        skips: { 'jwt-99': 'no' },
      }),
    ).rejects.toBeInstanceOf(AdapterDefinitionError);
  });
});

describe('a startTestApp that throws', () => {
  it('is reported with the adapter and the error; the others run; matrix and reports written', async () => {
    const json = join(directory, 'throws.json');
    const result = await runCliProcess([
      'run',
      '--adapter',
      join(FIXTURES, 'throws-on-start.ts'),
      '--adapter',
      'express',
      '--only',
      'bearer-02',
      '--runtime',
      'in-process',
      '--json',
      json,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'throws-on-start: did not start: startTestApp threw TypeError: "issuer" must use https\n',
    );
    expect(result.stdout).toContain(
      '1 scenarios x 2 adapters: 1 passed, 0 failed, 0 skipped; 1 adapter(s) did not start',
    );
    const report = JSON.parse(await readFile(json, 'utf8')) as {
      exitCode: number;
      adapters: Array<{ name: string; error?: string }>;
    };
    expect(report.exitCode).toBe(1);
    expect(report.adapters[0]?.error).toBe('startTestApp threw TypeError: "issuer" must use https');
  });
});

describe('the reports are written whatever happens', () => {
  it('even when the run cannot set up (no testcontainers for --runtime container)', async () => {
    const json = join(directory, 'setup.json');
    const junit = join(directory, 'setup.xml');
    const result = await runCliProcess(
      ['run', '--adapter', 'express', '--runtime', 'container', '--json', json, '--junit', junit],
      { env: { ROPKIT_TEST_HIDDEN_PACKAGES: 'testcontainers' } },
    );
    expect(result.code).toBe(2);
    const report = JSON.parse(await readFile(json, 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({
      exitCode: 2,
      error: expect.stringContaining('--runtime container needs the testcontainers package'),
      kit: { name: '@ropkit/conformance' },
    });
    expect(await readFile(junit, 'utf8')).toContain(
      '<testcase classname="ropkit-conformance" name="setup" time="0.000"><error message="--runtime container needs the testcontainers package',
    );
  });
});

describe('a module that fails to load names the file and the line', () => {
  it.each([
    [
      'syntax.js',
      'export const a = 1;\nexport const startTestApp = () => {\n  const = 3;\n};\n',
      ':3',
      'SyntaxError',
    ],
    [
      'syntax.ts',
      'export const a: number = 1;\nexport function startTestApp() {\n  const = 3;\n}\n',
      ':3',
      'SyntaxError',
    ],
    [
      'throws.js',
      'export const a = 1;\nthrow new Error("boom while loading");\n',
      ':2',
      'Error: boom while loading',
    ],
  ])('%s', async (file, source, line, kind) => {
    const path = join(directory, file);
    await writeFile(path, source);
    const result = await runCliProcess(['run', '--adapter', path, '--runtime', 'in-process']);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(kind);
    expect(result.stderr).toContain(`${path}${line}`);
  });

  it('an import of an export that does not exist names the importing file', async () => {
    await writeFile(join(directory, 'lib.js'), 'export const other = 1;\n');
    const path = join(directory, 'imports-nothing.js');
    await writeFile(
      path,
      "import { missing } from './lib.js';\nexport const startTestApp = missing;\n",
    );
    const result = await runCliProcess(['run', '--adapter', path, '--runtime', 'in-process']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}:1`);
  });
});
