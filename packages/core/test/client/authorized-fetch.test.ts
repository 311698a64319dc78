import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BearerError,
  ReauthenticationRequiredError,
  TokenManager,
  bearerTokenInterceptor,
  bearerChallengeError,
  checkScopes,
  createAccessTokenVerifier,
  createAuthorizedFetch,
} from '../../src/index.js';
import { TUTORIAL, tutorialClient, useMockServer } from './support.js';

const mock = useMockServer();
let api: Server;
let apiUrl: string;
/** Access tokens the API treats as revoked, to provoke `invalid_token`. */
const revoked = new Set<string>();
let calls = 0;

beforeEach(() => {
  // The mock issues the same token for the same user within one second: start clean.
  revoked.clear();
});

beforeAll(async () => {
  const verifier = createAccessTokenVerifier({
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
  });
  api = createServer((req, res) => {
    calls++;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    verifier
      .authenticate(req)
      .then((auth) => {
        if (revoked.has(auth.token)) {
          send(
            401,
            {},
            {
              'www-authenticate':
                'Bearer realm="api", error="invalid_token", error_description="Token revoked"',
            },
          );
          return;
        }
        if (req.url === '/api/admin') checkScopes(auth.scopes, ['admin'], 'all', 'api');
        if (req.url === '/api/echo') {
          let text = '';
          req.on('data', (chunk: Buffer) => (text += chunk.toString()));
          req.on('end', () => send(200, { type: req.headers['content-type'], text }));
          return;
        }
        send(200, { sub: auth.payload.sub, method: req.method });
      })
      .catch((error: unknown) => {
        if (error instanceof BearerError) send(error.status, error.body, error.headers);
        else send(500, {});
      });
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => {
  api.close();
});

async function signedIn() {
  const manager = new TokenManager({ client: tutorialClient(mock.server) });
  const tokens = await manager.signIn('s', {
    username: TUTORIAL.username,
    password: TUTORIAL.password,
  });
  return { manager, tokens, fetch: createAuthorizedFetch({ manager, key: 's' }) };
}

describe('calling the API with the managed token (tutorial step "Call API")', () => {
  it('sends Authorization: Bearer and the API accepts it', async () => {
    const { fetch } = await signedIn();
    const response = await fetch(`${apiUrl}/api/private`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: expect.stringMatching(/^auth0\|/),
      method: 'GET',
    });
  });

  it('refreshes once and repeats an idempotent request after 401 invalid_token', async () => {
    const { fetch, tokens } = await signedIn();
    revoked.add(tokens.accessToken);
    calls = 0;
    const response = await fetch(`${apiUrl}/api/private`, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(200);
    expect(calls).toBe(2);
    const refreshes = (await mock.server.control.requests()).filter(
      (e) => e.grantType === 'refresh_token',
    );
    expect(refreshes).toHaveLength(1);
  });

  it('does not repeat a POST', async () => {
    const { fetch, tokens } = await signedIn();
    revoked.add(tokens.accessToken);
    calls = 0;
    const response = await fetch(`${apiUrl}/api/private`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(calls).toBe(1);
  });

  it('surfaces 403 insufficient_scope without refreshing', async () => {
    const { fetch } = await signedIn();
    const response = await fetch(`${apiUrl}/api/admin`);
    expect(response.status).toBe(403);
    expect(bearerChallengeError(response.headers.get('www-authenticate'))).toBe(
      'insufficient_scope',
    );
    const refreshes = (await mock.server.control.requests()).filter(
      (e) => e.grantType === 'refresh_token',
    );
    expect(refreshes).toHaveLength(0);
  });
});

describe('bearerChallengeError', () => {
  it('reads the error attribute of a challenge', () => {
    expect(bearerChallengeError('Bearer realm="api", error="invalid_token"')).toBe('invalid_token');
    expect(bearerChallengeError('Bearer realm="api"')).toBeUndefined();
    expect(bearerChallengeError(null)).toBeUndefined();
  });
});

describe('bearerTokenInterceptor', () => {
  it('sends the managed token through a composed undici Agent', async () => {
    const { manager } = await signedIn();
    const dispatcher = new Agent().compose(bearerTokenInterceptor({ manager, key: 's' }));
    try {
      const response = await request(`${apiUrl}/api/private`, {
        dispatcher,
        headers: { authorization: 'Bearer stale-value', accept: 'application/json' },
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({
        sub: expect.stringMatching(/^auth0\|/),
        method: 'GET',
      });
    } finally {
      await dispatcher.close();
    }
  });

  it('fails the request with the manager error when no tokens are stored', async () => {
    const manager = new TokenManager({ client: tutorialClient(mock.server) });
    const dispatcher = new Agent().compose(bearerTokenInterceptor({ manager, key: 'nobody' }));
    try {
      await expect(request(`${apiUrl}/api/private`, { dispatcher })).rejects.toBeInstanceOf(
        ReauthenticationRequiredError,
      );
    } finally {
      await dispatcher.close();
    }
  });
});

describe('createAuthorizedFetch speaks the global fetch types', () => {
  it('answers a global Response, and sends a global FormData as multipart', async () => {
    const manager = new TokenManager({ client: tutorialClient(mock.server) });
    await manager.signIn('global-types', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const call = createAuthorizedFetch({ manager, key: 'global-types' });
    const plain: Response = await call(`${apiUrl}/api/private`);
    expect(plain).toBeInstanceOf(globalThis.Response);
    expect(plain.status).toBe(200);
    const form = new FormData();
    form.set('field', 'value');
    const echoed = await call(`${apiUrl}/api/echo`, { method: 'POST', body: form });
    const { type, text } = (await echoed.json()) as { type: string; text: string };
    expect(type).toMatch(/^multipart\/form-data; boundary=/);
    expect(text).toContain('name="field"');
    expect(text).toContain('value');
    manager.close();
  });
});
