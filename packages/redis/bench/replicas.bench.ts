// Token-endpoint calls and failed requests for 1, 3 and 6 replicas (separate Node processes),
// each store in one run: every replica with its own memory store, a shared Redis store without
// the refresh lock, and the Redis store with it. Against the mock authorization server with
// refresh token rotation and reuse detection on. Each run is one simulated hour (12 s real) of
// 3 sessions with 5-minute access tokens, 4 request loops per replica.
//
//   pnpm --filter @ropkit/redis run bench
import { randomBytes } from 'node:crypto';
import { MemoryTokenStore, TokenClient, TokenManager, type TokenSet } from '@ropkit/core';
import { startMockServer, TUTORIAL } from '@ropkit/mock-server';
import { createClient } from 'redis';
import { RedisTokenStore } from '../src/index.js';
import {
  scaledClock,
  startReplica,
  type ReplicaConfig,
  type ReplicaResult,
} from '../test/fixtures/replica-protocol.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { rotatingTenant } from '../test/support/tenant.js';

const SCALE = 300;
const TOKEN_LIFETIME_S = 300;
const REAL_MS = 3_600_000 / SCALE;
const STORES = ['memory', 'redis-unlocked', 'redis'] as const;
const REPLICAS = [1, 3, 6];

const redisServer = await startRedisServer();
const mock = await startMockServer(rotatingTenant(TOKEN_LIFETIME_S));
const client = createClient({ url: redisServer.url });
client.on('error', () => undefined);
await client.connect();
const encryptionKey = randomBytes(32).toString('base64');

const rows: string[][] = [];
try {
  for (const store of STORES) {
    for (const replicas of REPLICAS) {
      rows.push(await run(store, replicas));
      console.error(`done: ${store}, ${replicas} replicas`);
    }
  }
} finally {
  client.destroy();
  await mock.close();
  await redisServer.stop();
}

const header = [
  'store',
  'replicas',
  'token-endpoint calls',
  'refreshes refused (reuse)',
  'requests',
  'failed requests',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

async function run(store: ReplicaConfig['store'], replicas: number): Promise<string[]> {
  await mock.control.reset();
  const keyPrefix = `bench:${store}:${replicas}:`;
  const realStart = Date.now();
  const clockConfig = { simStart: realStart, realStart, scale: SCALE };
  const clock = scaledClock(clockConfig);
  const shared = new RedisTokenStore({ client, encryptionKey, keyPrefix, clock });
  const login = new TokenManager({
    client: new TokenClient({
      tokenEndpoint: mock.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'offline_access read:sample',
      clock,
    }),
    store: new MemoryTokenStore(),
    clock,
  });
  const sessions: Array<{ key: string; ip: string; tokens?: TokenSet }> = [];
  for (let i = 0; i < 3; i++) {
    const key = `session-${i}`;
    const ip = `203.0.113.${i + 10}`;
    const tokens = await login.signIn(key, {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
      forwardedFor: ip,
    });
    // One sign-in per session; with memory stores each replica starts from that token set.
    if (store === 'memory') sessions.push({ key, ip, tokens });
    else {
      await shared.set(key, tokens);
      sessions.push({ key, ip });
    }
  }
  await shared.close();
  await mock.control.clearRequests();
  const config: ReplicaConfig = {
    store,
    redisUrl: redisServer.url,
    keyPrefix,
    encryptionKey,
    tokenEndpoint: mock.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    sessions,
    clock: clockConfig,
    concurrency: 4,
  };
  // The window opens once every replica is set up, whatever its start-up took.
  const started = await Promise.all(Array.from({ length: replicas }, () => startReplica(config)));
  const startAt = Date.now() + 100;
  for (const replica of started) replica.start({ startAt, stopAt: startAt + REAL_MS });
  const results: ReplicaResult[] = await Promise.all(started.map((replica) => replica.result));
  const log = (await mock.control.requests()).filter((entry) => entry.path === '/oauth/token');
  const requests = results.reduce((sum, r) => sum + r.calls, 0);
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  const refused = log.filter((entry) => entry.status !== 200).length;
  const percent = requests === 0 ? 0 : (100 * failures) / requests;
  return [
    store === 'redis-unlocked' ? 'redis, no lock' : store === 'redis' ? 'redis (lock)' : 'memory',
    String(replicas),
    String(log.length),
    String(refused),
    String(requests),
    `${failures} (${percent.toFixed(1)}%)`,
  ];
}
