import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** This example's directory, and the express API example's, both run as `node src/server.ts`. */
export const PASSWORD_LOGIN_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const EXPRESS_API_DIR = fileURLToPath(new URL('../../../express', import.meta.url));

/** Every variable either program reads; unset in the child unless a test gives it. */
const PROGRAM_VARIABLES = [
  'ISSUER_BASE_URL',
  'TOKEN_ENDPOINT',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'AUDIENCE',
  'SCOPE',
  'API_URL',
  'SESSION_SECRET',
  'PORT',
  'ALGORITHMS',
  'TOKEN_PROFILE',
];

/** A running program. */
export interface RunningProgram {
  /** `http://127.0.0.1:PORT`, from its log line. */
  url: string;
  /** The line it printed when ready. */
  logLine: string;
  /** Sends SIGTERM and waits for the process to end. */
  stop(): Promise<void>;
}

/** How a run that was expected to fail ended. */
export interface FinishedRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Node runs `src/server.ts` with type stripping, and a workspace package imported from there
 * resolves to its built `dist/` (the `dev-source` condition is vitest's only). Fail with the fix
 * rather than with a module-not-found trace.
 */
function assertBuilt(dir: string): void {
  const entry = `${dir}/node_modules/@ropkit/express/dist/index.js`;
  if (!existsSync(entry)) {
    throw new Error(
      '@ropkit/express has no dist/: run `pnpm build` (or `npx turbo run build --filter=@ropkit/example-password-login...`) first',
    );
  }
}

function spawnProgram(dir: string, env: Record<string, string>): ChildProcess {
  assertBuilt(dir);
  const inherited = { ...process.env };
  for (const name of PROGRAM_VARIABLES) delete inherited[name];
  return spawn(process.execPath, ['src/server.ts'], {
    cwd: dir,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Starts `node src/server.ts` in `dir` with `env` and resolves once it printed its
 * `listening on http://127.0.0.1:PORT` line. Rejects, with its stderr, if it exits first.
 */
export async function startProgram(
  dir: string,
  env: Record<string, string>,
): Promise<RunningProgram> {
  const child = spawnProgram(dir, env);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const logLine = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((text) => text.includes(' listening on '));
      if (line !== undefined) resolve(line);
    });
    child.once('close', (code) =>
      reject(new Error(`${dir} exited (code ${code}) before listening: ${stderr}`)),
    );
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(logLine)?.[1];
  if (url === undefined) throw new Error(`no URL in the log line: ${logLine}`);
  return {
    url,
    logLine,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await closed;
    },
  };
}

/** Runs `node src/server.ts` in `dir`, expecting it to exit on its own (a configuration error). */
export async function runToExit(dir: string, env: Record<string, string>): Promise<FinishedRun> {
  const child = spawnProgram(dir, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    // A program that started listening would never exit: stop it so the test fails, not hangs.
    if (stdout.includes(' listening on ')) child.kill('SIGTERM');
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { exitCode, stdout, stderr };
}
