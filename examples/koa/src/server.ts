/**
 * `npm start`: reads the environment, then serves the API on 127.0.0.1:PORT and prints one line
 * with its URL when it is ready. A missing or bad variable is named on stderr, exit code 1.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, readConfig, type ApiConfig } from './config.ts';

let config: ApiConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`koa example: ${error.message}\n`);
  process.exit(1);
}

const server = createApp(config).listen(config.port, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `koa example listening on http://127.0.0.1:${port} (issuer ${config.issuer}, audience ${config.audience})\n`,
  );
});
server.on('error', (error) => {
  process.stderr.write(`koa example: cannot listen on port ${config.port}: ${error.message}\n`);
  process.exit(1);
});
