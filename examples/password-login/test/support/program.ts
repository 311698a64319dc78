import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  untilExit,
  whenListening,
  type FinishedRun,
  type ListeningChild,
} from '../../../shared/test-support/listening-child.ts';

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
export type RunningProgram = ListeningChild;

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
  return whenListening(spawnProgram(dir, env), dir);
}

/** Runs `node src/server.ts` in `dir`, expecting it to exit on its own (a configuration error). */
export async function runToExit(dir: string, env: Record<string, string>): Promise<FinishedRun> {
  return untilExit(spawnProgram(dir, env));
}
