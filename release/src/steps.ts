import { spawn } from 'node:child_process';

/** Where and how a command runs. `env` replaces the environment (see {@link childEnv}). */
export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Prints one step's title, runs it, and prints that it passed; a failure propagates. */
export async function step<T>(title: string, action: () => Promise<T>): Promise<T> {
  process.stdout.write(`\n::: ${title}\n`);
  const result = await action();
  process.stdout.write(`::: ok: ${title}\n`);
  return result;
}

/** Runs a command with its output on ours; rejects unless it exits 0. */
export async function run(command: string, args: string[], options: RunOptions): Promise<void> {
  process.stdout.write(`$ ${[command, ...args].join(' ')}   (in ${options.cwd})\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}`);
}

/** Runs a command and returns its stdout; rejects with its stderr unless it exits 0. */
export async function capture(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${String(code)}:\n${Buffer.concat(stderr).toString()}`,
    );
  }
  return Buffer.concat(stdout).toString();
}

/**
 * The environment for npm and pnpm children: ours without the `npm_config_*` and
 * `pnpm_config_*` variables that `pnpm run` exports (they would leak the workspace's settings
 * into the consumer project), plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_config_/i.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}
