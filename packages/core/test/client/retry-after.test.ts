import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidTokenResponseError,
  OAuthError,
  TokenManager,
  type TokenEvents,
  type TokenManagerOptions,
} from '../../src/index.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from '../../src/client/retry-policy.js';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '../../src/http/retry-after.js';
import { isRetryable } from '../../src/client/token-errors.js';
import {
  HOSTILE_USER,
  hostileClient,
  rejection,
  useHostileServer,
  type HostileAnswer,
} from './hostile-server.js';

const auth = useHostileServer();
const KEY = 'session';
/** A fixed instant on a whole second, so HTTP-dates (whole seconds) compare exactly. */
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();

describe('RFC 9110 section 10.2.3: reading Retry-After', () => {
  it.each<[string, string | string[] | undefined, number | undefined]>([
    ['delay-seconds', '7', 7],
    ['zero', '0', 0],
    ['leading zeros', '007', 7],
    ['surrounding whitespace', ' 7\t', 7],
    ['IMF-fixdate', httpDate(NOW + 120_000), 120],
    ['IMF-fixdate in the past: now', httpDate(NOW - 120_000), 0],
    ['obsolete rfc850-date', 'Sunday, 01-Jun-25 12:02:00 GMT', 120],
    ['obsolete asctime-date', 'Sun Jun  1 12:02:00 2025', 120],
    ['a huge number: capped', '99999999999999999999', MAX_RETRY_AFTER_SECONDS],
    ['a date years away: capped', httpDate(NOW + 10 * 365 * 86_400_000), MAX_RETRY_AFTER_SECONDS],
    ['one value sent twice', ['5', '5'], 5],
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['a fraction', '1.5', undefined],
    ['negative', '-1', undefined],
    ['an exponent', '1e3', undefined],
    ['hexadecimal', '0x10', undefined],
    ['a word', 'soon', undefined],
    ['a number inside text', 'soon 5', undefined],
    ['a date with trailing text', `${httpDate(NOW + 60_000)} please`, undefined],
    ['a date without GMT', 'Sun, 01 Jun 2025 12:02:00', undefined],
    ['an impossible date', 'Sat, 31 Feb 2025 12:02:00 GMT', undefined],
    ['an impossible hour', 'Sun, 01 Jun 2025 25:02:00 GMT', undefined],
    ['an ISO date', '2025-06-01T12:02:00Z', undefined],
    ['two different values', ['5', '60'], undefined],
  ])('%s', (_, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('Retry-After jitter', () => {
  const policy = { ...DEFAULT_RETRY_POLICY };

  it('never waits less than the server asked, and spreads replicas over a bounded share', () => {
    for (const [seconds, most] of [
      [0, 250],
      [1, 1_250],
      [2, 2_400],
      [10, 12_000],
      [3_600, 3_605_000],
    ] as const) {
      const least = retryDelay(policy, 1, seconds, () => 0);
      const late = retryDelay(policy, 1, seconds, () => 0.999_999);
      expect(least).toBe(seconds * 1000);
      expect(late).toBeGreaterThan(least);
      expect(late).toBeLessThan(most);
    }
  });
});

/** 503 with `Retry-After: 7` and each kind of body a gateway in front of the server may send. */
const bodies: Array<[string, Omit<HostileAnswer, 'status'>]> = [
  ['an empty body', {}],
  ['an HTML page', { headers: { 'content-type': 'text/html' }, body: '<html><h1>503</h1></html>' }],
  ['plain text', { headers: { 'content-type': 'text/plain' }, body: 'upstream unavailable' }],
  ['a JSON body without an OAuth error', { body: { message: 'unavailable' } }],
  ['truncated JSON', { headers: { 'content-type': 'application/json' }, body: '{"err' }],
  [
    'problem details',
    { headers: { 'content-type': 'application/problem+json' }, body: { title: 'Unavailable' } },
  ],
  ['an OAuth error', { body: { error: 'temporarily_unavailable' } }],
];

describe('TokenClient: Retry-After is carried on the error whatever the body', () => {
  it.each(bodies)('%s', async (_, answer) => {
    auth.server.queue({
      status: 503,
      ...answer,
      headers: { ...answer.headers, 'retry-after': '7' },
    });
    const error = await rejection(hostileClient(auth.server).password(HOSTILE_USER));
    expect(error).toSatisfy(
      (e) => e instanceof InvalidTokenResponseError || e instanceof OAuthError,
    );
    expect(error).toMatchObject({ status: 503, retryAfter: 7 });
    expect(isRetryable(error)).toBe(true);
  });

  it('the HTTP-date form, against the client clock', async () => {
    auth.server.queue({
      status: 429,
      headers: { 'content-type': 'text/html', 'retry-after': httpDate(NOW + 30_000) },
      body: '<p>slow down</p>',
    });
    const client = hostileClient(auth.server, { clock: () => NOW });
    const error = await rejection(client.password(HOSTILE_USER));
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({ status: 429, retryAfter: 30 });
  });

  it('garbage is ignored', async () => {
    auth.server.queue({ status: 503, headers: { 'retry-after': 'later, maybe' } });
    const error = await rejection(hostileClient(auth.server).password(HOSTILE_USER));
    expect(error).toMatchObject({ status: 503, retryAfter: undefined });
  });
});

const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close();
});

/** A manager on the hostile server, with a clock the test moves by hand and events recorded. */
async function signedIn(options: Partial<TokenManagerOptions> = {}) {
  let now = NOW;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const events: Array<{ name: string; fields: Record<string, unknown> }> = [];
  const record = (message: string, fields: object) =>
    events.push({ name: message.replace('ropkit token ', ''), fields: { ...fields } });
  const manager = new TokenManager({
    client: hostileClient(auth.server, { clock: clock.now }),
    clock: clock.now,
    random: () => 0,
    jitterShare: 0,
    logger: { debug: record, info: record, warn: record },
    ...options,
  });
  managers.push(manager);
  const tokens = await manager.signIn(KEY, HOSTILE_USER);
  auth.server.reset();
  const retries = () =>
    events
      .filter((e) => e.name === 'retryScheduled')
      .map((e) => e.fields as TokenEvents['retryScheduled']);
  return { manager, tokens, clock, events, retries };
}

describe('TokenManager: a retry waits at least Retry-After, whatever the body', () => {
  it('503 with an empty body and Retry-After: 1 is retried after one second, not ~128 ms', async () => {
    const { manager, clock, tokens, retries } = await signedIn({ retry: { attempts: 2 } });
    clock.advance(3_600_000); // expired: the caller waits for the retry
    auth.server.queue({ status: 503, headers: { 'retry-after': '1' } });
    const token = await manager.getAccessToken(KEY);
    expect(token).not.toBe(tokens.accessToken);
    const [first, second] = auth.server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect(retries()).toEqual([expect.objectContaining({ delayMs: 1_000, retryAfter: 1 })]);
  });

  it('an HTML 429 adds jitter on top of Retry-After, never taking any off', async () => {
    const { manager, clock, retries } = await signedIn({
      retry: { attempts: 2 },
      random: () => 0.5,
    });
    clock.advance(3_600_000);
    auth.server.queue({
      status: 429,
      headers: { 'content-type': 'text/html', 'retry-after': '1' },
      body: '<h1>Too Many Requests</h1>',
    });
    await manager.getAccessToken(KEY);
    const [first, second] = auth.server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    // 1 s asked, plus half of the spread (the larger of baseDelayMs and 20% of the wait).
    expect(retries()).toEqual([expect.objectContaining({ delayMs: 1_125, retryAfter: 1 })]);
  });
});

/** 503 with an HTML page and `Retry-After: 60`, four times the default retry budget. */
function tooLong(): HostileAnswer {
  return {
    status: 503,
    headers: { 'content-type': 'text/html', 'retry-after': '60' },
    body: '<h1>Service Unavailable</h1>',
  };
}

describe('TokenManager: a Retry-After longer than the retry budget', () => {
  it('gives up at once rather than retrying early, and says why', async () => {
    const { manager, clock, events } = await signedIn({ retry: { budgetMs: 15_000 } });
    clock.advance(3_600_000);
    auth.server.queue(tooLong());
    const error = await rejection(manager.getAccessToken(KEY));
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({ status: 503, retryAfter: 60 });
    expect(auth.server.requests).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      name: 'refreshFailed',
      fields: expect.objectContaining({ status: 503, retryAfter: 60, servingStale: false }),
    });
  });

  it('sends no refresh of the key before the server said, however often it is asked', async () => {
    const { manager, clock, tokens } = await signedIn({ retry: { budgetMs: 15_000 } });
    clock.advance(3_590_000); // refresh due, token valid for 10 s more
    auth.server.queue(tooLong());
    for (let i = 0; i < 20; i++) expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    await expect(manager.refresh(KEY)).rejects.toMatchObject({ retryAfter: 60 });
    expect(auth.server.requests).toHaveLength(1);

    clock.advance(20_000); // now expired, and the 60 s have not passed
    const error = await rejection(manager.getAccessToken(KEY));
    expect(error).toMatchObject({ status: 503, retryAfter: 60 });
    expect(auth.server.requests).toHaveLength(1);

    clock.advance(40_000); // 60 s after the refusal
    expect(await manager.getAccessToken(KEY)).not.toBe(tokens.accessToken);
    expect(auth.server.requests).toHaveLength(2);
  });

  it('the wait is jittered too, so replicas do not all come back at the same instant', async () => {
    const { manager, clock, tokens } = await signedIn({
      retry: { budgetMs: 15_000 },
      random: () => 0.5,
    });
    clock.advance(0.9 * 3_600_000);
    auth.server.queue(tooLong());
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    // 60 s plus half of a 5 s spread (20% of 60 s, capped at maxDelayMs).
    clock.advance(62_499);
    expect(await manager.getAccessToken(KEY)).toBe(tokens.accessToken);
    expect(auth.server.requests).toHaveLength(1);
    clock.advance(1);
    expect(await manager.getAccessToken(KEY)).not.toBe(tokens.accessToken);
    expect(auth.server.requests).toHaveLength(2);
  });

  it('a sign-in in between ends the wait', async () => {
    const { manager, clock } = await signedIn({ retry: { budgetMs: 15_000 } });
    clock.advance(3_600_000);
    auth.server.queue(tooLong());
    await rejection(manager.getAccessToken(KEY));
    const fresh = await manager.signIn(KEY, HOSTILE_USER);
    clock.advance(3_600_000);
    expect(await manager.getAccessToken(KEY)).not.toBe(fresh.accessToken);
  });
});
