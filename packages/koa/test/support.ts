import { once } from 'node:events';
import type { Server } from 'node:http';
import {
  GrantType,
  startMockServer,
  tutorialTenant,
  TUTORIAL,
  type MockServer,
  type MockServerConfig,
} from '@ropkit/mock-server';
import type Koa from 'koa';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { TokenClient, renderBearerError, type BearerError } from '@ropkit/core';

export { TUTORIAL };

/** Users and secrets of the test tenant. The TOTP secret is a canary too. */
export const USERS = {
  mfa: {
    email: 'mfa@example.com',
    password: 'mfa-pwd',
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  blocked: { email: 'blocked@example.com', password: 'blocked-pwd' },
} as const;

/** A confidential client whose `auth0-forwarded-for` the mock trusts. */
export const TRUSTED_CLIENT = { clientId: 'trusted-backend', clientSecret: 'trusted-secret' };

/** The tutorial tenant plus a second scope, MFA and blocked users, a trusted client, and a low brute-force threshold. */
export function testTenant(overrides: MockServerConfig = {}): MockServerConfig {
  const base = tutorialTenant();
  return tutorialTenant({
    apis: [
      {
        identifier: TUTORIAL.audience,
        scopes: ['read:sample', 'write:sample'],
        allowOfflineAccess: true,
      },
    ],
    clients: [
      ...(base.clients ?? []),
      {
        ...TRUSTED_CLIENT,
        grantTypes: [GrantType.password, GrantType.refreshToken],
        trustForwardedFor: true,
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: TUTORIAL.username, password: TUTORIAL.password },
          {
            email: USERS.mfa.email,
            password: USERS.mfa.password,
            mfa: { totpSecret: USERS.mfa.totpSecret },
          },
          { email: USERS.blocked.email, password: USERS.blocked.password, blocked: true },
        ],
      },
    ],
    bruteForce: { threshold: 3 },
    ...overrides,
  });
}

/** Starts the mock server in-process for a test file; resets it before each test. */
export function useMockServer(config: MockServerConfig = testTenant()) {
  const handle = { server: undefined as unknown as MockServer };
  beforeAll(async () => {
    handle.server = await startMockServer(config);
  });
  beforeEach(async () => {
    await handle.server.control.reset();
  });
  afterAll(async () => {
    await handle.server.close();
  });
  return handle;
}

/** An access token from the mock for the tutorial user (password grant), with `scope`. */
export async function issueToken(server: MockServer, scope = 'read:sample'): Promise<string> {
  const client = new TokenClient({
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    ...(scope === '' ? {} : { scope }),
  });
  const tokens = await client.password({
    username: TUTORIAL.username,
    password: TUTORIAL.password,
  });
  return tokens.accessToken;
}

/** Verifier options for tokens of the mock's tutorial API. */
export function verifierOptions(server: MockServer) {
  return { issuer: server.issuer, audience: TUTORIAL.audience };
}

/** A running Koa app on 127.0.0.1, port 0. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** `app.listen(0)` on loopback. */
export async function listen(app: Koa): Promise<Listening> {
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/** Asserts that a response is exactly core's `renderBearerError(error)`: status, headers, bytes. */
export async function expectRendered(response: Response, error: BearerError): Promise<void> {
  const expected = renderBearerError(error);
  expect(response.status).toBe(expected.status);
  const names = ['content-type', 'cache-control', 'www-authenticate'];
  expect(Object.keys(expected.headers).every((name) => names.includes(name))).toBe(true);
  expect(Object.fromEntries(names.map((name) => [name, response.headers.get(name)]))).toEqual(
    Object.fromEntries(names.map((name) => [name, expected.headers[name] ?? null])),
  );
  expect(await response.text()).toBe(expected.body);
}

/**
 * A browser-like HTTP client: keeps the cookies the server sets (koa-session's signed cookie and
 * its signature) and sends them back.
 */
export class Browser {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent. */
  readonly setCookies: string[] = [];

  constructor(base: string, headers: Record<string, string> = {}) {
    this.#base = base;
    this.#headers = headers;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.#headers)) headers.set(name, value);
    if (this.cookies.size > 0) {
      headers.set(
        'cookie',
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      );
    }
    const response = await fetch(`${this.#base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const pair = line.split(';', 1)[0] ?? '';
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  postJson(path: string, body: unknown): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  postForm(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields) });
  }
}

/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';
