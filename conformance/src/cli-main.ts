import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectByIds, unknownIds } from './adapter-definition.js';
import { buildAuthorizationServerImage, type Runtime } from './authorization-server.js';
import { CATALOGUE } from './catalogue/index.js';
import { oneLine } from './check.js';
import {
  BUILT_IN_ADAPTER_PACKAGES,
  CliError,
  installCommand,
  loadCliAdapter,
  missingPackageOf,
} from './cli-adapters.js';
import { Progress } from './cli-progress.js';
import { formatList, listJson } from './cli-list.js';
import { waitForServer } from './cli-url.js';
import { parseDuration } from './deadline.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './http-client.js';
import { kitInfo } from './kit-info.js';
import { formatMatrix, toJUnit, toJson, toMarkdown } from './report.js';
import {
  DEFAULT_START_TIMEOUT_MS,
  URL_MODE_CAPABILITIES,
  kitVerifierOptions,
  type ConformanceRun,
} from './runner.js';
import { CAPABILITY_NAMES, isCapability, type Capability, type Scenario } from './scenario.js';
import { emptyReport, exitCodeOf, runSuite, type SuiteReport, type SuiteTarget } from './suite.js';
import { KIT_STEP_UP, soleIssuerOf } from './test-app.js';

/** The environment variable `--runtime` overrides. */
export const RUNTIME_ENV_VAR = 'ROPKIT_CONFORMANCE_RUNTIME';

const RUNTIMES: readonly Runtime[] = ['auto', 'container', 'in-process'];
const BUILT_INS = Object.keys(BUILT_IN_ADAPTER_PACKAGES).join('|');

export const USAGE = `usage:
  ropkit-conformance run --adapter <express|koa|fastify|module> [--adapter ...] [options]
  ropkit-conformance run --url <http://127.0.0.1:3000> [options]
  ropkit-conformance list [--only <ids>] [--json]
  ropkit-conformance serve --adapter <express|koa|fastify|module> --issuer <url> --audience <aud>

run: runs the scenario catalogue against each adapter; the matrix goes to stdout, progress to
stderr. Exit code 0 when no MUST failed (SHOULD failures are warnings, MAY ones informational),
1 when a MUST failed or an adapter did not start, 2 for a usage or setup error.
  --adapter <name|module>  express, koa or fastify (each needs its @ropkit/<name> package and
                           framework installed; see the README), or a file (./my-adapter.js:
                           a path without ./ is read as a package name) or package that exports
                           startTestApp; repeat it for more adapters
  --url <url>              audit a running server instead: the kit serves its issuer at
                           --issuer-host:--issuer-port (default 127.0.0.1:4400), prints what the
                           server must trust, waits for it, and runs the bearer, JWT and scope
                           scenarios (--capabilities narrows them)
  --capabilities <list>    with --url: what the server serves (default ${URL_MODE_CAPABILITIES.join(',')})
  --issuer-port <port>     with --url: the kit issuer's port (default 4400)
  --issuer-host <host>     with --url: the address it binds (default 127.0.0.1)
  --issuer-url <url>       with --url: the issuer as the server reaches it (default http://host:port/)
  --wait <duration>        with --url: how long to wait for the server to answer (default 30s)
  --runtime <runtime>      where the mock server runs: auto (the default: a container when
                           Docker answers, else in-process), container or in-process; without
                           the flag, ${RUNTIME_ENV_VAR} decides
  --only <id,id,...>       run only these scenarios (e.g. bearer-01,jwt-03 or login-*)
  --start-timeout <dur>    deadline of startTestApp and close (default ${DEFAULT_START_TIMEOUT_MS / 1000}s)
  --request-timeout <dur>  deadline of every request a scenario sends (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}s)
  --strict                 SHOULD failures fail the run too
  --json <file>            also write the report as JSON
  --junit <file>           also write the report as JUnit XML
  --markdown <file>        also write the matrix as Markdown (for a README)
  -q, --quiet              no progress on stderr

list: prints every scenario with its id, level, profile, group, the capabilities it needs and
the options it uses; --json for tools.

serve: starts one adapter's test app against any issuer and prints its URL, until interrupted.
  --jwks-uri <url>         the key set (default: <issuer>.well-known/jwks.json)

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

function stringOf(values: Values, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

function requireAdapter(adapters: readonly string[], command: string): void {
  if (adapters.length === 0 || adapters.some((a) => a.trim() === '')) {
    throw new CliError(
      `--adapter is required: ropkit-conformance ${command} --adapter <${BUILT_INS}|./my-adapter.js>${command === 'run' ? ' (or --url <http://...> to audit a running server)' : ''}`,
    );
  }
}

/** The scenarios `--only` selects (ids or `group-*`), every one of them known. */
export function selectScenarios(only: string | undefined): readonly Scenario[] {
  if (only === undefined) return CATALOGUE;
  const ids = only
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0)
    throw new CliError('--only needs scenario ids, e.g. --only bearer-01,jwt-03');
  const unknown = unknownIds(ids);
  if (unknown.length > 0) {
    throw new CliError(
      `--only: no scenario ${unknown.join(', ')} (ids are like bearer-01, jwt-21, login-14, or login-* for a group; ropkit-conformance list shows them)`,
    );
  }
  return selectByIds(ids);
}

/** A `--*-timeout` or `--wait` value in milliseconds, or the default. */
function durationOf(values: Values, flag: string, fallback: number): number {
  const given = stringOf(values, flag);
  if (given === undefined) return fallback;
  const ms = parseDuration(given);
  if (ms === undefined)
    throw new CliError(
      `--${flag} must be a duration like 500ms, 10s or 2500 (got ${JSON.stringify(given)})`,
    );
  return ms;
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

type ReportFlag = 'json' | 'junit' | 'markdown';
interface ReportTarget {
  flag: ReportFlag;
  given: string;
  path: string;
}

/** Where a report goes: its directory is created now, so a bad path fails before the run. */
async function reportPath(values: Values, flag: ReportFlag, cwd: string) {
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
  return { flag, given, path } satisfies ReportTarget;
}

async function writeReport(target: ReportTarget | undefined, text: string): Promise<void> {
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

/** `--capabilities bearer,scopes`: every name known. */
function capabilitiesOf(values: Values): Capability[] | undefined {
  const given = stringOf(values, 'capabilities');
  if (given === undefined) return undefined;
  const names = given
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !isCapability(name));
  if (names.length === 0 || unknown.length > 0)
    throw new CliError(
      `--capabilities: unknown ${unknown.join(', ') || '(none given)'} (known: ${CAPABILITY_NAMES.join(', ')})`,
    );
  return names.filter(isCapability);
}

/** The `--url` target: the server, where the kit's issuer listens, and the wait for the server. */
function urlTarget(values: Values, progress: Progress, requestTimeoutMs: number): SuiteTarget {
  const url = stringOf(values, 'url') ?? '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url must be an absolute http(s) URL (got ${JSON.stringify(url)})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError(`--url must be an absolute http(s) URL (got ${JSON.stringify(url)})`);
  const portText = stringOf(values, 'issuer-port');
  const port = portText === undefined ? 4400 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CliError(`--issuer-port must be a port number (got ${JSON.stringify(portText)})`);
  const issuerUrl = stringOf(values, 'issuer-url');
  const capabilities = capabilitiesOf(values);
  const waitMs = durationOf(values, 'wait', 30_000);
  const host = stringOf(values, 'issuer-host');
  const base = url.replace(/\/+$/, '');
  return {
    kind: 'url',
    target: base,
    server: { url: base, ...(capabilities === undefined ? {} : { capabilities }) },
    issuer: {
      port,
      ...(host === undefined ? {} : { host }),
      ...(issuerUrl === undefined ? {} : { issuer: issuerUrl }),
    },
    ready: async (session: ConformanceRun) => {
      const verifier = session.options.verifier;
      // The kit's default app options: one issuer.
      const { issuer, jwksUri } = soleIssuerOf(verifier);
      progress.notice(
        [
          `ropkit-conformance: the kit's issuer is up; configure the server at ${base} to trust it:`,
          `  issuer          ${issuer}`,
          `  audience        ${verifier.audience}`,
          `  jwksUri         ${jwksUri}`,
          `  algorithms      ${verifier.algorithms.join(', ')}`,
          `  clock tolerance ${verifier.clockTolerance} s`,
          `  realm           ${verifier.realm}`,
          `  scopes from     ${verifier.scopeSources.join(', ')}`,
          `and serve GET /api/public (no token), /api/private, /api/private-scoped (read:sample), /api/any-scope (read:sample or write:sample), /api/optional (token optional), each answering {"sub": <the token's sub or null>}`,
          ...(session.adapter.capabilities?.includes('step-up') === true
            ? [
                `and GET /api/step-up (acr ${KIT_STEP_UP.acr}), /api/recent (auth_time at most ${KIT_STEP_UP.maxAge} s old)`,
              ]
            : []),
        ].join('\n'),
      );
      await waitForServer(`${base}/api/public`, waitMs, requestTimeoutMs, (line) =>
        progress.info(line),
      );
    },
  };
}

async function run(values: Values, io: CliIo): Promise<number> {
  const adapters = adaptersOf(values);
  const url = stringOf(values, 'url');
  if (url !== undefined && adapters.length > 0)
    throw new CliError('give --adapter or --url, not both (--url audits one running server)');
  if (url === undefined) requireAdapter(adapters, 'run');
  const runtimeFlag = stringOf(values, 'runtime');
  const { runtime: asked, source } = resolveRuntime(runtimeFlag, io.env);
  const scenarios = selectScenarios(stringOf(values, 'only'));
  const startTimeoutMs = durationOf(values, 'start-timeout', DEFAULT_START_TIMEOUT_MS);
  const requestTimeoutMs = durationOf(values, 'request-timeout', DEFAULT_REQUEST_TIMEOUT_MS);
  const strict = values['strict'] === true;
  const json = await reportPath(values, 'json', io.cwd);
  const junit = await reportPath(values, 'junit', io.cwd);
  const markdown = await reportPath(values, 'markdown', io.cwd);
  const progress = new Progress({
    write: io.stderr,
    tty: io.stderrIsTty,
    quiet: values['quiet'] === true,
    ...(io.columns === undefined ? {} : { columns: io.columns }),
  });
  // Load (and so check) every adapter before starting anything.
  const targets: SuiteTarget[] = [];
  if (url !== undefined) targets.push(urlTarget(values, progress, requestTimeoutMs));
  for (const specifier of adapters) {
    targets.push({
      kind: 'adapter',
      target: specifier,
      adapter: await loadCliAdapter(specifier, io.cwd),
    });
  }
  const options = { scenarios, startTimeoutMs, requestTimeoutMs, strict };
  let report: SuiteReport = emptyReport(options);
  let failure: unknown;
  try {
    const { runtime, image } =
      url === undefined
        ? await prepareRuntime(asked, source, progress)
        : { runtime: 'in-process' as const };
    report = await runSuite(targets, {
      ...options,
      runtime,
      ...(image === undefined ? {} : { image }),
      say: (line) => progress.notice(line),
      events: {
        starting: (name, chosen) => progress.starting(name, chosen),
        started: (name, session) => {
          progress.info(`${name}: mock server ${session.server.runtime}, app ${session.url}`);
          progress.started(name);
        },
        failedToStart: (name, reason) => progress.failedToStart(name, reason),
        result: (result) => progress.result(result),
      },
    });
  } catch (error) {
    failure = error;
    report.error = oneLine(error instanceof Error ? error.message : String(error));
  } finally {
    progress.end();
    // The reports are written whatever happened, with what the run found.
    await writeReport(json, toJson(report));
    await writeReport(junit, toJUnit(report));
    await writeReport(markdown, toMarkdown(report));
  }
  if (failure !== undefined) throw failure;
  const wall = (report.wallTimeMs / 1000).toFixed(1);
  io.stdout(`${formatMatrix(report)}\nwall time ${wall} s (image build excluded)\n`);
  return exitCodeOf(report);
}

async function list(values: Values, io: CliIo): Promise<number> {
  const scenarios = selectScenarios(stringOf(values, 'only'));
  io.stdout(values['json'] === true ? listJson(scenarios) : formatList(scenarios));
  return 0;
}

async function serve(values: Values, io: CliIo): Promise<number> {
  const adapters = adaptersOf(values);
  requireAdapter(adapters, 'serve');
  if (adapters.length > 1) throw new CliError('serve starts one --adapter at a time');
  const issuer = values['issuer'];
  const audience = values['audience'];
  if (typeof issuer !== 'string' || typeof audience !== 'string')
    throw new CliError('serve needs --issuer <url> and --audience <audience>');
  let jwksUri = stringOf(values, 'jwks-uri');
  try {
    jwksUri ??= new URL('.well-known/jwks.json', issuer).href;
  } catch {
    throw new CliError(`--issuer must be an absolute URL (got ${JSON.stringify(issuer)})`);
  }
  const adapter = await loadCliAdapter(adapters[0] ?? '', io.cwd);
  const app = await adapter.startTestApp({
    verifier: kitVerifierOptions(issuer, audience, jwksUri),
  });
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
        url: { type: 'string' },
        capabilities: { type: 'string' },
        'issuer-port': { type: 'string' },
        'issuer-host': { type: 'string' },
        'issuer-url': { type: 'string' },
        wait: { type: 'string' },
        runtime: { type: 'string' },
        only: { type: 'string' },
        'start-timeout': { type: 'string' },
        'request-timeout': { type: 'string' },
        strict: { type: 'boolean' },
        json: { type: 'string' },
        junit: { type: 'string' },
        markdown: { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        'jwks-uri': { type: 'string' },
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

/** `list --json`: parseArgs reads --json as a string option; list takes it as a switch. */
function listArgs(argv: readonly string[]): string[] {
  return argv[0] === 'list' ? argv.map((arg) => (arg === '--json' ? '--json=' : arg)) : [...argv];
}

/**
 * The `ropkit-conformance` command. Returns the exit code: 0 when no MUST failed (or for
 * `--help`/`--version`/`list`), 1 when a MUST failed or an adapter did not start, 2 for a usage
 * or setup error (said in one message).
 */
export async function runCli(io: CliIo): Promise<number> {
  try {
    const { positionals, values: parsed } = parse(listArgs(io.argv));
    const values: Values = { ...parsed };
    const [command, ...extra] = positionals;
    if (values['version'] === true) {
      io.stdout(`${kitInfo().version}\n`);
      return 0;
    }
    if (values['help'] === true || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === undefined) {
      io.stderr(USAGE);
      return 2;
    }
    if (command !== 'run' && command !== 'serve' && command !== 'list') {
      io.stderr(
        `ropkit-conformance: unknown command ${command}: give run, list or serve (ropkit-conformance --help)\n`,
      );
      return 2;
    }
    if (extra.length > 0) throw new CliError(`unexpected argument ${extra.join(' ')}`);
    if (command === 'list') {
      if (values['json'] === '') values['json'] = true;
      return await list(values, io);
    }
    return command === 'run' ? await run(values, io) : await serve(values, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`ropkit-conformance: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 2;
  }
}
