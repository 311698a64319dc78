import { describe, expect, it } from 'vitest';
import { BearerError } from '../src/index.js';
import { rejection, useJwksFixture } from './support/fixture.js';

const f = useJwksFixture();

function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('verified-token cache', () => {
  it('returns the same frozen result for the same token, without verifying again', async () => {
    const verifier = f.verifier();
    const token = await f.sign();
    // Cached on its second verification (admission), served from the cache from the third.
    await verifier.verify(token);
    const first = await verifier.verify(token);
    // The key set endpoint fails from now on: only a cache hit can still succeed quickly.
    f.server.behaviour = { kind: 'status', status: 500 };
    try {
      const second = await verifier.verify(token);
      expect(second).toBe(first);
      expect(Object.isFrozen(second)).toBe(true);
      expect(Object.isFrozen(second.payload)).toBe(true);
    } finally {
      f.server.behaviour = { kind: 'ok' };
    }
  });

  it('still checks exp against the clock on a hit', async () => {
    const clock = manualClock();
    const verifier = f.verifier({ clock: clock.now, clockTolerance: 0 });
    const token = await f.sign({ now: Math.floor(clock.now() / 1000) });
    await verifier.verify(token);
    clock.advance(3_601_000);
    expect((await rejection(verifier.verify(token))).description).toBe('Token has expired');
  });

  it('still checks nbf on a hit', async () => {
    const clock = manualClock();
    const nowSeconds = Math.floor(clock.now() / 1000);
    const verifier = f.verifier({ clock: clock.now, clockTolerance: 0 });
    const token = await f.sign({ claims: { nbf: nowSeconds + 10 } });
    clock.advance(20_000);
    await verifier.verify(token);
    clock.advance(-20_000);
    expect((await rejection(verifier.verify(token))).description).toBe('Token is not yet valid');
  });

  it('is bounded: the oldest entry is evicted first', async () => {
    const verifier = f.verifier({ cache: { maxEntries: 2 } });
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => f.sign({ claims: { jti: `t${n}` } })));
    const twice = async (token = '') => {
      await verifier.verify(token);
      return verifier.verify(token);
    };
    const first = await twice(a);
    expect(await verifier.verify(a ?? '')).toBe(first);
    await twice(b);
    await twice(c);
    const again = await verifier.verify(a ?? '');
    expect(again).not.toBe(first);
    expect(again.payload).toEqual(first.payload);
  });

  it('caches a token on its second verification, not its first', async () => {
    const verifier = f.verifier();
    const token = await f.sign({ claims: { jti: 'admission' } });
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).not.toBe(first);
    expect(await verifier.verify(token)).toBe(second);
  });

  it('can be disabled', async () => {
    const verifier = f.verifier({ cache: false });
    const token = await f.sign();
    expect(await verifier.verify(token)).not.toBe(await verifier.verify(token));
  });

  it('does not remember failures', async () => {
    const verifier = f.verifier({ claimCheck: () => false });
    const token = await f.sign();
    expect((await rejection(verifier.verify(token))).code).toBe('invalid_token');
    expect((await rejection(verifier.verify(token))).code).toBe('invalid_token');
  });
});

/** A request carrying `token` in one Authorization header. */
const requestWith = (token: string, extra: Partial<Record<string, unknown>> = {}) => ({
  headers: { authorization: `Bearer ${token}` },
  rawHeaders: ['Host', 'api', 'Authorization', `Bearer ${token}`],
  ...extra,
});

describe('cache hits without a new promise', () => {
  it('authenticate answers a hit with the very same settled promise', async () => {
    const verifier = f.verifier();
    const token = await f.sign({ claims: { jti: 'same-promise' } });
    await verifier.authenticate(requestWith(token));
    const cached = await verifier.authenticate(requestWith(token));
    const first = verifier.authenticate(requestWith(token));
    expect(verifier.authenticate(requestWith(token))).toBe(first);
    expect(await first).toBe(cached);
  });

  it('authenticateCached answers a cached token synchronously, and nothing else', async () => {
    const verifier = f.verifier();
    const token = await f.sign({ claims: { jti: 'sync' } });
    expect(verifier.authenticateCached(requestWith(token))).toBeUndefined();
    await verifier.authenticate(requestWith(token));
    expect(verifier.authenticateCached(requestWith(token))).toBeUndefined();
    const cached = await verifier.authenticate(requestWith(token));
    expect(verifier.authenticateCached(requestWith(token))).toBe(cached);
    expect(verifier.authenticateCached({ headers: { authorization: `bearer   ${token}` } })).toBe(
      cached,
    );
  });

  it.each([
    [
      'a repeated Authorization header',
      (token: string) => ({
        headers: { authorization: `Bearer ${token}` },
        rawHeaders: ['Authorization', `Bearer ${token}`, 'authorization', `Bearer ${token}`],
      }),
    ],
    ['another scheme', (token: string) => ({ headers: { authorization: `Basic ${token}` } })],
    ['a tab after Bearer', (token: string) => ({ headers: { authorization: `Bearer\t${token}` } })],
    [
      'a space after the token',
      (token: string) => ({ headers: { authorization: `Bearer ${token} ` } }),
    ],
  ])('authenticateCached leaves %s to authenticate, which refuses it', async (_, build) => {
    const verifier = f.verifier();
    const token = await f.sign({ claims: { jti: 'refused' } });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.authenticateCached(requestWith(token))).toBeDefined();
    expect(verifier.authenticateCached(build(token))).toBeUndefined();
    await expect(verifier.authenticate(build(token))).rejects.toBeInstanceOf(BearerError);
  });

  it('authenticateCached is off when a token may also come in the query or the body', async () => {
    const verifier = f.verifier({ tokenLocations: ['header', 'query'] });
    const token = await f.sign({ claims: { jti: 'query' } });
    await verifier.verify(token);
    await verifier.verify(token);
    const request = requestWith(token, { query: { access_token: token } });
    expect(verifier.authenticateCached(request)).toBeUndefined();
    // Two methods at once: refused, although the header's token is cached.
    expect((await rejection(verifier.authenticate(request))).code).toBe('invalid_request');
  });

  it('a token that only ends like a cached one is a miss, not an alias', async () => {
    const verifier = f.verifier();
    const token = await f.sign({ claims: { jti: 'alias' } });
    await verifier.verify(token);
    const cached = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(cached);
    // Same signature (so the same last characters), another payload.
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${signature}`;
    expect(verifier.authenticateCached(requestWith(forged))).toBeUndefined();
    expect((await rejection(verifier.verify(forged))).description).toBe(
      'Token signature is invalid',
    );
    expect(await verifier.verify(token)).toBe(cached);
  });
});
