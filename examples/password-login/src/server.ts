/**
 * `npm start`: reads the environment, then serves the sign-in app on 127.0.0.1:PORT and prints
 * one line with its URL when it is ready (no secret in it). A missing or bad variable is named on
 * stderr, exit code 1.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, readConfig, type LoginAppConfig } from './config.ts';

let config: LoginAppConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`password-login example: ${error.message}\n`);
  process.exit(1);
}

const { app } = createApp(config);
const server = app.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const where =
    'issuer' in config.authorizationServer
      ? `issuer ${config.authorizationServer.issuer}`
      : `token endpoint ${config.authorizationServer.tokenEndpoint}`;
  process.stdout.write(
    `password-login example listening on http://127.0.0.1:${port} (${where}, client ${config.clientId}, API ${config.apiUrl})\n`,
  );
});
server.on('error', (error) => {
  process.stderr.write(
    `password-login example: cannot listen on port ${config.port}: ${error.message}\n`,
  );
  process.exit(1);
});
