/**
 * Runs one benchmark server configuration in this process: `node server-process.ts <name>`,
 * with the environment as JSON in BENCH_ENV. Prints `LISTENING <port>` when ready and stops on
 * SIGTERM.
 */
import { ALL_SERVERS } from './servers.ts';

const name = process.argv[2] ?? '';
const start = ALL_SERVERS[name];
if (start === undefined) {
  process.stderr.write(`unknown configuration ${name}\n`);
  process.exit(2);
}
const started = await start(JSON.parse(process.env['BENCH_ENV'] ?? '{}'));
process.stdout.write(`LISTENING ${started.port}\n`);
process.once('SIGTERM', () => {
  void started.close().finally(() => process.exit(0));
});
