import type { ChildProcess } from 'node:child_process';

/** A running example program, ready once it printed where it listens. */
export interface ListeningChild {
  /** `http://127.0.0.1:PORT`, from its log line. */
  url: string;
  /** The log line it printed when ready. */
  logLine: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Sends SIGTERM and waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * Resolves once `child` printed its `listening on http://127.0.0.1:PORT` line. Rejects, with its
 * stderr, if it exits first. `name` says which program in that message.
 */
export async function whenListening(child: ChildProcess, name: string): Promise<ListeningChild> {
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
      reject(new Error(`${name} exited (code ${code}) before listening: ${stderr}`)),
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
}

/** How a run that was expected to fail ended. */
export interface FinishedRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Waits for `child` to exit on its own (a configuration error), collecting what it printed. */
export async function untilExit(child: ChildProcess): Promise<FinishedRun> {
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
