import { randomBytes } from 'node:crypto';
import { startMockServer, TUTORIAL, tutorialTenant, type MockServer } from '@ropkit/mock-server';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from './redis-server.js';

export { TUTORIAL };

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

/** One redis-server for the test file, and the clients the tests made, closed at the end. */
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
  beforeAll(async () => {
    handle.server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of handle.clients) client.destroy();
    await handle.server.stop();
  });
  return handle;
}

/**
 * The tutorial tenant with refresh token rotation and reuse detection on (no overlap period),
 * and access tokens that live `tokenLifetime` seconds.
 */
export function rotatingTenant(tokenLifetime = 86_400) {
  const base = tutorialTenant();
  return tutorialTenant({
    apis: (base.apis ?? []).map((api) => ({ ...api, tokenLifetime })),
    clients: (base.clients ?? []).map((client) => ({
      ...client,
      refreshToken: { rotation: 'rotating' as const, reuseInterval: 0 },
    })),
  });
}

/** Starts the mock authorization server for the test file. */
export function useMockServer(config = rotatingTenant()) {
  const handle = { server: undefined as unknown as MockServer };
  beforeAll(async () => {
    handle.server = await startMockServer(config);
  });
  afterAll(async () => {
    await handle.server.close();
  });
  return handle;
}

/** A fresh random AES-256 key. */
export function newKey(): Buffer {
  return randomBytes(32);
}
