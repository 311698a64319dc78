import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BearerError,
  accessTokenHash,
  createAccessTokenVerifier,
  jwkThumbprint,
  type AccessTokenVerifier,
  type DpopReplayStore,
} from '@ropkit/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  RedisDpopReplayStore,
  RedisUnavailableError,
  type RedisDpopReplayStoreOptions,
} from '../src/index.js';
import { redisClient, useRedis } from './support/setup.js';

const redis = useRedis();

let prefix = '';
let counter = 0;
beforeEach(() => {
  // Each test its own key space: one server serves the whole file.
  prefix = `dpop-test${++counter}:`;
});

async function newStore(options: Partial<RedisDpopReplayStoreOptions> = {}) {
  return new RedisDpopReplayStore({ client: await redis.client(), keyPrefix: prefix, ...options });
}

/** A replay key as core builds it: the proof key's thumbprint and the proof's jti. */
function replayKey(): string {
  return `${createHash('sha256').update(randomUUID()).digest('base64url')}:${randomUUID()}`;
}

const inFiveMinutes = () => Date.now() + 300_000;

function listen(name: string) {
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  subscribe(name, listener);
  return { seen, stop: () => unsubscribe(name, listener) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('claims', () => {
  it('answers true on first use, false while the key is recorded', async () => {
    const store = await newStore();
    const key = replayKey();
    expect(await store.claim(key, inFiveMinutes())).toBe(true);
    expect(await store.claim(key, inFiveMinutes())).toBe(false);
    expect(await store.claim(key, inFiveMinutes())).toBe(false);
  });

  it('is shared by two instances on one Redis (replicas), each with its own client', async () => {
    const a = await newStore();
    const b = await newStore();
    const first = replayKey();
    const second = replayKey();
    expect(await a.claim(first, inFiveMinutes())).toBe(true);
    expect(await b.claim(first, inFiveMinutes())).toBe(false);
    expect(await b.claim(second, inFiveMinutes())).toBe(true);
    expect(await a.claim(second, inFiveMinutes())).toBe(false);
  });

  it('keeps distinct keys apart, even ones that differ in one character', async () => {
    const store = await newStore();
    const key = replayKey();
    expect(await store.claim(key, inFiveMinutes())).toBe(true);
    expect(await store.claim(`${key}x`, inFiveMinutes())).toBe(true);
    expect(await store.claim(key.slice(0, -1), inFiveMinutes())).toBe(true);
    expect(await store.claim(key.toUpperCase(), inFiveMinutes())).toBe(true);
    expect(await store.claim(key, inFiveMinutes())).toBe(false);
  });

  it('keeps a key until expiresAtMs (PXAT), then accepts it again', async () => {
    const store = await newStore();
    const raw = await redis.client();
    const key = replayKey();
    const expiresAtMs = Date.now() + 500;
    expect(await store.claim(key, expiresAtMs)).toBe(true);
    const [name = ''] = await raw.keys(`${prefix}*`);
    // Redis holds the expiry given: what is left of it, to the millisecond.
    const before = Date.now();
    const left = await raw.pTTL(name);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(expiresAtMs - before);
    expect(left).toBeGreaterThanOrEqual(expiresAtMs - Date.now() - 5);
    expect(await store.claim(key, expiresAtMs)).toBe(false);
    await sleep(Math.max(0, expiresAtMs - Date.now() - 150));
    expect(await store.claim(key, expiresAtMs)).toBe(false); // 150 ms before: still recorded
    await sleep(Math.max(0, expiresAtMs - Date.now()) + 20);
    expect(await raw.exists(name)).toBe(0);
    expect(await store.claim(key, Date.now() + 500)).toBe(true);
  });

  it('an expiry already past: a first use that keeps nothing; still false while recorded', async () => {
    const store = await newStore();
    const fresh = replayKey();
    expect(await store.claim(fresh, Date.now() - 1_000)).toBe(true);
    expect(await store.claim(fresh, inFiveMinutes())).toBe(true);
    expect(await store.claim(fresh, Date.now() - 1_000)).toBe(false);
  });

  it('rounds a fractional expiry up (PXAT takes whole milliseconds)', async () => {
    let sent: unknown;
    const client = {
      isReady: true,
      set: (...args: unknown[]) => {
        sent = args[2];
        return Promise.resolve('OK');
      },
    };
    const store = new RedisDpopReplayStore({ client });
    expect(await store.claim(replayKey(), 1_700_000_000_000.25)).toBe(true);
    expect(sent).toEqual({
      condition: 'NX',
      expiration: { type: 'PXAT', value: 1_700_000_000_001 },
    });
  });

  it('of 50 concurrent claims of one key, over five instances, exactly one is true', async () => {
    const stores = await Promise.all(Array.from({ length: 5 }, () => newStore()));
    const key = replayKey();
    // Ten from each instance, all sent before any answer comes back.
    const claims = stores.flatMap((store) =>
      Array.from({ length: 10 }, () => store.claim(key, inFiveMinutes())),
    );
    const answers = await Promise.all(claims);
    expect(answers).toHaveLength(50);
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a key or an expiry that cannot be one, naming neither value', async () => {
    const store = await newStore();
    await expect(store.claim('', inFiveMinutes())).rejects.toThrow(
      new TypeError('"key" must be a non-empty string'),
    );
    for (const expiry of [Number.NaN, Number.POSITIVE_INFINITY, 0, -5, '1' as unknown as number]) {
      await expect(store.claim(replayKey(), expiry)).rejects.toThrow(
        /^"expiresAtMs" must be a positive number/,
      );
    }
  });
});

describe('Redis key names', () => {
  it('hold a SHA-256 of the key under keyPrefix, and no part of the key', async () => {
    const store = await newStore();
    const thumbprint = 'thumbprint-canary-NzbLsXh8uDCcd7MNwrnH';
    const jti = 'jti-canary-e1j3V_bKic8-LAEB';
    const key = `${thumbprint}:${jti}`;
    await store.claim(key, inFiveMinutes());
    const raw = await redis.client();
    const names = await raw.keys(`${prefix}*`);
    const hash = createHash('sha256').update(key, 'utf8').digest('base64url');
    expect(names).toEqual([`${prefix}${hash}`]);
    expect(await raw.get(`${prefix}${hash}`)).toBe('1');
    const name = names[0] ?? '';
    for (const part of [thumbprint, jti, 'canary', 'NzbLsXh8', 'e1j3V_bK']) {
      expect(name).not.toContain(part);
    }
  });

  it("are bounded: a 300-character key's name is the prefix and 43 characters", async () => {
    const store = await newStore();
    await store.claim('k'.repeat(300), inFiveMinutes());
    const names = await (await redis.client()).keys(`${prefix}*`);
    expect(names.map((name) => name.length)).toEqual([prefix.length + 43]);
  });

  it("default to the prefix 'ropkit:dpop-jti:'", async () => {
    const store = new RedisDpopReplayStore({ client: await redis.client() });
    const key = replayKey();
    await store.claim(key, inFiveMinutes());
    const hash = createHash('sha256').update(key, 'utf8').digest('base64url');
    expect(await (await redis.client()).exists(`ropkit:dpop-jti:${hash}`)).toBe(1);
  });

  it('two prefixes are two stores: a key claimed under one is new under the other', async () => {
    const a = await newStore({ keyPrefix: `${prefix}a:` });
    const b = await newStore({ keyPrefix: `${prefix}b:` });
    const key = replayKey();
    expect(await a.claim(key, inFiveMinutes())).toBe(true);
    expect(await b.claim(key, inFiveMinutes())).toBe(true);
  });
});

describe('Redis unavailable: fails closed', () => {
  afterEach(async () => {
    redis.server.resume();
    await redis.server.start().catch(() => undefined);
  });

  it('a client that is not connected: rejects at once, and sends nothing', async () => {
    const client = redisClient(redis.server.url); // never connected
    const store = new RedisDpopReplayStore({ client, keyPrefix: prefix });
    const started = Date.now();
    const error = await store
      .claim(replayKey(), inFiveMinutes())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error).toMatchObject({
      code: 'redis_unavailable',
      operation: 'claim',
      message: 'Redis is unavailable (claim): the client is not connected',
    });
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('Redis stopped: a typed error within commandTimeoutMs, one event, no key anywhere', async () => {
    const logged: Array<[string, object]> = [];
    const logger = {
      warn: (message: string, fields: object) => logged.push([message, fields]),
      info: (message: string, fields: object) => logged.push([message, fields]),
    };
    const store = await newStore({ commandTimeoutMs: 300, logger });
    const key = replayKey();
    const down = listen('ropkit:redis:unavailable');
    const up = listen('ropkit:redis:recovered');
    try {
      await redis.server.stop();
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = Date.now();
        const error = await store.claim(key, inFiveMinutes()).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(RedisUnavailableError);
        expect((error as RedisUnavailableError).operation).toBe('claim');
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(String(error)).not.toContain(key.slice(0, 8));
      }
      expect(down.seen).toEqual([{ operation: 'claim', policy: 'fail-closed' }]);
      await redis.server.start();
      // Back at the first claim that reaches Redis (the client reconnects within ~50 ms). A fresh
      // key each time: a claim given up at the timeout may still reach Redis and record its key.
      await expect
        .poll(() => store.claim(replayKey(), inFiveMinutes()).catch(() => 'down'), {
          timeout: 5_000,
        })
        .toBe(true);
      expect(up.seen).toEqual([
        { unavailableForMs: expect.any(Number) as number, policy: 'fail-closed' },
      ]);
      expect(logged.map(([message]) => message)).toEqual([
        'ropkit redis unavailable',
        'ropkit redis recovered',
      ]);
      expect(JSON.stringify([down.seen, up.seen, logged])).not.toContain(key.slice(0, 8));
    } finally {
      down.stop();
      up.stop();
    }
  });

  it('Redis frozen (connected, answering nothing): rejects at commandTimeoutMs', async () => {
    const store = await newStore({ commandTimeoutMs: 300 });
    redis.server.pause();
    const started = Date.now();
    const error = await store
      .claim(replayKey(), inFiveMinutes())
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(String(error)).toBe(
      'RedisUnavailableError: Redis is unavailable (claim): no answer within 300 ms',
    );
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('a failed command is a RedisUnavailableError too, with the cause', async () => {
    const cause = new Error('OOM command not allowed when used memory > maxmemory');
    const client = { isReady: true, set: () => Promise.reject(cause) };
    const store = new RedisDpopReplayStore({ client });
    const error = await store
      .claim(replayKey(), inFiveMinutes())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error).toMatchObject({ operation: 'claim', cause });
    expect(String(error)).toBe(
      'RedisUnavailableError: Redis is unavailable (claim): the command failed',
    );
  });

  it('Redis before 6.2 (no PXAT) is named in the error', async () => {
    const cause = new Error('ERR syntax error');
    const store = new RedisDpopReplayStore({
      client: { isReady: true, set: () => Promise.reject(cause) },
    });
    await expect(store.claim(replayKey(), inFiveMinutes())).rejects.toThrow(
      'Redis is unavailable (claim): the command failed (SET with PXAT needs Redis 6.2 or later)',
    );
  });
});

describe('options are validated when the store is created', () => {
  it.each<[string, unknown, string]>([
    ['no options', undefined, 'RedisDpopReplayStore options must be an object'],
    ['no client', { client: undefined }, '"client" must be a node-redis client'],
    [
      'a client without set()',
      { client: { isReady: true } },
      '"client" must be a node-redis client',
    ],
    [
      'a URL for a client',
      { client: 'redis://localhost:6379' },
      '"client" must be a node-redis client',
    ],
    ['a bad prefix', { keyPrefix: 5 }, '"keyPrefix" must be a string'],
    [
      'a zero timeout',
      { commandTimeoutMs: 0 },
      '"commandTimeoutMs" must be a positive whole number',
    ],
    ['a fractional timeout', { commandTimeoutMs: 1.5 }, '"commandTimeoutMs" must be'],
    ['a string timeout', { commandTimeoutMs: '1000' }, '"commandTimeoutMs" must be'],
    ['a logger that is a function', { logger: () => undefined }, '"logger" must be an object'],
    ['a misspelt option', { prefix: 'x:' }, 'Unknown RedisDpopReplayStore option "prefix"'],
    [
      'a token store option',
      { encryptionKey: 'k' },
      'Unknown RedisDpopReplayStore option "encryptionKey"',
    ],
  ])('%s', async (_, overrides, message) => {
    const client = await redis.client();
    const options =
      overrides === undefined ? undefined : { client, ...(overrides as Record<string, unknown>) };
    const create = () =>
      new RedisDpopReplayStore(options as unknown as RedisDpopReplayStoreOptions);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
  });

  it('is a DpopReplayStore as core types it', async () => {
    const store: DpopReplayStore = await newStore();
    expect(await store.claim(replayKey(), inFiveMinutes())).toBe(true);
  });
});

/** A compact JWS: RS256, or ES256 with `ec`. */
function jws(header: object, payload: object, key: KeyObject, ec: boolean): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign(
    'sha256',
    Buffer.from(input),
    ec ? { key, dsaEncoding: 'ieee-p1363' } : key,
  );
  return `${input}.${signature.toString('base64url')}`;
}
/** Base64url of JSON. */
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A DPoP request to `GET https://api.example.com/orders`. */
function request(token: string, dpop: string) {
  return {
    headers: { authorization: `DPoP ${token}`, dpop, host: 'api.example.com' },
    method: 'GET',
    originalUrl: '/orders',
    secure: true,
  };
}

/** What the API would answer: 200 with the subject, or the BearerError's status and code. */
async function outcome(verifier: AccessTokenVerifier, token: string, dpop: string) {
  try {
    const verified = await verifier.authenticate(request(token, dpop));
    return { status: 200, sub: verified.payload.sub };
  } catch (error) {
    if (!(error instanceof BearerError)) throw error;
    return { status: error.status, error: error.body.error };
  }
}

/**
 * Core's verifier with this store, as two replicas of an API would run it: a JWKS on 127.0.0.1,
 * a DPoP-bound access token, and proofs signed with node:crypto.
 */
describe("with core's access-token verifier (dpop.replayStore)", () => {
  const ORIGIN = 'https://api.example.com';
  const AUDIENCE = 'https://api.example.com';
  const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const proofKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const proofJwk = proofKeys.publicKey.export({ format: 'jwk' });
  let jwks: Server;
  let issuer = '';

  beforeAll(async () => {
    const jwk = {
      ...issuerKeys.publicKey.export({ format: 'jwk' }),
      kid: 'k1',
      alg: 'RS256',
      use: 'sig',
    };
    jwks = createServer((_, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    jwks.closeAllConnections();
    jwks.close();
  });

  function boundToken(): string {
    const now = Math.floor(Date.now() / 1000);
    return jws(
      { alg: 'RS256', typ: 'JWT', kid: 'k1' },
      {
        iss: issuer,
        sub: 'auth0|user-1',
        aud: AUDIENCE,
        iat: now,
        exp: now + 3600,
        azp: 'client-1',
        scope: 'read:sample',
        cnf: { jkt: jwkThumbprint(proofJwk) },
      },
      issuerKeys.privateKey,
      false,
    );
  }

  function proof(token: string): string {
    return jws(
      { typ: 'dpop+jwt', alg: 'ES256', jwk: proofJwk },
      {
        jti: randomUUID(),
        htm: 'GET',
        htu: `${ORIGIN}/orders`,
        iat: Math.floor(Date.now() / 1000),
        ath: accessTokenHash(token),
      },
      proofKeys.privateKey,
      true,
    );
  }

  async function replica(options: Partial<RedisDpopReplayStoreOptions> = {}) {
    return createAccessTokenVerifier({
      issuer,
      audience: AUDIENCE,
      jwksUri: new URL('jwks.json', issuer),
      cache: false,
      dpop: { mode: 'allowed', publicOrigin: ORIGIN, replayStore: await newStore(options) },
    });
  }

  it('a proof accepted by one replica is refused by the other; a fresh proof passes', async () => {
    const [a, b] = [await replica(), await replica()];
    const token = boundToken();
    const replayed = proof(token);
    expect(await outcome(a, token, replayed)).toEqual({ status: 200, sub: 'auth0|user-1' });
    expect(await outcome(b, token, replayed)).toEqual({ status: 401, error: 'invalid_dpop_proof' });
    expect(await outcome(a, token, replayed)).toEqual({ status: 401, error: 'invalid_dpop_proof' });
    expect(await outcome(b, token, proof(token))).toEqual({ status: 200, sub: 'auth0|user-1' });
  });

  it('Redis down: the request is answered 503, not accepted', async () => {
    const verifier = await replica({ commandTimeoutMs: 300 });
    const token = boundToken();
    redis.server.pause();
    try {
      expect(await outcome(verifier, token, proof(token))).toMatchObject({ status: 503 });
    } finally {
      redis.server.resume();
    }
  });
});
