/**
 * `pnpm demo`: Auth0's "Call Your API Using Resource Owner Password Flow", step by step, against
 * the in-process mock server or your tenant (`--help` for the options). Exits 0 only if every
 * step did what the tutorial says; 1 if one did not; 2 for a usage error.
 */
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
