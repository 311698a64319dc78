#!/usr/bin/env node
import { runCli } from './run-cli.js';

/** The `ropkit-mock-server` binary: {@link runCli} wired to the process. */
const outcome = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});

if ('exitCode' in outcome) {
  process.exitCode = outcome.exitCode;
} else {
  const { server } = outcome;
  // As PID 1 in a container, Node gets no default signal handling: stop explicitly.
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
