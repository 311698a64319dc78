import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAuthorizationServerImage, type Runtime } from './authorization-server.js';
import { CATALOGUE } from './catalogue/index.js';
import {
  BUILT_IN_ADAPTER_PACKAGES,
  CliError,
  installCommand,
  loadCliAdapter,
  missingPackageOf,
} from './cli-adapters.js';
import { Progress } from './cli-progress.js';
import { formatMatrix, toJUnit, toJson } from './report.js';
import { ConformanceRun, type ScenarioResult } from './runner.js';
import type { Scenario } from './scenario.js';

/** The environment variable `--runtime` overrides. */
export const RUNTIME_ENV_VAR = 'ROPKIT_CONFORMANCE_RUNTIME';

const RUNTIMES: readonly Runtime[] = ['auto', 'container', 'in-process'];
const BUILT_INS = Object.keys(BUILT_IN_ADAPTER_PACKAGES).join('|');

export const USAGE = `usage:
  ropkit-conformance run --adapter <express|koa|fastify|module> [--adapter ...] [options]
  ropkit-conformance serve --adapter <express|koa|fastify|module> --issuer <url> --audience <aud>

run: runs the scenario catalogue against each adapter; the matrix goes to stdout, progress to
stderr. Exit code 0 when every scenario passed, 1 when one failed, 2 for a usage or setup error.
  --adapter <name|module>  express, koa or fastify (each needs its @ropkit/<name> package and
                           framework installed; see the README), or a file (./my-adapter.js) or
                           package that exports startTestApp; repeat it for more adapters
  --runtime <runtime>      where the mock server runs: auto (the default: a container when
                           Docker answers, else in-process), container or in-process; without
                           the flag, ${RUNTIME_ENV_VAR} decides
  --only <id,id,...>       run only these scenarios (e.g. bearer-01,jwt-03)
  --json <file>            also write the results as JSON
  --junit <file>           also write the results as JUnit XML
  -q, --quiet              no progress on stderr

serve: starts one adapter's test app against any issuer and prints its URL, until interrupted.

  -h, --help               this help
  --version                the version of @ropkit/conformance
`;

/** Where the CLI reads and writes, so it can run in-process in tests. */
export interface CliIo {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative `--adapter`, `--json` and `--junit` paths are resolved from here. */
  readonly cwd: string;
  /** The matrix, usage and version. */
  readonly stdout: (text: string) => void;
  /** Progress, notices and errors. */
  readonly stderr: (text: string) => void;
  /** stderr is a terminal: progress is redrawn in place rather than written line by line. */
  readonly stderrIsTty: boolean;
  /** The terminal's width. */
  readonly columns?: () => number | undefined;
  /** Resolves when `serve` should stop (on SIGINT or SIGTERM for the real process). */
  readonly untilStopped: () => Promise<void>;
}

type Values = Record<string, string | string[] | boolean | undefined>;

async function version(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  const value: unknown =
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'version') : undefined;
  return typeof value === 'string' ? value : 'unknown';
}

/** The runtime from `--runtime`, else from the environment variable; each named when wrong. */
export function resolveRuntime(
  flag: string | undefined,
  env: CliIo['env'],
): { runtime: Runtime; source: string } {
  const fromEnv = env[RUNTIME_ENV_VAR];
  const [value, source] =
    flag === undefined ? [fromEnv ?? '', RUNTIME_ENV_VAR] : [flag, '--runtime'];
  if (flag === undefined && value === '') return { runtime: 'auto', source };
  const runtime = RUNTIMES.find((r) => r === value);
  if (runtime === undefined) {
    throw new CliError(
      `${source} must be one of ${RUNTIMES.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return { runtime, source };
}

function adaptersOf(values: Values): string[] {
  return [values['adapter']].flat().filter((a): a is string => typeof a === 'string');
}

function requireAdapter(adapters: readonly string[], command: string): void {
  if (adapters.length === 0 || adapters.some((a) => a.trim() === '')) {
    throw new CliError(
      `--adapter is required: ropkit-conformance ${command} --adapter <${BUILT_INS}|./my-adapter.js>`,
    );
  }
}

function selectScenarios(only: string | undefined): readonly Scenario[] {
  if (only === undefined) return CATALOGUE;
  const ids = only
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0)
    throw new CliError('--only needs scenario ids, e.g. --only bearer-01,jwt-03');
  const known = new Set(CATALOGUE.map((s) => s.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new CliError(
      `--only: no scenario ${unknown.join(', ')} (ids are like bearer-01, jwt-21, login-14; see the README)`,
    );
  }
  const wanted = new Set(ids);
  return CATALOGUE.filter((s) => wanted.has(s.id));
}

function reasonOf(error: unknown): string {
  const code: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  const plain: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a parent is not a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory',
    EROFS: 'read-only file system',
  };
  if (typeof code === 'string' && plain[code] !== undefined) return plain[code];
  return error instanceof Error ? error.message : String(error);
}

/** Where a report goes: its directory is created now, so a bad path fails before the run. */
async function reportPath(values: Values, flag: 'json' | 'junit', cwd: string) {
  const given = values[flag];
  if (typeof given !== 'string') return undefined;
  const path = resolve(cwd, given);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    const code: unknown =
      typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
    // EEXIST / ENOTDIR: a file stands where a directory of the path should be.
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? `a file stands in the way of ${dirname(path)}`
        : `${reasonOf(error)} (${dirname(path)})`;
    throw new CliError(`cannot write --${flag} ${given}: ${reason}`);
  }
  return { flag, given, path };
}

async function writeReport(
  target: { flag: string; given: string; path: string } | undefined,
  text: string,
): Promise<void> {
  if (target === undefined) return;
  try {
    await writeFile(target.path, text);
  } catch (error) {
    throw new CliError(`cannot write --${target.flag} ${target.given}: ${reasonOf(error)}`);
  }
}

/** The image for container runs, or `in-process` (said once) when `auto` finds no engine. */
async function prepareRuntime(
  runtime: Runtime,
  source: string,
  progress: Progress,
): Promise<{ runtime: Runtime; image?: string }> {
  if (runtime === 'in-process') return { runtime };
  const building = performance.now();
  try {
    const image = await buildAuthorizationServerImage();
    const seconds = ((performance.now() - building) / 1000).toFixed(1);
    progress.info(`mock server image ${image} built in ${seconds} s (not counted below)`);
    return { runtime, image };
  } catch (error) {
    const missing = missingPackageOf(error) === 'testcontainers';
    if (runtime === 'container') {
      if (!missing) throw error;
      const given = source === '--runtime' ? '--runtime container' : `${source}=container`;
      throw new CliError(
        `${given} needs the testcontainers package; install it with:\n  ${installCommand(['testcontainers'])}`,
      );
    }
    const reason = missing
      ? 'testcontainers is not installed'
      : (error instanceof Error ? error.message : String(error)).split('\n')[0];
    progress.notice(
      `ropkit-conformance: no container runtime (${reason}); using the in-process mock server`,
    );
    return { runtime: 'in-process' };
  }
}

async function run(values: Values, io: CliIo): Promise<number> {
  const adapters = adaptersOf(values);
  requireAdapter(adapters, 'run');
  const runtimeFlag = typeof values['runtime'] === 'string' ? values['runtime'] : undefined;
  const { runtime: asked, source } = resolveRuntime(runtimeFlag, io.env);
  const scenarios = selectScenarios(
    typeof values['only'] === 'string' ? values['only'] : undefined,
  );
  const json = await reportPath(values, 'json', io.cwd);
  const junit = await reportPath(values, 'junit', io.cwd);
  // Load (and so check) every adapter before starting anything.
  const loaded = [];
  for (const specifier of adapters) loaded.push(await loadCliAdapter(specifier, io.cwd));
  const progress = new Progress({
    write: io.stderr,
    tty: io.stderrIsTty,
    quiet: values['quiet'] === true,
    ...(io.columns === undefined ? {} : { columns: io.columns }),
  });
  let results: ScenarioResult[];
  let started: number;
  try {
    const { runtime, image } = await prepareRuntime(asked, source, progress);
    started = performance.now();
    // Each adapter has its own mock server, so adapters run side by side. allSettled, not all:
    // every session must have closed (containers stopped) before a failure is reported.
    const settled = await Promise.allSettled(
      loaded.map(async (adapter) => {
        progress.starting(adapter.name, scenarios);
        const session = await ConformanceRun.start(adapter, {
          runtime,
          say: (line) => progress.notice(line),
          ...(image === undefined ? {} : { image }),
        });
        try {
          progress.info(
            `${adapter.name}: mock server ${session.server.runtime}, app ${session.url}`,
          );
          progress.started(adapter.name);
          return await session.runAll(scenarios, (result) => progress.result(result));
        } finally {
          await session.close();
        }
      }),
    );
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    results = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
  } finally {
    progress.end();
  }
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  io.stdout(`${formatMatrix(results)}\nwall time ${wall} s (image build excluded)\n`);
  await writeReport(json, toJson(results));
  await writeReport(junit, toJUnit(results));
  return results.some((result) => result.outcome === 'fail') ? 1 : 0;
}

async function serve(values: Values, io: CliIo): Promise<number> {
  const adapters = adaptersOf(values);
  requireAdapter(adapters, 'serve');
  if (adapters.length > 1) throw new CliError('serve starts one --adapter at a time');
  const issuer = values['issuer'];
  const audience = values['audience'];
  if (typeof issuer !== 'string' || typeof audience !== 'string')
    throw new CliError('serve needs --issuer <url> and --audience <audience>');
  const adapter = await loadCliAdapter(adapters[0] ?? '', io.cwd);
  const app = await adapter.startTestApp({ verifier: { issuer, audience } });
  io.stdout(
    `${adapter.name} test app listening on ${app.url} (issuer ${issuer}, audience ${audience})\n`,
  );
  await io.untilStopped();
  await app.close();
  return 0;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        adapter: { type: 'string', multiple: true },
        runtime: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'string' },
        junit: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    // parseArgs explains how to pass a positional starting with '-': not what went wrong here.
    const message = (error instanceof Error ? error.message : String(error)).split('. ')[0];
    throw new CliError(`${message ?? ''} (ropkit-conformance --help lists the options)`);
  }
}

/**
 * The `ropkit-conformance` command. Returns the exit code: 0 when every scenario passed (or for
 * `--help`/`--version`), 1 when one failed, 2 for a usage or setup error (said in one message).
 */
export async function runCli(io: CliIo): Promise<number> {
  try {
    const { positionals, values } = parse(io.argv);
    const [command, ...extra] = positionals;
    if (values.version === true) {
      io.stdout(`${await version()}\n`);
      return 0;
    }
    if (values.help === true || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === undefined) {
      io.stderr(USAGE);
      return 2;
    }
    if (command !== 'run' && command !== 'serve') {
      io.stderr(
        `ropkit-conformance: unknown command ${command}: give run or serve (ropkit-conformance --help)\n`,
      );
      return 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected argument ${extra.join(' ')}`);
    return command === 'run' ? await run(values, io) : await serve(values, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`ropkit-conformance: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 2;
  }
}
