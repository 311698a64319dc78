import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeySetUnavailableError } from '../src/index.js';
import { rejection } from './support/fixture.js';
import { JwksServer } from './support/jwks-server.js';
import { createTestKey, type TestKey } from './support/keys.js';
import { signAccessToken, type SignOptions } from './support/tokens.js';
import { verifierFor } from './support/verifier.js';

let server: JwksServer;
let key: TestKey;
const sign = (options: SignOptions = {}, signingKey = key) =>
  signAccessToken(signingKey, { issuer: server.issuer, ...options });

beforeEach(async () => {
  server = await JwksServer.start();
  key = await createTestKey('RS256');
  server.keys = [key.publicJwk];
});
afterEach(async () => {
  await server.close();
});

/** A clock the test moves by hand. */
function manualClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('fetching: one request in flight, shared by concurrent callers', () => {
  it('fetches the key set once for 200 concurrent verifications', async () => {
    const verifier = verifierFor(server, { cache: false });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sign({ claims: { jti: `t${i}` } })),
    );
    await Promise.all(Array.from({ length: 200 }, (_, i) => verifier.verify(tokens[i % 20] ?? '')));
    expect(server.count('/.well-known/jwks.json')).toBe(1);
  });
});

describe('rotation: unknown kid triggers a refetch, bounded by the cooldown', () => {
  it('picks up a key rotated in after the first fetch', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 30_000 } });
    await verifier.verify(await sign());
    const next = await createTestKey('RS256');
    server.keys = [key.publicJwk, next.publicJwk];
    clock.advance(30_000);
    const verified = await verifier.verify(await sign({}, next));
    expect(verified.header.kid).toBe(next.kid);
    expect(server.count('/.well-known/jwks.json')).toBe(2);
  });

  it('answers invalid_token without refetching within the cooldown', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 30_000 } });
    await verifier.verify(await sign());
    const next = await createTestKey('RS256');
    server.keys = [key.publicJwk, next.publicJwk];
    clock.advance(1_000);
    const error = await rejection(verifier.verify(await sign({}, next)));
    expect(error.description).toBe('Token signing key is unknown');
    expect(server.count('/.well-known/jwks.json')).toBe(1);
  });

  it('bounds a flood of unknown kids to one fetch per cooldown', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 30_000 } });
    const rogue = await createTestKey('RS256');
    const floods = await Promise.all(
      Array.from({ length: 100 }, (_, i) => sign({ header: { kid: `made-up-${i}` } }, rogue)),
    );
    const results = await Promise.allSettled(floods.map((token) => verifier.verify(token)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(server.count('/.well-known/jwks.json')).toBe(1);
    clock.advance(30_000);
    await Promise.allSettled(floods.map((token) => verifier.verify(token)));
    expect(server.count('/.well-known/jwks.json')).toBe(2);
  });

  it('rejects a withdrawn key at once, even for a token verified (and cached) before', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 1_000 } });
    const oldToken = await sign();
    await verifier.verify(oldToken);
    const next = await createTestKey('RS256');
    server.keys = [next.publicJwk];
    clock.advance(1_000);
    await verifier.verify(await sign({}, next));
    const error = await rejection(verifier.verify(oldToken));
    expect(error.description).toBe('Token signing key is unknown');
  });

  it('refreshes the key set in the background before maxAgeMs, so requests do not wait', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { maxAgeMs: 60_000, timeoutMs: 5_000 },
    });
    const token = await sign();
    await verifier.verify(token);
    // 90% of the max age: due for a refresh, still young enough to decide.
    clock.advance(55_000);
    server.behaviour = { kind: 'hang' };
    const started = performance.now();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(performance.now() - started).toBeLessThan(2_000);
    // The refresh runs in the background; the request above did not wait for it.
    await vi.waitFor(() => expect(server.count('/.well-known/jwks.json')).toBe(2));
  });
});

describe('key selection without kid (RFC 7515 section 4.1.4)', () => {
  it('uses the only key that fits the algorithm', async () => {
    const token = await sign({ header: { kid: undefined } });
    await expect(verifierFor(server).verify(token)).resolves.toBeDefined();
  });

  it('refuses to guess among several fitting keys', async () => {
    const other = await createTestKey('RS256');
    server.keys = [key.publicJwk, other.publicJwk];
    const token = await sign({ header: { kid: undefined } });
    expect((await rejection(verifierFor(server).verify(token))).description).toBe(
      'Token signing key is unknown',
    );
  });
});

describe('an unusable key set endpoint answers 503, not 401', () => {
  it.each([
    ['HTTP 500', { kind: 'status', status: 500 } as const],
    ['HTTP 404', { kind: 'status', status: 404 } as const],
    [
      'an HTML body',
      { kind: 'body', body: '<html>oops</html>', contentType: 'text/html' } as const,
    ],
    ['JSON that is not a key set', { kind: 'body', body: '{"keys":"nope"}' } as const],
    ['truncated JSON', { kind: 'body', body: '{"keys":[' } as const],
  ])('on %s', async (_, behaviour) => {
    server.behaviour = behaviour;
    const error = await rejection(verifierFor(server).verify(await sign()));
    expect(error).toBeInstanceOf(KeySetUnavailableError);
    expect(error.status).toBe(503);
    expect(error.wwwAuthenticate).toBeUndefined();
    expect(error.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'The signing keys are unavailable',
    });
  });

  it('on a body larger than keySet.maxBytes, counted while streaming', async () => {
    server.behaviour = { kind: 'oversized', bytes: 200_000 };
    const error = await rejection(
      verifierFor(server, { keySet: { maxBytes: 64 * 1024 } }).verify(await sign()),
    );
    expect(error.status).toBe(503);
    expect(String((error.cause as Error).cause)).toContain('exceeds 65536 bytes');
  });

  it('on an endpoint that hangs, within keySet.timeoutMs', async () => {
    server.behaviour = { kind: 'hang' };
    const started = performance.now();
    const error = await rejection(
      verifierFor(server, { keySet: { timeoutMs: 300 } }).verify(await sign()),
    );
    expect(error.status).toBe(503);
    // Generous bound: the point is that it ends, not how fast.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('on a refused connection', async () => {
    const token = await sign();
    await server.close();
    const closed = await JwksServer.start();
    const url = server.jwksUri;
    await closed.close();
    const error = await rejection(verifierFor(server, { jwksUri: url }).verify(token));
    expect(error.status).toBe(503);
    server = await JwksServer.start();
  });

  it('when the refetch for an unknown kid fails: nothing cached can decide', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 1_000 } });
    await verifier.verify(await sign());
    server.behaviour = { kind: 'status', status: 502 };
    clock.advance(1_000);
    const next = await createTestKey('RS256');
    expect((await rejection(verifier.verify(await sign({}, next)))).status).toBe(503);
  });
});

describe('the last good key set is kept for a bounded time while the endpoint fails', () => {
  it('keeps verifying with cached keys until staleMaxAgeMs, then answers 503', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { maxAgeMs: 60_000, staleMaxAgeMs: 600_000, cooldownMs: 1_000 },
    });
    await verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) }));
    server.behaviour = { kind: 'status', status: 503 };
    clock.advance(300_000);
    await expect(
      verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) })),
    ).resolves.toBeDefined();
    clock.advance(301_000);
    const error = await rejection(
      verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) })),
    );
    expect(error.status).toBe(503);
  });

  it('recovers once the endpoint answers again after the cooldown', async () => {
    const clock = manualClock();
    server.behaviour = { kind: 'status', status: 500 };
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 5_000 } });
    expect((await rejection(verifier.verify(await sign()))).status).toBe(503);
    server.behaviour = { kind: 'ok' };
    // Within the cooldown nothing is fetched: the endpoint is not hammered.
    expect((await rejection(verifier.verify(await sign()))).status).toBe(503);
    expect(server.count('/.well-known/jwks.json')).toBe(1);
    clock.advance(5_000);
    await expect(verifier.verify(await sign())).resolves.toBeDefined();
  });
});
