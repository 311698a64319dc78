#!/usr/bin/env node
/**
 * ropkit-conformance run --adapter <name|module> [--adapter ...] [options]
 * ropkit-conformance run --url <url> [options]
 * ropkit-conformance list [--json]
 * ropkit-conformance serve --adapter <name|module> --issuer <url> --audience <aud>
 * ropkit-conformance --help | --version
 *
 * The command itself is `runCli` (cli-main.ts); this file gives it the process.
 */
import { isatty } from 'node:tty';
import { runCli } from './cli-main.js';

const code = await runCli({
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

// An adapter whose app hung or never closed may leave a server open: the run is over, its
// results and reports are out, so the process ends once stdout and stderr are flushed.
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
