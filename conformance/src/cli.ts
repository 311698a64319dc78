#!/usr/bin/env node
/**
 * ropkit-conformance run --adapter <name|module> [--adapter ...] [--runtime container|in-process|auto]
 *                        [--only id,id] [--json file] [--junit file] [--quiet]
 * ropkit-conformance serve --adapter <name|module> --issuer <url> --audience <aud>
 * ropkit-conformance --help | --version
 *
 * The command itself is `runCli` (cli-main.ts); this file gives it the process.
 */
import { isatty } from 'node:tty';
import { runCli } from './cli-main.js';

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: isatty(2) && process.env['TERM'] !== 'dumb',
  columns: () => process.stderr.columns,
  untilStopped: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
});
