import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  untilExit,
  whenListening,
  type FinishedRun,
  type ListeningChild,
} from './listening-child.ts';

/** The variables the API examples read; unset in the child unless a test gives them. */
const EXAMPLE_VARIABLES = ['ISSUER_BASE_URL', 'AUDIENCE', 'PORT', 'ALGORITHMS', 'TOKEN_PROFILE'];

/** Which API example to run. */
export interface ExampleLocation {
  /** The example's directory, ending in `/`: `new URL('..', import.meta.url)` from its `test/`. */
  exampleDir: URL;
  /** The framework adapter it uses: `express` for `@ropkit/express` and `@ropkit/example-express`. */
  adapter: string;
}

/** A running example program. */
export type RunningExample = ListeningChild;

/** How a run that was expected to fail ended. */
export type FailedRun = FinishedRun;

/** Starts and runs one example program as `npm start` does. */
export interface ExampleProcess {
  /**
   * Starts the example as a child process with `env` and resolves once it printed its
   * `listening on http://127.0.0.1:PORT` line. Rejects, with its stderr, if it exits first.
   */
  readonly startExample: (env: Record<string, string>) => Promise<RunningExample>;
  /** Runs the example with `env`, expecting it to exit on its own (a configuration error). */
  readonly runExampleToExit: (env: Record<string, string>) => Promise<FailedRun>;
}

/** The child runs `node src/server.ts` in the example's directory, as `npm start` does. */
export function exampleProcess({ exampleDir, adapter }: ExampleLocation): ExampleProcess {
  if (!exampleDir.pathname.endsWith('/')) {
    throw new TypeError(`exampleDir must end in "/": ${exampleDir.href}`);
  }
  const cwd = fileURLToPath(exampleDir);

  /**
   * Node runs `src/server.ts` with type stripping, and a workspace package imported from there
   * resolves to its built `dist/` (the `dev-source` condition is vitest's only). Fail with the fix
   * rather than with a module-not-found trace.
   */
  function assertAdapterBuilt(): void {
    const entry = new URL(`node_modules/@ropkit/${adapter}/dist/index.js`, exampleDir);
    if (!existsSync(entry)) {
      throw new Error(
        `@ropkit/${adapter} has no dist/: run \`pnpm build\` (or \`npx turbo run build --filter=@ropkit/example-${adapter}...\`) first`,
      );
    }
  }

  function spawnExample(env: Record<string, string>): ChildProcess {
    assertAdapterBuilt();
    const inherited = { ...process.env };
    for (const name of EXAMPLE_VARIABLES) delete inherited[name];
    return spawn(process.execPath, ['src/server.ts'], {
      cwd,
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  return {
    async startExample(env: Record<string, string>): Promise<RunningExample> {
      return whenListening(spawnExample(env), 'the example');
    },

    async runExampleToExit(env: Record<string, string>): Promise<FailedRun> {
      return untilExit(spawnExample(env));
    },
  };
}
