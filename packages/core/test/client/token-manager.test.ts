import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  OAuthError,
  ReauthenticationRequiredError,
  TokenRequestError,
  TokenManager,
  type TokenManagerOptions,
} from '../../src/index.js';
import { refreshTime } from '../../src/client/refresh-schedule.js';
import { TUTORIAL, tutorialClient, useMockServer } from './support.js';

const mock = useMockServer();
const KEY = 'session-1';

/**
 * A clock the test moves by hand. The mock's clock moves with it, so that tokens (ID tokens,
 * which the client validates against this clock, included) are issued at the time the test
 * stands at.
 */
function manualClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
      void mock.server.control.advanceClock(ms / 1000);
    },
  };
}

const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close();
});

function setup(options: Partial<TokenManagerOptions> = {}, clientId: string = TUTORIAL.clientId) {
  const clock = manualClock();
  const client = tutorialClient(mock.server, {
    clock: clock.now,
    ...(clientId === TUTORIAL.clientId ? {} : { clientId, clientSecret: 'rotating-secret' }),
  });
  const manager = new TokenManager({
    client,
    clock: clock.now,
    random: () => 0.5,
    jitterShare: 0,
    ...options,
  });
  managers.push(manager);
  const signIn = () =>
    manager.signIn(KEY, { username: TUTORIAL.username, password: TUTORIAL.password });
  const tokenCalls = async (grantType?: string) =>
    (await mock.server.control.requests()).filter(
      (entry) =>
        entry.path === '/oauth/token' && (grantType === undefined || entry.grantType === grantType),
    ).length;
  return { clock, manager, signIn, tokenCalls };
}

describe('getAccessToken: refresh before expiry', () => {
  it('serves the stored token until the refresh is due, then refreshes once', async () => {
    const { clock, manager, signIn, tokenCalls } = setup();
    const tokens = await signIn();
    expect(tokens.refreshAt - tokens.receivedAt).toBe(0.8 * 86_400_000);
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    clock.advance(0.8 * 86_400_000 - 1);
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    expect(await tokenCalls('refresh_token')).toBe(0);
    clock.advance(1);
    const refreshed = await manager.getAccessToken(KEY);
    expect(refreshed).not.toBe(tokens.accessToken);
    expect(await tokenCalls('refresh_token')).toBe(1);
    expect(await manager.getAccessToken(KEY)).toBe(refreshed);
  });

  it('uses a fixed window before expiry when refreshWindowMs is set', async () => {
    const { signIn } = setup({ refreshWindowMs: 60_000 });
    const tokens = await signIn();
    expect(tokens.expiresAt - tokens.refreshAt).toBe(60_000);
  });

  it('keeps the old refresh token when the answer has none (rotation off)', async () => {
    const { clock, manager, signIn } = setup();
    const first = await signIn();
    clock.advance(86_400_000);
    const second = await manager.refresh(KEY);
    expect(second.refreshToken).toBe(first.refreshToken);
    clock.advance(86_400_000);
    await expect(manager.refresh(KEY)).resolves.toBeDefined();
  });

  it('replaces a rotated refresh token, so the old one is never reused', async () => {
    const { clock, manager, signIn } = setup({}, 'rotating-client');
    const first = await signIn();
    clock.advance(86_400_000);
    const second = await manager.refresh(KEY);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    clock.advance(86_400_000);
    const third = await manager.refresh(KEY);
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });
});

describe('single flight', () => {
  it('1000 concurrent callers on an expired token cause exactly one token request', async () => {
    const { clock, manager, signIn, tokenCalls } = setup({}, 'rotating-client');
    await signIn();
    clock.advance(90_000_000);
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, () => manager.getAccessToken(KEY)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(await tokenCalls('refresh_token')).toBe(1);
  });

  it('gives every concurrent caller the same error', async () => {
    const { clock, manager, signIn, tokenCalls } = setup({ retry: { attempts: 1 } });
    await signIn();
    clock.advance(90_000_000);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 503,
      body: { error: 'server_error' },
    });
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => manager.getAccessToken(KEY)),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof OAuthError)).toBe(
      true,
    );
    expect(await tokenCalls('refresh_token')).toBe(1);
  });
});

describe('failure policy', () => {
  it('invalid_grant clears the key and asks for re-authentication, without retrying', async () => {
    const { clock, manager, signIn, tokenCalls } = setup();
    const tokens = await signIn();
    await tutorialClient(mock.server).revoke(tokens.refreshToken ?? '');
    clock.advance(86_400_000);
    await expect(manager.getAccessToken(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    expect(await tokenCalls('refresh_token')).toBe(1);
    expect(await tokenCalls('password')).toBe(1);
    await expect(manager.getTokenSet(KEY)).rejects.toThrow('No tokens are stored for this key');
  });

  it('retries 503 with backoff; a still-valid token is served at once meanwhile', async () => {
    const { clock, manager, signIn, tokenCalls } = setup({
      retry: { attempts: 3, baseDelayMs: 10 },
    });
    const tokens = await signIn();
    clock.advance(0.9 * 86_400_000);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 503,
      body: { error: 'server_error' },
      times: 2,
    });
    // The first attempt fails: the caller gets the valid token without waiting for the retries.
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    await vi.waitFor(async () => expect(await tokenCalls('refresh_token')).toBe(3));
    await vi.waitFor(async () =>
      expect(await manager.getAccessToken(KEY)).not.toBe(tokens.accessToken),
    );
  });

  it('waits for the retries when the token has already expired', async () => {
    const { clock, manager, signIn, tokenCalls } = setup({
      retry: { attempts: 3, baseDelayMs: 10 },
    });
    const tokens = await signIn();
    clock.advance(86_400_000 + 1);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 503,
      body: { error: 'server_error' },
      times: 2,
    });
    expect(await manager.getAccessToken(KEY)).not.toBe(tokens.accessToken);
    expect(await tokenCalls('refresh_token')).toBe(3);
  });

  it("honours Retry-After on 429 (the retry waits the server's seconds)", async () => {
    const { clock, manager, signIn } = setup({ retry: { attempts: 2, budgetMs: 5_000 } });
    await signIn();
    clock.advance(86_400_000 + 1);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 429,
      body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
      headers: { 'retry-after': '1' },
    });
    const delays: number[] = [];
    const onRetry = (message: unknown) => delays.push((message as { delayMs: number }).delayMs);
    subscribe('ropkit:token:retry-scheduled', onRetry);
    try {
      await expect(manager.getAccessToken(KEY)).resolves.toEqual(expect.any(String));
    } finally {
      unsubscribe('ropkit:token:retry-scheduled', onRetry);
    }
    // Never less than the server's second; plus jitter (random 0.5 of a 250 ms spread).
    expect(delays).toEqual([1125]);
  });

  it('never retries a 400-class OAuth error', async () => {
    const { clock, manager, signIn, tokenCalls } = setup({
      retry: { attempts: 5, baseDelayMs: 1 },
    });
    await signIn();
    clock.advance(86_400_000 + 1);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 400,
      body: { error: 'invalid_request' },
    });
    await expect(manager.getAccessToken(KEY)).rejects.toBeInstanceOf(OAuthError);
    expect(await tokenCalls('refresh_token')).toBe(1);
  });

  it('keeps serving a still-valid token while the server is down', async () => {
    const { clock, manager, signIn } = setup({ retry: { attempts: 2, baseDelayMs: 1 } });
    const tokens = await signIn();
    clock.advance(0.9 * 86_400_000);
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'drop', times: 5 });
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    clock.advance(0.2 * 86_400_000);
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'drop', times: 5 });
    await expect(manager.getAccessToken(KEY)).rejects.toBeInstanceOf(TokenRequestError);
  });

  it('asks for sign-in when nothing is stored', async () => {
    const { manager } = setup();
    await expect(manager.getAccessToken('unknown')).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
  });

  it('signOut revokes the refresh token and forgets the key', async () => {
    const { manager, signIn } = setup();
    const tokens = await signIn();
    await manager.signOut(KEY);
    await expect(manager.getAccessToken(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    await expect(
      tutorialClient(mock.server).refresh({ refreshToken: tokens.refreshToken ?? '' }),
    ).rejects.toBeInstanceOf(OAuthError);
  });
});

describe('scheduling', () => {
  it('keeps jitter within its bounds', () => {
    const schedule = { refreshShare: 0.8, refreshWindowMs: undefined, jitterShare: 0.1 };
    for (const random of [0, 0.25, 0.5, 0.999]) {
      const at = refreshTime(schedule, 0, 100_000, () => random);
      expect(at).toBeLessThanOrEqual(80_000);
      expect(at).toBeGreaterThanOrEqual(70_000);
    }
  });

  it('never schedules before receipt or after expiry', () => {
    expect(
      refreshTime(
        { refreshShare: 0.8, refreshWindowMs: 10_000_000, jitterShare: 0 },
        1_000,
        2_000,
        () => 0,
      ),
    ).toBe(1_000);
    expect(
      refreshTime(
        { refreshShare: 0.8, refreshWindowMs: undefined, jitterShare: 0 },
        5_000,
        5_000,
        () => 0,
      ),
    ).toBe(5_000);
  });

  it('does not loop when expires_in is 0: one refresh per call at most, with the default lifetime', async () => {
    const { manager, signIn, tokenCalls } = setup();
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 200,
      body: {
        access_token: 'abc.def.ghi',
        token_type: 'Bearer',
        expires_in: 0,
        refresh_token: 'rt-1',
      },
    });
    const tokens = await signIn();
    expect(tokens.expiresIn).toBe(60);
    for (let i = 0; i < 20; i++) await manager.getAccessToken(KEY);
    expect(await tokenCalls('refresh_token')).toBe(0);
  });

  it('does not loop when expires_in is absent: the default lifetime applies', async () => {
    const { clock, manager, signIn, tokenCalls } = setup();
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 200,
      body: { access_token: 'abc.def.ghi', token_type: 'Bearer', refresh_token: 'rt-1' },
    });
    const tokens = await signIn();
    expect(tokens.expiresAt - tokens.receivedAt).toBe(60_000);
    clock.advance(30_000);
    for (let i = 0; i < 20; i++) await manager.getAccessToken(KEY);
    expect(await tokenCalls('refresh_token')).toBe(0);
  });

  it('refreshes in the background when due, with backgroundRefresh', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { clock, manager, signIn, tokenCalls } = setup({ backgroundRefresh: true });
      await signIn();
      clock.advance(0.8 * 86_400_000);
      await vi.advanceTimersByTimeAsync(0.8 * 86_400_000);
      vi.useRealTimers();
      await vi.waitFor(async () => expect(await tokenCalls('refresh_token')).toBe(1));
      manager.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('events', () => {
  it('publishes acquired and refreshed on diagnostics_channel, without tokens', async () => {
    const seen: Array<[string, unknown]> = [];
    const listeners = ['acquired', 'refreshed'].map((name) => {
      const listener = (message: unknown) => seen.push([name, message]);
      subscribe(`ropkit:token:${name}`, listener);
      return [name, listener] as const;
    });
    try {
      const { clock, manager } = setup();
      // The channels are process-wide: managers of earlier tests may still publish on them, so
      // this test uses a key of its own and looks only at its events.
      const key = 'diagnostics-channel-session';
      const tokens = await manager.signIn(key, {
        username: TUTORIAL.username,
        password: TUTORIAL.password,
      });
      clock.advance(86_400_000);
      await manager.getAccessToken(key);
      const ours = seen.filter(([, message]) => Reflect.get(Object(message), 'key') === key);
      expect(ours.map(([name]) => name)).toEqual(['acquired', 'refreshed']);
      expect(JSON.stringify(seen)).not.toContain(tokens.accessToken);
      expect(JSON.stringify(seen)).not.toContain(tokens.refreshToken);
    } finally {
      for (const [name, listener] of listeners) unsubscribe(`ropkit:token:${name}`, listener);
    }
  });

  it('passes events to an injected logger; prints nothing by default', async () => {
    const info = vi.fn<(message: string, fields: object) => void>();
    const write = vi.spyOn(process.stdout, 'write');
    try {
      const { signIn } = setup({ logger: { info } });
      await signIn();
      expect(info).toHaveBeenCalledWith(
        'ropkit token acquired',
        expect.objectContaining({ key: KEY }),
      );
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('options are validated when the manager is created', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['no client', { client: undefined }, '"client" must be a TokenClient'],
    ['a share of 1', { refreshShare: 1 }, '"refreshShare" must be a number above 0 and below 1'],
    [
      'a negative window',
      { refreshWindowMs: -1 },
      '"refreshWindowMs" must be a non-negative number',
    ],
    [
      'a negative jitter',
      { jitterShare: -0.1 },
      '"jitterShare" must be a number from 0 and below 1',
    ],
    [
      'zero attempts',
      { retry: { attempts: 0 } },
      '"retry.attempts" must be a whole number of at least 1',
    ],
    [
      'a store without delete',
      { store: { get: () => undefined, set: () => undefined } },
      '"store" must have get, set and delete',
    ],
    ['a string flag', { backgroundRefresh: 'yes' }, '"backgroundRefresh" must be a boolean'],
  ])('%s', (_, overrides, message) => {
    const options: object = { client: tutorialClient(mock.server), ...overrides };
    expect(() => new TokenManager(options as TokenManagerOptions)).toThrow(message);
  });
});
