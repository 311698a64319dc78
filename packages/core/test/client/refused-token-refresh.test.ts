import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ReauthenticationRequiredError,
  TokenManager,
  createAuthorizedFetch,
} from '../../src/index.js';
import { HOSTILE_USER, hostileClient, rejection, useHostileServer } from './hostile-server.js';

const auth = useHostileServer();
const KEY = 'session';

/**
 * An API that refuses the tokens in `refused` with 401 `invalid_token` (RFC 6750 section 3.1),
 * each answer held back `?delay=` milliseconds, and accepts any other token.
 */
let api: Server;
let apiUrl: string;
const refused = new Set<string>();
/** Refuse every token, new ones included. */
let refuseAll = false;
/** The bearer token of each API request, in order of arrival. */
const sent: string[] = [];

beforeAll(async () => {
  api = createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    sent.push(token);
    const delay = Number(new URL(req.url ?? '/', 'http://api').searchParams.get('delay') ?? 0);
    setTimeout(() => {
      if (refuseAll || refused.has(token)) {
        res
          .writeHead(401, {
            'www-authenticate': 'Bearer realm="api", error="invalid_token"',
            'content-type': 'application/json',
          })
          .end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      }
    }, delay);
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  api.close();
  await once(api, 'close');
});
beforeEach(() => {
  refused.clear();
  refuseAll = false;
  sent.length = 0;
});

async function signedIn() {
  const manager = new TokenManager({ client: hostileClient(auth.server), jitterShare: 0 });
  const tokens = await manager.signIn(KEY, HOSTILE_USER);
  return { manager, tokens, fetch: createAuthorizedFetch({ manager, key: KEY }) };
}

describe('createAuthorizedFetch: 401 invalid_token refreshes only a token that is still current', () => {
  it('ten calls refused 100 ms apart cause one refresh, and each repeats with the new token', async () => {
    const { fetch, tokens } = await signedIn();
    refused.add(tokens.accessToken);
    // All ten leave with the same token; their 401s come back one by one, each after the
    // refresh that the first one caused has finished.
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fetch(`${apiUrl}/api?delay=${(i + 1) * 100}`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(auth.server.grants('refresh_token')).toBe(1);
    const fresh = sent.find((token) => token !== tokens.accessToken);
    expect(fresh).toBeDefined();
    // Ten first tries with the refused token, ten repeats with the one token that replaced it.
    expect(sent.filter((token) => token === tokens.accessToken)).toHaveLength(10);
    expect(sent.filter((token) => token === fresh)).toHaveLength(10);
  });

  it('ten calls refused at once cause one refresh as well (single flight)', async () => {
    const { fetch, tokens } = await signedIn();
    refused.add(tokens.accessToken);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${apiUrl}/api?delay=50`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(auth.server.grants('refresh_token')).toBe(1);
  });

  it('refreshes when the refused token is still the stored one', async () => {
    const { fetch, tokens, manager } = await signedIn();
    refused.add(tokens.accessToken);
    const response = await fetch(`${apiUrl}/api`, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(200);
    expect(auth.server.grants('refresh_token')).toBe(1);
    expect(await manager.getAccessToken(KEY)).not.toBe(tokens.accessToken);
    expect(sent).toEqual([tokens.accessToken, await manager.getAccessToken(KEY)]);
  });

  it('repeats once at most: a new token refused as well is returned as it is', async () => {
    const { fetch } = await signedIn();
    refuseAll = true;
    const response = await fetch(`${apiUrl}/api`);
    expect(response.status).toBe(401);
    expect(sent).toHaveLength(2);
    expect(auth.server.grants('refresh_token')).toBe(1);
  });

  it('neither repeats nor refreshes a POST', async () => {
    const { fetch, tokens } = await signedIn();
    refused.add(tokens.accessToken);
    const response = await fetch(`${apiUrl}/api`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(sent).toHaveLength(1);
    expect(auth.server.grants('refresh_token')).toBe(0);
  });
});

describe('TokenManager.refreshIfCurrent', () => {
  it('refreshes when the refused token is the stored one', async () => {
    const { manager, tokens } = await signedIn();
    const next = await manager.refreshIfCurrent(KEY, tokens.accessToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect(auth.server.grants('refresh_token')).toBe(1);
  });

  it('returns the stored set without a token request when the refused token was replaced', async () => {
    const { manager, tokens } = await signedIn();
    const replaced = await manager.refreshIfCurrent(KEY, tokens.accessToken);
    const again = await manager.refreshIfCurrent(KEY, tokens.accessToken);
    expect(again.accessToken).toBe(replaced.accessToken);
    expect(auth.server.grants('refresh_token')).toBe(1);
  });

  it('joins a refresh in flight instead of starting another', async () => {
    const { manager, tokens } = await signedIn();
    const [a, b, c] = await Promise.all([
      manager.refresh(KEY),
      manager.refreshIfCurrent(KEY, tokens.accessToken),
      manager.refreshIfCurrent(KEY, 'some-older-token'),
    ]);
    expect(new Set([a.accessToken, b.accessToken, c.accessToken]).size).toBe(1);
    expect(auth.server.grants('refresh_token')).toBe(1);
  });

  it('asks for sign-in when nothing is stored', async () => {
    const manager = new TokenManager({ client: hostileClient(auth.server) });
    expect(await rejection(manager.refreshIfCurrent('nobody', 'at-1'))).toBeInstanceOf(
      ReauthenticationRequiredError,
    );
  });

  it('refuses a refused token that is not a non-empty string', async () => {
    const { manager } = await signedIn();
    await expect(manager.refreshIfCurrent(KEY, '')).rejects.toThrow(
      new TypeError('"refusedAccessToken" must be a non-empty string'),
    );
  });
});
