import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExampleRequest } from './markdown-examples.ts';

/** How a child process ended, with what it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
}

/** Runs a command to its end, or kills it after `timeoutMs`. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Finished> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const [code, signal] = await ended(child);
  clearTimeout(timer);
  return { code, signal, timedOut, output: output() };
}

/** A long-running example: started, probed over HTTP, then stopped. */
export interface RunningServer {
  /** Resolves once `port` accepts connections; rejects if the process ends first. */
  listening: Promise<void>;
  /** Whether the process is still running (it must be, after every request). */
  alive(): boolean;
  output(): string;
  stop(): Promise<void>;
}

export function startServer(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; port: number; timeoutMs: number },
): RunningServer {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const exit = ended(child);
  const listening = (async () => {
    const deadline = Date.now() + options.timeoutMs;
    let exited = false;
    void exit.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`it exited before listening on port ${options.port}`);
      if (await accepts(options.port)) return;
      await delay(100);
    }
    throw new Error(`nothing listened on port ${options.port} within ${options.timeoutMs} ms`);
  })();
  return {
    listening,
    alive: () => child.exitCode === null && child.signalCode === null,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), delay(5_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/**
 * Sends the requests in order with one cookie jar (so a login's session cookie is sent on the
 * next request, as a browser would) and returns what went wrong, one line each.
 */
export async function checkRequests(
  port: number,
  requests: ExampleRequest[],
  accessToken: (scope: string) => Promise<string>,
): Promise<string[]> {
  const cookies = new Map<string, string>();
  const problems: string[] = [];
  for (const request of requests) {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    if (request.bearer !== undefined)
      headers['authorization'] = `Bearer ${await accessToken(request.bearer)}`;
    if (cookies.size > 0)
      headers['cookie'] = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const what = `${request.method} ${request.path}`;
    let response: Response;
    try {
      response = await fetch(`http://127.0.0.1:${port}${request.path}`, {
        method: request.method,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      problems.push(
        `${what}: no answer (${error instanceof Error ? error.message : String(error)})`,
      );
      break;
    }
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const equals = pair.indexOf('=');
      if (equals > 0) cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    }
    const text = await response.text();
    if (response.status !== request.status) {
      problems.push(
        `${what}: expected ${request.status}, got ${response.status}: ${text.slice(0, 200)}`,
      );
    } else if (request.bodyIncludes !== undefined && !text.includes(request.bodyIncludes)) {
      problems.push(
        `${what}: the body does not contain ${JSON.stringify(request.bodyIncludes)}: ${text.slice(0, 200)}`,
      );
    }
  }
  return problems;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether something already listens on the port (an example would then fail to start). */
export const portInUse = accepts;

function collect(child: ChildProcess): () => string {
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString();
}

function ended(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve([code, signal]));
  });
}
