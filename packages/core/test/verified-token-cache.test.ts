import { describe, expect, it } from 'vitest';
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
