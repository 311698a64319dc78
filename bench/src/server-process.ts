/**
 * Runs one benchmark server configuration in this process: `node server-process.ts <name>`,
 * with the environment as JSON in BENCH_ENV. Prints `LISTENING <port>` when ready, answers an
 * IPC `usage` message with its resident set size in bytes (for the soak mode) and the CPU time it
 * has used in microseconds (to count the server's CPU per request), and stops on SIGTERM. The benchmark starts it as `taskset -c 1 node server-process.ts <name>`.
 */
import { ALL_SERVERS } from './servers.ts';

const name = process.argv[2] ?? '';
const start = ALL_SERVERS[name];
if (start === undefined) {
  process.stderr.write(`unknown configuration ${name}\n`);
  process.exit(2);
}
const started = await start(JSON.parse(process.env['BENCH_ENV'] ?? '{}'));
process.on('message', (message) => {
  if (message !== 'usage') return;
  const { user, system } = process.cpuUsage();
  process.send?.({ rss: process.memoryUsage.rss(), cpuMicros: user + system });
});
process.stdout.write(`LISTENING ${started.port}\n`);
process.once('SIGTERM', () => {
  void started.close().finally(() => process.exit(0));
});
