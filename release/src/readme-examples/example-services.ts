import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BearerError, createAccessTokenVerifier } from '@ropkit/core';
import { startMockServer, TUTORIAL, tutorialTenant, type MockServer } from '@ropkit/mock-server';

/**
 * What a README example talks to instead of the user's Auth0 tenant and API: the mock
 * authorization server with the tutorial's tenant, an API that verifies its tokens, and a
 * `redis-server` when the machine has one.
 */
export interface ExampleServices {
  mock: MockServer;
  /** `http://127.0.0.1:PORT`: answers any path with `{ sub, scopes }` for a valid token. */
  apiUrl: string;
  /** `redis://127.0.0.1:PORT`, or why there is none. */
  redis: { url: string } | { missing: string };
  /** A fresh access token for the tutorial user with this scope. */
  accessToken(scope: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The placeholders the READMEs use, and what the checker puts in their place. A user replaces
 * them with their tenant's values (Auth0 dashboard, Applications and APIs).
 */
export function placeholders(services: ExampleServices): Array<[string, string]> {
  const mockUrl = services.mock.url;
  const redisUrl = 'url' in services.redis ? services.redis.url : 'redis://127.0.0.1:1';
  return [
    ['https://YOUR_DOMAIN', mockUrl],
    ['YOUR_DOMAIN', new URL(mockUrl).host],
    ['https://YOUR_API', services.apiUrl],
    ['YOUR_CLIENT_ID', TUTORIAL.clientId],
    ['YOUR_CLIENT_SECRET', TUTORIAL.clientSecret],
    ['YOUR_API_IDENTIFIER', TUTORIAL.audience],
    ['redis://localhost:6379', redisUrl],
  ];
}

export async function startExampleServices(): Promise<ExampleServices> {
  const mock = await startMockServer(tutorialTenant());
  const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: TUTORIAL.audience });
  const api = createServer((req, res) => {
    verifier.authenticate(req).then(
      (auth) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: auth.payload.sub, scopes: auth.scopes }));
      },
      (error: unknown) => {
        const status = error instanceof BearerError ? error.status : 500;
        const headers = error instanceof BearerError ? error.headers : {};
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(error instanceof BearerError ? error.body : { error: 'failed' }));
      },
    );
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  const redis = await startRedis();
  return {
    mock,
    apiUrl: `http://127.0.0.1:${portOf(api)}`,
    redis: redis.child === undefined ? { missing: redis.missing } : { url: redis.url },
    accessToken: (scope) => passwordGrantToken(mock, scope),
    async close() {
      await closeServer(api);
      await mock.close();
      if (redis.child !== undefined && redis.child.exitCode === null) {
        const exited = once(redis.child, 'exit');
        redis.child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function passwordGrantToken(mock: MockServer, scope: string): Promise<string> {
  const response = await fetch(mock.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: TUTORIAL.username,
      password: TUTORIAL.password,
      audience: TUTORIAL.audience,
      scope,
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
    }),
  });
  const body: unknown = await response.json();
  const token: unknown =
    typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
  if (!response.ok || typeof token !== 'string') {
    throw new Error(`the mock server refused the password grant: ${response.status}`);
  }
  return token;
}

type RedisProcess = { child: ChildProcess; url: string } | { child: undefined; missing: string };

/** `redis-server` (or `REDIS_SERVER`) on a free loopback port, when the machine has one. */
async function startRedis(): Promise<RedisProcess> {
  const binary = process.env['REDIS_SERVER'] ?? 'redis-server';
  const probe = spawnSync(binary, ['--version']);
  if (probe.error !== undefined || probe.status !== 0) {
    return { child: undefined, missing: `${binary} cannot be run` };
  }
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return { child, url: `redis://127.0.0.1:${port}` };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = portOf(server);
  await closeServer(server);
  return port;
}

function portOf(server: Server): number {
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
