import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
export interface RunningExample {
  /** `http://127.0.0.1:PORT`, from its log line. */
  url: string;
  /** The log line it printed when ready. */
  logLine: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Sends SIGTERM and waits for the process to end. */
  stop(): Promise<void>;
}

/** How a run that was expected to fail ended. */
export interface FailedRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

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
      const child = spawnExample(env);
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
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
          reject(new Error(`the example exited (code ${code}) before listening: ${stderr}`)),
        );
      });
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(logLine)?.[1];
      if (url === undefined) throw new Error(`no URL in the log line: ${logLine}`);
      return {
        url,
        logLine,
        stdout: () => stdout,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },

    async runExampleToExit(env: Record<string, string>): Promise<FailedRun> {
      const child = spawnExample(env);
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      // A process that started listening would never exit: stop it so the test fails, not hangs.
      child.stdout?.on('data', () => {
        if (stdout.includes(' listening on ')) child.kill('SIGTERM');
      });
      const exitCode = await new Promise<number | null>((resolve) =>
        child.once('close', (code) => resolve(code)),
      );
      return { exitCode, stdout, stderr };
    },
  };
}
