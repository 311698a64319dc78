import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryTokenStore,
  ReauthenticationRequiredError,
  TokenManager,
  TokenRequestError,
  type RefreshLock,
  type TokenManagerOptions,
  type TokenStore,
} from '../../src/index.js';
import { HOSTILE_USER, hostileClient, useHostileServer } from './hostile-server.js';
import { TUTORIAL, tutorialClient, useMockServer } from './support.js';

const mock = useMockServer();
const hostile = useHostileServer();
const KEY = 'session-1';

/**
 * One store shared by several managers, as Redis is by several processes: a memory store with
 * the optional refresh lock, and a wait bounded by `waitMs`.
 */
class SharedLockingStore extends MemoryTokenStore implements TokenStore {
  readonly held = new Map<string, object>();
  readonly #waiters = new Set<() => void>();
  readonly waitMs: number;
  locks = 0;

  constructor(waitMs = 2_000) {
    super();
    this.waitMs = waitMs;
  }

  lock(key: string): Promise<RefreshLock | undefined> {
    if (this.held.has(key)) return Promise.resolve(undefined);
    const mine = {};
    this.held.set(key, mine);
    this.locks++;
    return Promise.resolve({
      release: () => {
        if (this.held.get(key) === mine) this.held.delete(key);
        for (const wake of this.#waiters) wake();
        return Promise.resolve();
      },
    });
  }

  waitForUnlock(key: string): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.held.has(key)) return resolve(true);
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(false);
      }, this.waitMs);
      const wake = () => {
        if (this.held.has(key)) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(true);
      };
      this.#waiters.add(wake);
    });
  }
}

const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close();
});

/** Two managers (two "instances") on one shared store and one clock. */
function instances(store: TokenStore, options: Partial<TokenManagerOptions> = {}) {
  let now = Date.now();
  // The mock's clock moves with the test's: tokens (ID tokens, which the client validates
  // against this clock, included) are issued at the time the test stands at.
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
      void mock.server.control.advanceClock(ms / 1000);
    },
  };
  const make = () => {
    const manager = new TokenManager({
      client: tutorialClient(mock.server, {
        clock: clock.now,
        clientId: 'rotating-client',
        clientSecret: 'rotating-secret',
      }),
      store,
      clock: clock.now,
      random: () => 0.5,
      jitterShare: 0,
      ...options,
    });
    managers.push(manager);
    return manager;
  };
  return { a: make(), b: make(), clock };
}

async function refreshCalls(): Promise<number> {
  return (await mock.server.control.requests()).filter(
    (entry) => entry.grantType === 'refresh_token',
  ).length;
}

const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

describe('a store with a refresh lock: one refresh across instances', () => {
  it('two instances, 500 callers each on an expired token: one token request', async () => {
    const store = new SharedLockingStore();
    const { a, b, clock } = instances(store);
    await a.signIn(KEY, credentials);
    clock.advance(90_000_000);
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? a : b).getAccessToken(KEY)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(await refreshCalls()).toBe(1);
    expect(store.held.size).toBe(0);
  });

  it('the lock holder uses a set another instance stored meanwhile, calling nothing', async () => {
    const store = new SharedLockingStore();
    const { a, b, clock } = instances(store);
    const first = await a.signIn(KEY, credentials);
    clock.advance(90_000_000);
    const fresh = await a.refresh(KEY);
    // b read the old set before a's refresh: it must not refresh that set's rotated token.
    await store.set(KEY, first);
    const reading = b.getAccessToken(KEY);
    await store.set(KEY, fresh);
    expect(await reading).toBe(fresh.accessToken);
    expect(await refreshCalls()).toBe(1);
  });

  it('an instance that finds the lock taken serves a still-valid token at once', async () => {
    const store = new SharedLockingStore();
    const { a, clock } = instances(store);
    const tokens = await a.signIn(KEY, credentials);
    clock.advance(0.9 * 86_400_000);
    await store.lock(KEY); // another instance is refreshing
    expect(await a.getAccessToken(KEY)).toBe(tokens.accessToken);
    expect(await refreshCalls()).toBe(0);
  });

  it('an expired token and a lock never released: a timeout error after the wait', async () => {
    const store = new SharedLockingStore(100);
    const { a, clock } = instances(store);
    await a.signIn(KEY, credentials);
    clock.advance(90_000_000);
    await store.lock(KEY);
    const error = await a.getAccessToken(KEY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).reason).toBe('timeout');
    expect(await refreshCalls()).toBe(0);
  });

  it('the holder got invalid_grant and cleared the key: the waiter asks for sign-in', async () => {
    const store = new SharedLockingStore();
    const { a, clock } = instances(store);
    await a.signIn(KEY, credentials);
    clock.advance(90_000_000);
    const lock = await store.lock(KEY);
    const waiting = a.getAccessToken(KEY);
    await store.delete(KEY);
    await lock?.release();
    await expect(waiting).rejects.toBeInstanceOf(ReauthenticationRequiredError);
  });

  it('a holder that failed released the lock: the waiter tries once itself', async () => {
    const store = new SharedLockingStore();
    const { a, clock } = instances(store);
    const tokens = await a.signIn(KEY, credentials);
    clock.advance(90_000_000);
    const lock = await store.lock(KEY);
    const waiting = a.getAccessToken(KEY);
    await lock?.release();
    expect(await waiting).not.toBe(tokens.accessToken);
    expect(await refreshCalls()).toBe(1);
  });

  it('a token refused on two instances: one refresh, the other instance uses its result', async () => {
    const store = new SharedLockingStore();
    const [a, b] = [0, 1].map(() => {
      const manager = new TokenManager({ client: hostileClient(hostile.server), store });
      managers.push(manager);
      return manager;
    }) as [TokenManager, TokenManager];
    const refused = await a.signIn(KEY, HOSTILE_USER);
    // At the same time: b finds a holding the lock and takes the set a stores.
    const [first, second] = await Promise.all([
      a.refreshIfCurrent(KEY, refused.accessToken),
      b.refreshIfCurrent(KEY, refused.accessToken),
    ]);
    expect(first.accessToken).not.toBe(refused.accessToken);
    expect(second.accessToken).toBe(first.accessToken);
    // Later: b's 401 for the old token arrives after a's refresh has finished.
    const third = await b.refreshIfCurrent(KEY, refused.accessToken);
    expect(third.accessToken).toBe(first.accessToken);
    expect(hostile.server.grants('refresh_token')).toBe(1);
    expect(store.held.size).toBe(0);
  });

  it('a store with lock but without waitForUnlock is refused', () => {
    const store = Object.assign(new MemoryTokenStore(), { lock: () => Promise.resolve(undefined) });
    expect(() => new TokenManager({ client: tutorialClient(mock.server), store })).toThrow(
      '"store" must have both lock and waitForUnlock methods, or neither',
    );
  });
});
