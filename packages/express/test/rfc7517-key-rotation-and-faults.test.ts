import { KeySetUnavailableError, renderBearerError } from '@ropkit/core';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { auth, authErrorHandler } from '../src/index.js';
import { accessToken, bearer, serve, useMockServer, verifierOptions } from './support.js';

const mock = useMockServer();

/** An API whose verifier may refetch the key set at any time (cooldown 0), as the brief asks. */
async function api() {
  const app = express();
  app.get(
    '/private',
    auth(verifierOptions(mock.server, { keySet: { cooldownMs: 0 } })),
    (req, res) => {
      res.json({ kid: req.auth?.header.kid ?? null });
    },
  );
  app.use(authErrorHandler());
  return serve(app);
}

async function keySetFetches(): Promise<number> {
  return (await mock.server.control.requests()).filter(
    (entry) => entry.path === '/.well-known/jwks.json',
  ).length;
}

function kidOf(token: string): string {
  const header: unknown = JSON.parse(
    Buffer.from(token.split('.')[0] ?? '', 'base64url').toString(),
  );
  return String((header as { kid?: unknown }).kid);
}

describe('signing key rotation (RFC 7517 key sets) through auth()', () => {
  it('picks up a rotated-in key and keeps accepting the previous one while it is published', async () => {
    const { url } = await api();
    const before = await accessToken(mock.server);
    expect((await fetch(`${url}/private`, { headers: bearer(before) })).status).toBe(200);
    expect(await keySetFetches()).toBe(1);

    const { kid } = await mock.server.control.rotateSigningKey();
    const after = await accessToken(mock.server);
    expect(kidOf(after)).toBe(kid);
    const response = await fetch(`${url}/private`, { headers: bearer(after) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ kid });
    // The unknown kid caused exactly one refetch.
    expect(await keySetFetches()).toBe(2);
    expect((await fetch(`${url}/private`, { headers: bearer(before) })).status).toBe(200);
  });

  it('refuses tokens of a withdrawn key once the key set is refetched, even if cached', async () => {
    const { url } = await api();
    const old = await accessToken(mock.server);
    expect((await fetch(`${url}/private`, { headers: bearer(old) })).status).toBe(200);

    const { previousKid } = await mock.server.control.rotateSigningKey();
    await mock.server.control.withdrawSigningKey(previousKid);
    // A token of the new key makes the verifier refetch; the old key is gone from that set.
    const fresh = await accessToken(mock.server);
    expect((await fetch(`${url}/private`, { headers: bearer(fresh) })).status).toBe(200);

    const refused = await fetch(`${url}/private`, { headers: bearer(old) });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: 'invalid_token',
      error_description: 'Token signing key is unknown',
    });
  });
});

describe('key set endpoint failures: 503, not 401 (clients must not drop good tokens)', () => {
  it.each([
    ['a 503 answer', { kind: 'status', status: 503 }],
    ['an HTML error page', { kind: 'html' }],
    ['a dropped connection', { kind: 'drop' }],
  ] as const)('answers 503 temporarily_unavailable on %s, then recovers', async (_name, fault) => {
    const { url } = await api();
    const token = await accessToken(mock.server);
    await mock.server.control.queueFault({ endpoint: '/.well-known/jwks.json', ...fault });

    const failed = await fetch(`${url}/private`, { headers: bearer(token) });
    const expected = renderBearerError(
      new KeySetUnavailableError('The signing keys are unavailable', { realm: 'api' }),
    );
    expect(failed.status).toBe(503);
    expect(failed.headers.get('www-authenticate')).toBeNull();
    expect(failed.headers.get('content-type')).toBe(expected.headers['content-type']);
    expect(await failed.text()).toBe(expected.body);

    // The fault was for one request; with a zero cooldown the next request fetches again.
    expect((await fetch(`${url}/private`, { headers: bearer(token) })).status).toBe(200);
  });
});
