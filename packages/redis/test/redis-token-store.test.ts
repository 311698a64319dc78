import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  TokenClient,
  TokenManager,
  type ManagedTokenSet,
  type PendingSignIn,
  type TokenManagerOptions,
} from '@ropkit/core';
import { createLoginRoutes, type LoginRoutes } from '@ropkit/core/adapter';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RedisTokenStore,
  RedisUnavailableError,
  TokenDecryptionError,
  type RedisTokenStoreOptions,
} from '../src/index.js';
import { enableMfaSms } from '@ropkit/test-support';
import { newKey, totp, TUTORIAL, USERS, useMockServer, useRedis } from './support/setup.js';

const MFA_USER = USERS.mfa;

const redis = useRedis();
const mock = useMockServer();

const stores: RedisTokenStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

let prefix = '';
let counter = 0;
beforeEach(() => {
  // Each test its own key space: one server serves the whole file.
  prefix = `test${++counter}:`;
});

async function newStore(options: Partial<RedisTokenStoreOptions> = {}) {
  const store = new RedisTokenStore({
    client: await redis.client(),
    encryptionKey: KEY,
    keyPrefix: prefix,
    ...options,
  });
  stores.push(store);
  return store;
}

const KEY = newKey();
const SESSION = 'session-id-7f3a9c1e';

function tokenSet(overrides: Partial<ManagedTokenSet> = {}): ManagedTokenSet {
  const now = Date.now();
  return {
    accessToken: 'access-token-canary-0123456789',
    tokenType: 'Bearer',
    expiresIn: 3600,
    expiresAt: now + 3_600_000,
    receivedAt: now,
    refreshAt: now + 2_880_000,
    refreshToken: 'refresh-token-canary-9876543210',
    idToken: 'id-token-canary',
    idTokenClaims: {
      iss: 'https://tenant.example.com/',
      sub: 'auth0|canary',
      aud: 'client-id',
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + 36_000,
      'https://example.com/roles': ['admin'],
      address: { country: 'NZ' },
    },
    scope: ['openid', 'read:sample'],
    ...overrides,
  };
}

/** Every key and value the store wrote, read with a plain client. */
async function dump(): Promise<Array<[string, string]>> {
  const client = await redis.client();
  const keys = await client.keys(`${prefix}*`);
  return Promise.all(
    keys.map(async (key) => [key, (await client.get(key)) ?? ''] as [string, string]),
  );
}

/**
 * A token manager over `store`. Without `openid` by default: the tests that move the clock a day
 * ahead would see the mock server's ID tokens (issued by the real clock) as expired, which the
 * manager rightly refuses; the identity test asks for `openid` with the real clock.
 */
function manager(
  store: RedisTokenStore,
  options: Partial<TokenManagerOptions> = {},
  scope = 'offline_access read:sample',
) {
  const client = new TokenClient({
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    // The issuer too: an ID token is validated against its key set before it is stored.
    issuer: mock.server.issuer,
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope,
  });
  return new TokenManager({ client, store, jitterShare: 0, ...options });
}

async function refreshCalls(): Promise<number> {
  return (await mock.server.control.requests()).filter(
    (entry) => entry.path === '/oauth/token' && entry.grantType === 'refresh_token',
  ).length;
}

function listen(name: string) {
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  subscribe(name, listener);
  return { seen, stop: () => unsubscribe(name, listener) };
}

describe('storage', () => {
  it('round-trips a token set, and forgets it on delete', async () => {
    const store = await newStore();
    const tokens = tokenSet();
    await store.set(SESSION, tokens);
    const read = await store.get(SESSION);
    expect(read).toEqual(tokens);
    // The verified identity comes back read-only, nested claims included.
    expect(Object.isFrozen(read?.idTokenClaims?.['address'])).toBe(true);
    expect(await store.get('another-session')).toBeUndefined();
    await store.delete(SESSION);
    expect(await store.get(SESSION)).toBeUndefined();
  });

  it('round-trips a DPoP-bound token set (token_type DPoP, RFC 9449 section 5)', async () => {
    const store = await newStore();
    const tokens = tokenSet({ tokenType: 'DPoP' });
    await store.set(SESSION, tokens);
    expect(await store.get(SESSION)).toEqual(tokens);
  });

  it('is shared by two instances on one Redis', async () => {
    const first = await newStore();
    const second = await newStore();
    await first.set(SESSION, tokenSet());
    expect((await second.get(SESSION))?.accessToken).toBe(tokenSet().accessToken);
  });
});

describe('encryption at rest', () => {
  it('a dump shows no token, no JSON and no session id', async () => {
    const store = await newStore();
    await store.set(SESSION, tokenSet());
    const entries = await dump();
    expect(entries).toHaveLength(1);
    const text = JSON.stringify(entries);
    for (const secret of ['canary', SESSION, 'Bearer', 'read:sample', 'accessToken']) {
      expect(text).not.toContain(secret);
    }
    const [, value] = entries[0] ?? ['', ''];
    expect(() => JSON.parse(value) as unknown).toThrow(SyntaxError);
    expect(Buffer.from(value, 'base64').toString('latin1')).not.toContain('canary');
  });

  it('two writes of one set differ (a fresh IV each time)', async () => {
    const store = await newStore();
    await store.set(SESSION, tokenSet());
    const [[, first] = ['', '']] = await dump();
    await store.set(SESSION, tokenSet());
    const [[, second] = ['', '']] = await dump();
    expect(first).not.toBe(second);
  });

  it('another key fails to decrypt with a clear error, naming no secret', async () => {
    await (await newStore()).set(SESSION, tokenSet());
    const other = await newStore({ encryptionKey: newKey() });
    const error = await other.get(SESSION).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect((error as Error).message).toMatch(/does not decrypt with key id 1/);
    expect((error as Error).message).not.toContain(SESSION);
  });

  it('an unknown key id is named; previousKeys decrypt after a rotation', async () => {
    const oldKey = newKey();
    await (await newStore({ encryptionKey: oldKey, keyId: 1 })).set(SESSION, tokenSet());
    const missing = await newStore({ encryptionKey: newKey(), keyId: 2 });
    await expect(missing.get(SESSION)).rejects.toThrow(/key id 1, which this store was not given/);
    const rotated = await newStore({
      encryptionKey: newKey().toString('base64'),
      keyId: 2,
      previousKeys: [{ keyId: 1, key: oldKey }],
    });
    expect((await rotated.get(SESSION))?.refreshToken).toBe(tokenSet().refreshToken);
  });

  it('a value copied under another session key does not decrypt (the key name is authenticated)', async () => {
    const store = await newStore();
    await store.set(SESSION, tokenSet());
    await store.set('victim', tokenSet({ accessToken: 'victim-token' }));
    const client = await redis.client();
    const keys = await client.keys(`${prefix}set:*`);
    const values = await Promise.all(keys.map((key) => client.get(key)));
    await client.set(keys[1] ?? '', values[0] ?? '');
    await client.set(keys[0] ?? '', values[1] ?? '');
    await expect(store.get(SESSION)).rejects.toBeInstanceOf(TokenDecryptionError);
  });

  it('an altered value does not decrypt', async () => {
    const store = await newStore();
    await store.set(SESSION, tokenSet());
    const client = await redis.client();
    const [key = ''] = await client.keys(`${prefix}set:*`);
    const bytes = Buffer.from((await client.get(key)) ?? '', 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await client.set(key, bytes.toString('base64'));
    await expect(store.get(SESSION)).rejects.toBeInstanceOf(TokenDecryptionError);
  });
});

/** A pending MFA step that expires in `expiresInMs`. */
function step(expiresInMs = 60_000) {
  return { mfaToken: 'mfa-token-canary-5555', expiresAt: Date.now() + expiresInMs };
}

/** The core sign-in engine over a new store on the test's Redis. */
async function engineOnRedis() {
  return createLoginRoutes({ manager: manager(await newStore()) });
}

describe('pending sign-ins (an MFA step waiting for its code)', () => {
  it('round-trips encrypted, apart from the token set, and is shared by two instances', async () => {
    const first = await newStore();
    const second = await newStore();
    const pending = step();
    await first.setPendingSignIn(SESSION, pending);
    expect(await second.getPendingSignIn(SESSION)).toEqual(pending);
    expect(await second.get(SESSION)).toBeUndefined();
    const text = JSON.stringify(await dump());
    for (const secret of ['canary', SESSION, 'mfaToken']) expect(text).not.toContain(secret);
    await second.deletePendingSignIn(SESSION);
    expect(await first.getPendingSignIn(SESSION)).toBeUndefined();
  });

  it('keeps the grown record (challenge, oob_code, push interval, enrolment) encrypted, field for field', async () => {
    const first = await newStore();
    const second = await newStore();
    const grown: PendingSignIn = {
      ...step(),
      mode: 'enroll',
      factors: ['otp', 'push', 'sms'],
      oob: { oobCode: 'oob-code-canary-6666', factor: 'push', intervalSeconds: 10, nextPollAt: 1 },
      enrolment: { factor: 'push', recoveryCode: 'RECOVERYCANARY7777777777' },
    };
    await first.setPendingSignIn(SESSION, { ...grown, stray: 'not kept' } as PendingSignIn);
    const read = await second.getPendingSignIn(SESSION);
    expect(read).toEqual(grown);
    expect(Object.isFrozen(read?.oob)).toBe(true);
    const text = JSON.stringify(await dump());
    for (const secret of ['canary', 'CANARY', 'oobCode', 'push', 'recoveryCode', 'not kept']) {
      expect(text).not.toContain(secret);
    }
    // A record as the engine wrote it before the MFA steps grew still reads.
    await first.setPendingSignIn(SESSION, step());
    expect(await second.getPendingSignIn(SESSION)).toEqual({
      mfaToken: 'mfa-token-canary-5555',
      expiresAt: expect.any(Number),
    });
  });

  it('refuses a grown record with a field it does not know how to read', async () => {
    const store = await newStore();
    const malformed = {
      ...step(),
      oob: { oobCode: 'x', factor: 'fax' },
    } as unknown as PendingSignIn;
    await store.setPendingSignIn(SESSION, malformed);
    await expect(store.getPendingSignIn(SESSION)).rejects.toBeInstanceOf(TokenDecryptionError);
  });

  it('expires in Redis with the step (PX), and is not served once expired', async () => {
    const store = await newStore();
    await store.setPendingSignIn(SESSION, step(5_000));
    const client = await redis.client();
    const [name = ''] = await client.keys(`${prefix}pending:*`);
    const ttl = await client.pTTL(name);
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await store.setPendingSignIn(SESSION, step(30));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.getPendingSignIn(SESSION)).toBeUndefined();
  });

  it('a step copied under another session key does not decrypt', async () => {
    const store = await newStore();
    await store.setPendingSignIn(SESSION, step());
    const client = await redis.client();
    const [name = ''] = await client.keys(`${prefix}pending:*`);
    const value = (await client.get(name)) ?? '';
    await store.setPendingSignIn('another-session', step());
    const [other = ''] = (await client.keys(`${prefix}pending:*`)).filter((key) => key !== name);
    await client.set(other, value);
    await expect(store.getPendingSignIn('another-session')).rejects.toBeInstanceOf(
      TokenDecryptionError,
    );
  });

  it('an MFA sign-in started on one instance finishes on another (core sign-in engine)', async () => {
    const [first, second] = [await engineOnRedis(), await engineOnRedis()];
    const data: Record<string, string> = {};
    const session = {
      readKey: () => data['ropkitKey'],
      adoptKey: async (key: string) => void (data['ropkitKey'] = key),
      clear: async () => void delete data['ropkitKey'],
    };
    const started = await first.login({
      body: { username: MFA_USER.email, password: MFA_USER.password },
      ip: undefined,
      session,
    });
    expect(started.result.status).toBe('mfa_required');
    const otp = totp(MFA_USER.totpSecret, await mock.server.control.now());
    const done = await second.verifyOtp({ body: { otp }, ip: undefined, session });
    expect(done.result).toEqual({ status: 'signed_in' });
    expect(await first.accessToken(session, undefined)).toEqual(expect.any(String));
  });
});

describe('a push polled by instances on one Redis (the store lock and the claimed interval)', () => {
  it('asks Auth0 once per interval, whichever instances the browser polls', async () => {
    await enableMfaSms(mock.server);
    await mock.server.control.enrolAuthenticator(TUTORIAL.connection, MFA_USER.email, {
      type: 'push',
    });
    await mock.server.control.freezeClock();
    let now = Date.now();
    const engines = [await newStore(), await newStore(), await newStore()].map((store) =>
      createLoginRoutes({ manager: manager(store), clock: () => now }),
    );
    const [first, second] = engines as [LoginRoutes, LoginRoutes];
    const data: Record<string, string> = {};
    const session = {
      readKey: () => data['ropkitKey'],
      adoptKey: async (key: string) => void (data['ropkitKey'] = key),
      clear: async () => void delete data['ropkitKey'],
    };
    const body = { username: MFA_USER.email, password: MFA_USER.password };
    expect((await first.login({ body, ip: undefined, session })).result).toEqual({
      status: 'mfa_required',
      factors: ['otp', 'push', 'sms', 'voice'],
    });
    const sent = await first.challenge({ body: { factor: 'push' }, ip: undefined, session });
    expect(sent.result.status).toBe('push_pending');
    const polls = () =>
      Promise.all(engines.map((routes) => routes.pollPush({ body: {}, ip: undefined, session })));
    expect((await polls()).map(({ result }) => result.status)).toEqual(
      Array(3).fill('push_pending'),
    );
    now += 5_000;
    await mock.server.control.advanceClock(5);
    await polls();
    await polls();
    const pushPolls = (await mock.server.control.requests()).filter((entry) =>
      entry.grantType?.endsWith('mfa-oob'),
    );
    expect(pushPolls).toHaveLength(1);
    await mock.server.control.approvePush(TUTORIAL.connection, MFA_USER.email);
    now += 5_000;
    await mock.server.control.advanceClock(5);
    expect((await second.pollPush({ body: {}, ip: undefined, session })).result.status).toBe(
      'signed_in',
    );
  });
});

describe('TTL', () => {
  it('follows the refresh token life when there is one', async () => {
    const store = await newStore({ refreshTokenTtlMs: 600_000 });
    await store.set(SESSION, tokenSet());
    const client = await redis.client();
    const [key = ''] = await client.keys(`${prefix}set:*`);
    const ttl = await client.pTTL(key);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it("follows the access token's life without a refresh token, within the cap", async () => {
    const store = await newStore({ refreshTokenTtlMs: 600_000 });
    await store.set(SESSION, tokenSet({ refreshToken: undefined, expiresAt: Date.now() + 5_000 }));
    await store.set('long', tokenSet({ refreshToken: undefined, expiresAt: Date.now() + 9e9 }));
    const client = await redis.client();
    const ttls = await Promise.all(
      (await client.keys(`${prefix}set:*`)).map((key) => client.pTTL(key)),
    );
    ttls.sort((a, b) => a - b);
    expect(ttls[0]).toBeGreaterThan(4_000);
    expect(ttls[0]).toBeLessThanOrEqual(5_000);
    expect(ttls[1]).toBeLessThanOrEqual(600_000);
  });
});

describe('refresh lock', () => {
  it('is exclusive until released, and the release wakes a waiter', async () => {
    const first = await newStore();
    const second = await newStore();
    const lock = await first.lock(SESSION);
    expect(lock).toBeDefined();
    expect(await second.lock(SESSION)).toBeUndefined();
    const waiting = second.waitForUnlock(SESSION);
    const started = Date.now();
    setTimeout(() => void lock?.release(), 200);
    expect(await waiting).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    const next = await second.lock(SESSION);
    expect(next).toBeDefined();
    await next?.release();
  });

  it('a holder whose lock expired and was taken over does not release the new holder', async () => {
    const first = await newStore({ lockTtlMs: 60_000 });
    const second = await newStore();
    const lock = await first.lock(SESSION);
    const client = await redis.client();
    const [name = ''] = await client.keys(`${prefix}lock:*`);
    await client.del(name); // as if it had expired
    const taken = await second.lock(SESSION);
    expect(taken).toBeDefined();
    await lock?.release();
    expect(await client.exists(name)).toBe(1);
    expect(await first.lock(SESSION)).toBeUndefined();
    await taken?.release();
    expect(await client.exists(name)).toBe(0);
  });

  it('a live holder keeps its lock past the TTL (it extends it)', async () => {
    const first = await newStore({ lockTtlMs: 300 });
    const second = await newStore({ lockTtlMs: 300 });
    const lock = await first.lock(SESSION);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await second.lock(SESSION)).toBeUndefined();
    await lock?.release();
    expect(await second.lock(SESSION)).toBeDefined();
  });

  it("a crashed holder's lock expires and the others proceed", async () => {
    const store = await newStore({ lockTtlMs: 300, pollIntervalMs: 50 });
    const client = await redis.client();
    const [name = ''] = await (async () => {
      const lock = await store.lock(SESSION);
      const names = await client.keys(`${prefix}lock:*`);
      await lock?.release();
      return names;
    })();
    // What a crashed process leaves: a lock with a token nobody knows, no extensions, no release.
    await client.set(name, 'crashed-holder', { expiration: { type: 'PX', value: 300 } });
    expect(await store.lock(SESSION)).toBeUndefined();
    const started = Date.now();
    expect(await store.waitForUnlock(SESSION)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await store.lock(SESSION)).toBeDefined();
  });

  it('a wait ends at waitTimeoutMs with false while the lock is held', async () => {
    const first = await newStore();
    const second = await newStore({ waitTimeoutMs: 300 });
    const lock = await first.lock(SESSION);
    const started = Date.now();
    expect(await second.waitForUnlock(SESSION)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_000);
    await lock?.release();
  });
});

describe('with TokenManager: the verified identity', () => {
  it('is stored with the tokens and read back by another instance, claims intact', async () => {
    // Earlier tests moved the mock's clock ahead: its ID tokens would be issued in the future.
    await mock.server.control.reset();
    const ma = manager(await newStore(), {}, 'openid profile email offline_access read:sample');
    const mb = manager(await newStore(), {}, 'openid profile email offline_access read:sample');
    await ma.signIn(SESSION, { username: TUTORIAL.username, password: TUTORIAL.password });
    const identity = await mb.identity(SESSION);
    expect(identity?.sub).toEqual(expect.any(String));
    expect(identity?.iss).toBe(mock.server.issuer);
    expect(identity).toEqual(await ma.identity(SESSION));
  });
});

describe('with TokenManager: one refresh across instances', () => {
  it('two instances, 200 concurrent callers each on an expired token: one refresh, one token', async () => {
    await mock.server.control.clearRequests();
    const clock = { offset: 0 };
    const now = () => Date.now() + clock.offset;
    const ma = manager(await newStore(), { clock: now });
    const mb = manager(await newStore(), { clock: now });
    const signedIn = await ma.signIn(SESSION, {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    clock.offset = 86_400_000 + 1; // expired: every caller must wait for the new token
    const tokens = await Promise.all(
      Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? ma : mb).getAccessToken(SESSION)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(signedIn.accessToken);
    expect(await refreshCalls()).toBe(1);
  });

  it('a due but valid token is served at once by the instance that lost the race', async () => {
    await mock.server.control.clearRequests();
    const clock = { offset: 0 };
    const now = () => Date.now() + clock.offset;
    const ma = manager(await newStore(), { clock: now });
    const mb = manager(await newStore(), { clock: now });
    const signedIn = await ma.signIn(SESSION, {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    clock.offset = 0.9 * 86_400_000;
    const [fromA, fromB] = await Promise.all([
      ma.getAccessToken(SESSION),
      mb.getAccessToken(SESSION),
    ]);
    // The loser did not wait for the winner's refresh: it served the still-valid token.
    expect([fromA, fromB]).toContain(signedIn.accessToken);
    await expect.poll(refreshCalls).toBe(1);
    await expect.poll(() => mb.getAccessToken(SESSION)).not.toBe(signedIn.accessToken);
    expect(await ma.getAccessToken(SESSION)).toBe(await mb.getAccessToken(SESSION));
    expect(await refreshCalls()).toBe(1);
  });
});

describe('Redis unavailable', () => {
  afterEach(async () => {
    redis.server.resume();
    await redis.server.start().catch(() => undefined);
  });

  it('fail-closed: a typed error within the command timeout, and an event', async () => {
    const store = await newStore({ commandTimeoutMs: 300 });
    await store.set(SESSION, tokenSet());
    const events = listen('ropkit:redis:unavailable');
    try {
      await redis.server.stop();
      const started = Date.now();
      const error = await store.get(SESSION).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as RedisUnavailableError).operation).toBe('get');
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(store.set(SESSION, tokenSet())).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(store.lock(SESSION)).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(store.waitForUnlock(SESSION)).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(events.seen).toEqual([{ operation: 'get', policy: 'fail-closed' }]);
      expect(JSON.stringify(events.seen)).not.toContain(SESSION);
    } finally {
      events.stop();
    }
  });

  it('no request hangs on a frozen Redis: each command gives up at commandTimeoutMs', async () => {
    const store = await newStore({ commandTimeoutMs: 300 });
    const m = manager(store);
    await m.signIn(SESSION, { username: TUTORIAL.username, password: TUTORIAL.password });
    redis.server.pause();
    const started = Date.now();
    await expect(m.getAccessToken(SESSION)).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('memory-fallback: keeps serving and refreshing in memory, then writes back on recovery', async () => {
    const logged: string[] = [];
    const logger = {
      warn: (message: string) => logged.push(message),
      info: (message: string) => logged.push(message),
    };
    const clock = { offset: 0 };
    const now = () => Date.now() + clock.offset;
    const store = await newStore({
      onUnavailable: 'memory-fallback',
      commandTimeoutMs: 300,
      logger,
    });
    const m = manager(store, { clock: now });
    const signedIn = await m.signIn(SESSION, {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const down = listen('ropkit:redis:unavailable');
    const up = listen('ropkit:redis:recovered');
    try {
      await redis.server.stop();
      expect(await m.getAccessToken(SESSION)).toBe(signedIn.accessToken);
      clock.offset = 86_400_000 + 1;
      const refreshed = await m.getAccessToken(SESSION);
      expect(refreshed).not.toBe(signedIn.accessToken);
      expect(down.seen).toEqual([{ operation: 'get', policy: 'memory-fallback' }]);
      await redis.server.start();
      // Recovery shows at the first command that reaches Redis again.
      await expect
        .poll(async () => (await m.getAccessToken(SESSION)) && up.seen.length, { timeout: 5_000 })
        .toBe(1);
      expect(await m.getAccessToken(SESSION)).toBe(refreshed);
      // The set refreshed during the outage reached Redis: another instance sees it.
      const other = await newStore();
      expect((await other.get(SESSION))?.accessToken).toBe(refreshed);
      expect(logged).toEqual(['ropkit redis unavailable', 'ropkit redis recovered']);
    } finally {
      down.stop();
      up.stop();
    }
  });
});

describe('options are validated when the store is created', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['no client', { client: undefined }, '"client" must be a node-redis client'],
    ['no key', { encryptionKey: undefined }, '"encryptionKey" must be 32 bytes'],
    ['a short key', { encryptionKey: Buffer.alloc(16) }, '"encryptionKey" must be 32 bytes'],
    ['a hex key', { encryptionKey: 'ab'.repeat(32) }, '"encryptionKey" must be 32 bytes'],
    ['a key id of 256', { keyId: 256 }, '"keyId" must be a whole number from 0 to 255'],
    [
      'a previous key with the same id',
      { previousKeys: [{ keyId: 1, key: Buffer.alloc(32) }] },
      '"previousKeys[0].keyId" is already in use',
    ],
    ['a bad prefix', { keyPrefix: 5 }, '"keyPrefix" must be a string'],
    ['a zero lock TTL', { lockTtlMs: 0 }, '"lockTtlMs" must be a positive whole number'],
    ['a string wait', { waitTimeoutMs: '5' }, '"waitTimeoutMs" must be a positive whole number'],
    ['a negative poll', { pollIntervalMs: -1 }, '"pollIntervalMs" must be a positive whole number'],
    ['a fractional timeout', { commandTimeoutMs: 1.5 }, '"commandTimeoutMs" must be'],
    ['an unknown policy', { onUnavailable: 'retry' }, '"onUnavailable" must be'],
    ['a misspelt option', { lockTTL: 5 }, 'Unknown RedisTokenStore option "lockTTL"'],
  ])('%s', async (_, overrides, message) => {
    const options = { client: await redis.client(), encryptionKey: KEY, ...overrides };
    expect(() => new RedisTokenStore(options as unknown as RedisTokenStoreOptions)).toThrow(
      message,
    );
  });

  it('never puts the key in the message', async () => {
    const secret = Buffer.alloc(31, 7).toString('base64');
    const client = await redis.client();
    const error = (() => {
      try {
        return new RedisTokenStore({ client, encryptionKey: secret });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).not.toContain(secret);
  });
});
