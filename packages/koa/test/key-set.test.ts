import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { KeySetUnavailableError } from '@ropkit/core';
import { auth, authErrors, type AuthOptions } from '../src/index.js';
import { issueToken, listen, useMockServer, verifierOptions, type Listening } from './support.js';

const mock = useMockServer();
let app: Listening | undefined;
let appErrors: unknown[] = [];

afterEach(async () => {
  await app?.close();
  app = undefined;
  appErrors = [];
});

/** A fresh app (and so a fresh verifier with an empty key set) per test. */
async function protectedApp(options: Partial<AuthOptions> = {}): Promise<Listening> {
  const koa = new Koa();
  koa.on('error', (error: unknown) => appErrors.push(error));
  koa.use(authErrors());
  koa.use(
    auth({
      ...verifierOptions(mock.server),
      jwksUri: mock.server.jwksUri,
      // Refetch on every unknown kid: rotation is picked up on the next request.
      keySet: { cooldownMs: 0 },
      ...options,
    }),
  );
  koa.use((ctx) => {
    ctx.body = { kid: ctx.state.auth?.header.kid };
  });
  app = await listen(koa);
  return app;
}

function call(target: Listening, token: string): Promise<Response> {
  return fetch(target.url, { headers: { authorization: `Bearer ${token}` } });
}

describe('key rotation (RFC 7517 key sets)', () => {
  it('accepts tokens of a rotated-in key and of the previous one while it is published', async () => {
    const target = await protectedApp();
    const before = await issueToken(mock.server);
    expect((await call(target, before)).status).toBe(200);

    const { kid } = await mock.server.control.rotateSigningKey();
    const after = await issueToken(mock.server);
    const response = await call(target, after);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ kid });
    expect((await call(target, before)).status).toBe(200);
  });

  it('refuses tokens of a withdrawn key once the key set is refetched, even if verified before', async () => {
    const target = await protectedApp();
    const old = await issueToken(mock.server);
    expect((await call(target, old)).status).toBe(200);

    const first = await mock.server.control.rotateSigningKey();
    await mock.server.control.rotateSigningKey();
    await mock.server.control.withdrawSigningKey(first.previousKid);
    // A token of the newest key makes the verifier refetch the set, which no longer lists the old key.
    expect((await call(target, await issueToken(mock.server))).status).toBe(200);

    const refused = await call(target, old);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_token' });
  });
});

describe('key set failures', () => {
  it('answers 503 temporarily_unavailable, without a challenge, when the key set endpoint fails', async () => {
    const target = await protectedApp();
    const token = await issueToken(mock.server);
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
    });
    const response = await call(target, token);
    expect(response.status).toBe(503);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
    // The server's problem reaches the app's error listener (for logs); client errors do not.
    expect(appErrors).toHaveLength(1);
    expect(appErrors[0]).toBeInstanceOf(KeySetUnavailableError);

    // The fault was one answer: the next request fetches the keys again and gets through.
    expect((await call(target, token)).status).toBe(200);
  });

  it('keeps using the last good key set while the endpoint fails', async () => {
    // No token cache, and a key set that is always due for a refresh: every request looks keys up.
    const target = await protectedApp({
      cache: false,
      keySet: { cooldownMs: 0, maxAgeMs: 1, staleMaxAgeMs: 3_600_000 },
    });
    const token = await issueToken(mock.server);
    expect((await call(target, token)).status).toBe(200);
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
      times: 5,
    });
    expect((await call(target, token)).status).toBe(200);
    expect(appErrors).toEqual([]);
  });
});
