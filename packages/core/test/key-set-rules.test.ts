import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import type { JWK } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KEY_SET_CHANNELS,
  KeySetUnavailableError,
  createAccessTokenVerifier,
  type KeySetEvents,
} from '../src/index.js';
import { rejection } from './support/fixture.js';
import { JwksServer } from './support/jwks-server.js';
import { createTestKey, type TestKey } from './support/keys.js';
import { AUDIENCE, b64json, signAccessToken, type SignOptions } from './support/tokens.js';
import { verifierFor } from './support/verifier.js';

/**
 * The key set recovers and never blames the token (issue 14): each rule over a real loopback
 * server (see support/jwks-server.ts).
 */

let server: JwksServer;
let key: TestKey;
const JWKS = '/.well-known/jwks.json';
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

function manualClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Runs `count` verifications at once and returns their statuses (200 for a success). */
async function statuses(promises: Array<Promise<unknown>>): Promise<number[]> {
  const settled = await Promise.allSettled(promises);
  return settled.map((outcome) =>
    outcome.status === 'fulfilled' ? 200 : (outcome.reason as { status: number }).status,
  );
}

describe('rule 1: a failed fetch is retried after a short backoff, not after the cooldown', () => {
  it('retries 1 s after a failure although the cooldown is 30 s', async () => {
    const clock = manualClock();
    server.behaviour = { kind: 'status', status: 500 };
    const verifier = verifierFor(server, { clock: clock.now, keySet: { cooldownMs: 30_000 } });
    const token = await sign();
    expect((await rejection(verifier.verify(token))).status).toBe(503);
    server.behaviour = { kind: 'ok' };
    clock.advance(999);
    expect((await rejection(verifier.verify(token))).status).toBe(503);
    expect(server.count(JWKS)).toBe(1);
    clock.advance(1);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(server.count(JWKS)).toBe(2);
  });

  it('sees an issuer that recovers within about 2 s of real time', async () => {
    server.behaviour = { kind: 'status', status: 503 };
    const verifier = verifierFor(server);
    const token = await sign();
    const started = performance.now();
    expect((await rejection(verifier.verify(token))).status).toBe(503);
    setTimeout(() => {
      server.behaviour = { kind: 'ok' };
    }, 200);
    let recoveredAfter: number | undefined;
    while (performance.now() - started < 4_000) {
      const outcome = await verifier.verify(token).then(
        () => true,
        () => false,
      );
      if (outcome) {
        recoveredAfter = performance.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recoveredAfter).toBeDefined();
    expect(recoveredAfter).toBeLessThan(2_000);
    // Polled every 50 ms for about a second, it fetched twice: the failure and the recovery.
    expect(server.count(JWKS)).toBe(2);
  });

  it('makes at most one fetch per backoff step during an outage, the step growing to the cooldown', async () => {
    const clock = manualClock();
    server.behaviour = { kind: 'status', status: 500 };
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { cooldownMs: 5_000 },
    });
    const tokens = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sign({ claims: { jti: `t${i}` } })),
    );
    const flood = () =>
      statuses(Array.from({ length: 50 }, (_, i) => verifier.verify(tokens[i % 10] ?? '')));
    const fetchesAfter: number[] = [];
    const failures: Array<KeySetEvents['fetchFailed']> = [];
    const listen = (message: unknown) => {
      failures.push(message as KeySetEvents['fetchFailed']);
    };
    KEY_SET_CHANNELS.fetchFailed.subscribe(listen);
    try {
      // Steps: 1 s, 2 s, 4 s, then the 5 s cooldown. A flood every 500 ms for 20 s.
      for (let t = 0; t <= 20_000; t += 500) {
        expect(new Set(await flood())).toEqual(new Set([503]));
        fetchesAfter.push(server.count(JWKS));
        clock.advance(500);
      }
    } finally {
      KEY_SET_CHANNELS.fetchFailed.unsubscribe(listen);
    }
    // Fetches at 0, 1, 3, 7, 12, 17 s, each failure published with the backoff that follows it.
    expect(failures.map((event) => event.retryInMs)).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(failures.map((event) => event.url)).toEqual(Array(6).fill(server.jwksUri));
    expect(fetchesAfter[0]).toBe(1);
    expect(fetchesAfter[2]).toBe(2);
    expect(fetchesAfter[6]).toBe(3);
    expect(fetchesAfter[14]).toBe(4);
    expect(fetchesAfter[24]).toBe(5);
    expect(fetchesAfter[34]).toBe(6);
    expect(fetchesAfter.at(-1)).toBe(6);
  });

  it('backs off after a failed discovery the same way, and discovers again', async () => {
    const clock = manualClock();
    server.missingPaths.add('/.well-known/openid-configuration');
    server.missingPaths.add('/.well-known/oauth-authorization-server');
    const verifier = createAccessTokenVerifier({
      issuer: server.issuer,
      audience: AUDIENCE,
      clock: clock.now,
    });
    const token = await sign();
    expect((await rejection(verifier.verify(token))).status).toBe(503);
    server.missingPaths.clear();
    expect((await rejection(verifier.verify(token))).status).toBe(503);
    expect(server.count('/.well-known/openid-configuration')).toBe(1);
    clock.advance(1_000);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(server.count('/.well-known/openid-configuration')).toBe(2);
  });
});

describe('rule 2: the max age means what it says', () => {
  it('stops a removed key at maxAgeMs, for a cached token too, with no request in between', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { maxAgeMs: 60_000 } });
    const token = await sign({ now: Math.floor(clock.now() / 1000) });
    await verifier.verify(token);
    const cached = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(cached);
    const next = await createTestKey('RS256');
    server.keys = [next.publicJwk];
    clock.advance(60_001);
    // The first request past the max age waits for the fresh set, which no longer lists the key.
    const error = await rejection(verifier.verify(token));
    expect(error.description).toBe('Token signing key is unknown');
    expect(server.count(JWKS)).toBe(2);
  });

  it('answers a cache hit from authenticate past maxAgeMs only after the fresh set', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, { clock: clock.now, keySet: { maxAgeMs: 60_000 } });
    const token = await sign({ now: Math.floor(clock.now() / 1000) });
    const request = { headers: { authorization: `Bearer ${token}` } };
    await verifier.authenticate(request);
    await verifier.authenticate(request);
    expect(verifier.authenticateCached(request)).toBeDefined();
    server.keys = [(await createTestKey('RS256')).publicJwk];
    clock.advance(60_001);
    expect(verifier.authenticateCached(request)).toBeUndefined();
    expect((await rejection(verifier.authenticate(request))).status).toBe(401);
  });

  it('keeps the old set past maxAgeMs only when the refresh fails (stale-if-error)', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { maxAgeMs: 60_000, staleMaxAgeMs: 600_000 },
    });
    await verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) }));
    server.behaviour = { kind: 'status', status: 500 };
    clock.advance(61_000);
    // The request waited for the refresh; the refresh failed; the old set decided.
    await expect(
      verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) })),
    ).resolves.toBeDefined();
    expect(server.count(JWKS)).toBe(2);
    // Within the backoff, no wait and no fetch.
    await expect(
      verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) })),
    ).resolves.toBeDefined();
    expect(server.count(JWKS)).toBe(2);
  });

  it('waits for a hanging refresh past maxAgeMs no longer than timeoutMs, then serves stale', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { maxAgeMs: 60_000, timeoutMs: 500 },
    });
    const token = await sign({ now: Math.floor(clock.now() / 1000) });
    await verifier.verify(token);
    server.behaviour = { kind: 'hang' };
    clock.advance(61_000);
    const started = performance.now();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(1_500);
    // After that failure requests no longer wait: the next fetch is in the background.
    const again = performance.now();
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(performance.now() - again).toBeLessThan(300);
  });
});

async function timeTo503(verifier: ReturnType<typeof verifierFor>): Promise<number> {
  const started = performance.now();
  const error = await rejection(verifier.verify(await sign()));
  expect(error.status).toBe(503);
  return performance.now() - started;
}

describe('rule 3: one deadline bounds everything a request waits for', () => {
  it('a hanging discovery endpoint holds a request no longer than a hanging key set endpoint', async () => {
    const timeoutMs = 700;
    server.hangingPaths.add(JWKS);
    const hangingKeySet = await timeTo503(verifierFor(server, { keySet: { timeoutMs } }));
    server.hangingPaths.add('/.well-known/openid-configuration');
    server.hangingPaths.add('/.well-known/oauth-authorization-server');
    const hangingDiscovery = await timeTo503(
      createAccessTokenVerifier({
        issuer: server.issuer,
        audience: AUDIENCE,
        keySet: { timeoutMs },
      }),
    );
    // Before, discovery tried both metadata URLs for timeoutMs each: twice as long.
    expect(hangingKeySet).toBeLessThan(timeoutMs + 500);
    expect(hangingDiscovery).toBeLessThan(timeoutMs + 500);
  });

  it('a slow discovery leaves the key set only what remains of the deadline', async () => {
    const timeoutMs = 800;
    server.delays.set('/.well-known/openid-configuration', 500);
    server.hangingPaths.add(JWKS);
    const verifier = createAccessTokenVerifier({
      issuer: server.issuer,
      audience: AUDIENCE,
      keySet: { timeoutMs },
    });
    const started = performance.now();
    expect((await rejection(verifier.verify(await sign()))).status).toBe(503);
    // Before, the key set got a whole timeoutMs after discovery: 1300 ms.
    expect(performance.now() - started).toBeLessThan(timeoutMs + 350);
    expect(server.count(JWKS)).toBe(1);
  });

  it('an unknown kid whose refetch hangs ends within the deadline with 503', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      keySet: { cooldownMs: 1_000, timeoutMs: 500 },
    });
    await verifier.verify(await sign());
    server.behaviour = { kind: 'hang' };
    clock.advance(1_000);
    const started = performance.now();
    const error = await rejection(verifier.verify(await sign({}, await createTestKey('RS256'))));
    expect(error.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

/** A token with the given header, signed by a node:crypto private key (any size, any kid). */
function signRaw(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'], kid: string) {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64json({ alg: 'RS256', typ: 'JWT', kid })}.${b64json({
    iss: server.issuer,
    sub: 'auth0|user-1',
    aud: AUDIENCE,
    iat: now,
    exp: now + 3600,
  })}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('rule 4: key material that cannot be a public verification key makes that key unusable', () => {
  const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPublic = rsaPair.publicKey.export({ format: 'jwk' });
  const rsaPrivate = rsaPair.privateKey.export({ format: 'jwk' });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const smallPublic = small.publicKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    format: 'jwk',
  });
  const n = rsaPublic.n ?? '';
  const evenModulus = Buffer.from(n, 'base64url');
  evenModulus[evenModulus.length - 1] = (evenModulus.at(-1) ?? 0) & 0xfe;

  /** Broken variants of the public key that signs the token, each published under kid "broken". */
  const variants: Array<[string, unknown, 'RS256' | 'ES256']> = [
    ['an entry without kty (not a JWK object)', { kid: 'broken', n, e: rsaPublic.e }, 'RS256'],
    ['private members (d, p, q, ...)', { ...rsaPrivate, kid: 'broken' }, 'RS256'],
    [
      'a modulus with a character outside base64url',
      { ...rsaPublic, kid: 'broken', n: `${n.slice(0, 40)}*${n.slice(40)}` },
      'RS256',
    ],
    ['a padded modulus', { ...rsaPublic, kid: 'broken', n: `${n}==` }, 'RS256'],
    [
      'an even modulus',
      { ...rsaPublic, kid: 'broken', n: evenModulus.toString('base64url') },
      'RS256',
    ],
    ['a 1024-bit modulus', { ...smallPublic, kid: 'broken' }, 'RS256'],
    [
      'a public exponent of 1 (anyone could forge)',
      { ...rsaPublic, kid: 'broken', e: 'AQ' },
      'RS256',
    ],
    ['an EC point not on its curve', { ...ec, kid: 'broken', y: ec.x }, 'ES256'],
    ['ext of the wrong type', { ...rsaPublic, kid: 'broken', ext: 'true' }, 'RS256'],
    ['use "enc"', { ...rsaPublic, kid: 'broken', use: 'enc' }, 'RS256'],
    ['use of the wrong type', { ...rsaPublic, kid: 'broken', use: ['sig'] }, 'RS256'],
    ['key_ops that is not an array', { ...rsaPublic, kid: 'broken', key_ops: 'verify' }, 'RS256'],
    ['key_ops without verify', { ...rsaPublic, kid: 'broken', key_ops: ['sign'] }, 'RS256'],
  ];

  let events: Array<KeySetEvents['keyUnusable']>;
  const listen = (message: unknown) => {
    events.push(message as KeySetEvents['keyUnusable']);
  };
  beforeEach(() => {
    events = [];
    KEY_SET_CHANNELS.keyUnusable.subscribe(listen);
  });
  afterEach(() => {
    KEY_SET_CHANNELS.keyUnusable.unsubscribe(listen);
  });

  it.each(variants)(
    '%s: 503 for its tokens, an event naming the kid, the other keys work',
    async (_, broken, alg) => {
      server.keys = [key.publicJwk, broken as JWK];
      const verifier = verifierFor(server, { algorithms: ['RS256', 'ES256'] });
      const needsBroken =
        alg === 'RS256'
          ? signRaw(small.privateKey, 'broken')
          : await sign(
              { header: { alg: 'ES256', kid: 'broken' } },
              await createTestKey('ES256', 'broken'),
            );
      const error = await rejection(verifier.verify(needsBroken));
      expect(error).toBeInstanceOf(KeySetUnavailableError);
      expect(error.status).toBe(503);
      expect(error.wwwAuthenticate).toBeUndefined();
      expect(events).toEqual([
        expect.objectContaining({
          jwksUri: server.jwksUri,
          kid: 'broken',
          reason: expect.any(String),
        }),
      ]);
      // The other key goes on working.
      await expect(verifier.verify(await sign())).resolves.toBeDefined();
    },
  );

  it('a key signed for by a valid signature still gets 503, never 200, under a broken JWK', async () => {
    // The exponent-1 key would accept a forged signature: the token is refused before any check.
    server.keys = [key.publicJwk, { ...rsaPublic, kid: 'broken', e: 'AQ' }];
    const error = await rejection(
      verifierFor(server).verify(signRaw(rsaPair.privateKey, 'broken')),
    );
    expect(error.status).toBe(503);
  });

  it('reports an unusable key once per verifier, not on every refresh', async () => {
    const clock = manualClock();
    server.keys = [
      key.publicJwk,
      'not a key' as unknown as JWK,
      { kty: 'oct', k: 'c2VjcmV0', kid: 'shared' },
    ];
    const verifier = verifierFor(server, { clock: clock.now, keySet: { maxAgeMs: 60_000 } });
    await verifier.verify(await sign());
    clock.advance(61_000);
    await verifier.verify(await sign());
    expect(server.count(JWKS)).toBe(2);
    expect(events.map((event) => event.kid)).toEqual([undefined, 'shared']);
  });

  it('a kid-less token uses the only usable key that fits, whatever else is broken', async () => {
    server.keys = [key.publicJwk, { ...rsaPublic, kid: 'broken', use: 'enc' }];
    await expect(
      verifierFor(server).verify(await sign({ header: { kid: undefined } })),
    ).resolves.toBeDefined();
  });

  it.each([
    ['no key at all', []],
    [
      'only an oct key and an encryption key',
      [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'shared' },
        { ...rsaPublic, use: 'enc' },
      ],
    ],
    ['only private keys', [{ ...rsaPrivate, kid: 'private' }]],
  ])('a key set with %s is malformed: 503, even for an unknown kid', async (_, keys) => {
    server.keys = keys;
    const error = await rejection(verifierFor(server).verify(await sign()));
    expect(error.status).toBe(503);
    expect(error.body.error).toBe('temporarily_unavailable');
  });

  it('a set whose only usable key is dropped by a refresh keeps the last good set (stale-if-error)', async () => {
    const clock = manualClock();
    const verifier = verifierFor(server, {
      clock: clock.now,
      cache: false,
      keySet: { maxAgeMs: 60_000 },
    });
    await verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) }));
    server.keys = [{ ...rsaPrivate, kid: key.kid }];
    clock.advance(61_000);
    await expect(
      verifier.verify(await sign({ now: Math.floor(clock.now() / 1000) })),
    ).resolves.toBeDefined();
  });
});
