import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startMockServer, TUTORIAL, type MockServer } from '@ropkit/mock-server';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { rotatingTenant } from './tenant.js';
import { redisServerBinary, startRedisServer, type RedisServer } from './redis-server.js';

export { TUTORIAL };
export { rotatingTenant } from './tenant.js';
export { totp, USERS } from '@ropkit/test-support';

/** A node-redis client as an application makes one: short reconnect delays for the tests. */
export function redisClient(url: string) {
  const client = createClient({
    url,
    socket: { connectTimeout: 1_000, reconnectStrategy: () => 50 },
  });
  // A client without an 'error' listener crashes the process when Redis goes away.
  client.on('error', () => undefined);
  return client;
}

/**
 * Why the Redis tests cannot run here, or `undefined` when they can. The README asks a newcomer
 * for Node and pnpm only, so without `redis-server` these tests are skipped with this reason;
 * `ROPKIT_REQUIRE_REDIS=1` (set by `.ci/run`, which installs Redis) makes it a failure instead.
 */
export const redisMissing: string | undefined = (() => {
  const probe = spawnSync(redisServerBinary(), ['--version'], { encoding: 'utf8' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  const cause = probe.error?.message ?? `exit code ${String(probe.status)}`;
  return `${redisServerBinary()} cannot be run (${cause})`;
})();
const requireRedis = process.env['ROPKIT_REQUIRE_REDIS'] === '1';
const skipReason =
  redisMissing === undefined || requireRedis
    ? undefined
    : `Redis tests skipped: ${redisMissing}. Install Redis (apt-get install redis-server, or set REDIS_SERVER to its path) to run them; ROPKIT_REQUIRE_REDIS=1 makes this a failure.`;
let skipAnnounced = false;

/**
 * One redis-server for the test file, and the clients the tests made, closed at the end. Without
 * a `redis-server` binary every test of the file is skipped with the reason (see
 * {@link redisMissing}).
 */
export function useRedis() {
  const handle = {
    server: undefined as unknown as RedisServer,
    clients: [] as Array<ReturnType<typeof redisClient>>,
    /** A connected client, destroyed after the file's tests. */
    async client() {
      const client = redisClient(handle.server.url);
      handle.clients.push(client);
      await client.connect();
      return client;
    },
  };
  if (skipReason !== undefined) {
    if (!skipAnnounced) console.warn(skipReason);
    skipAnnounced = true;
    beforeEach((context) => context.skip(skipReason));
    return handle;
  }
  beforeAll(async () => {
    if (redisMissing !== undefined) {
      throw new Error(`ROPKIT_REQUIRE_REDIS=1 but ${redisMissing}`);
    }
    handle.server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of handle.clients) client.destroy();
    // Undefined when the start failed: nothing to stop.
    await (handle.server as RedisServer | undefined)?.stop();
  });
  return handle;
}

/** Starts the mock authorization server for the test file. */
export function useMockServer(config = rotatingTenant()) {
  const handle = { server: undefined as unknown as MockServer };
  beforeAll(async () => {
    handle.server = await startMockServer(config);
  });
  afterAll(async () => {
    // Undefined when the start failed: nothing to close.
    await (handle.server as MockServer | undefined)?.close();
  });
  return handle;
}

/** A fresh random AES-256 key. */
export function newKey(): Buffer {
  return randomBytes(32);
}
