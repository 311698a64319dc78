import { parseDemoArguments, USAGE, UsageError } from './options.ts';
import { runDemo } from './run-demo.ts';

/** Where the command writes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The `pnpm demo` command: reads flags and the environment, runs the demo, and returns the exit
 * code: 0 when every step did what the tutorial says, 1 when one did not, 2 for a usage error.
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<0 | 1 | 2> {
  let parsed: ReturnType<typeof parseDemoArguments>;
  try {
    parsed = parseDemoArguments(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`tutorial-demo: ${error.message}\n\nRun with --help for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const run = await runDemo({
    framework: parsed.framework,
    tenant: parsed.tenant,
    write: io.stdout,
  });
  return run.exitCode;
}
