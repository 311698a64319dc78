import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The conformance package's directory. */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI's source; run by Node from source, the way dist/cli.js runs (see source-hooks.ts). */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const HOOKS = fileURLToPath(new URL('./source-hooks.ts', import.meta.url));

/** Variables the CLI or the hooks read; unset in the child unless a test gives them. */
const CLI_VARIABLES = ['ROPKIT_CONFORMANCE_RUNTIME', 'ROPKIT_TEST_HIDDEN_PACKAGES'];

/** How a finished `ropkit-conformance` process went. */
export interface FinishedCli {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link spawnCli}. */
export interface CliProcessOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Starts `ropkit-conformance <args>` as a real process (stdin closed, stdout and stderr piped, so
 * not a terminal), with workspace packages resolved to their sources.
 */
export function spawnCli(args: readonly string[], options: CliProcessOptions = {}): ChildProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of CLI_VARIABLES) delete env[name];
  return spawn(
    process.execPath,
    [
      '--conditions=dev-source',
      '--disable-warning=ExperimentalWarning',
      '--import',
      HOOKS,
      CLI,
      ...args,
    ],
    {
      cwd: options.cwd ?? CONFORMANCE_DIR,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Runs `ropkit-conformance <args>` to its end; kills it after `timeoutMs`. */
export async function runCliProcess(
  args: readonly string[],
  options: CliProcessOptions & { timeoutMs?: number } = {},
): Promise<FinishedCli> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves with the first stdout line of `child` that matches `pattern`; rejects, with its
 * stderr, if the process ends first.
 */
export function untilStdoutLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of stdout.split('\n')) {
        const match = pattern.exec(line);
        if (match !== null) resolve(match);
      }
    });
    child.once('close', (code) =>
      reject(new Error(`exited ${code} before printing ${pattern}: ${stdout}${stderr}`)),
    );
  });
}
