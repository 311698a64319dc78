import { createServer } from 'node:http';
import {
  GrantType,
  startMockServer,
  tutorialTenant,
  TUTORIAL,
  type MockServer,
  type MockServerConfig,
} from '@ropkit/mock-server';
import type { Express } from 'express';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { TokenClient, type AccessTokenVerifierOptions } from '@ropkit/core';

export { TUTORIAL };

/** Users and secrets of the test tenant; the passwords double as canaries for leaks. */
export const USERS = {
  mfa: {
    email: 'mfa@example.com',
    password: 'mfa-pwd',
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  blocked: { email: 'blocked@example.com', password: 'blocked-pwd' },
  /** A rule leaves this user's access tokens without any scope. */
  unscoped: { email: 'plain@example.com', password: 'plain-pwd' },
  employee: { email: 'employee@example.com', password: 'employee-pwd' },
} as const;

/** A confidential client Auth0 would believe `auth0-forwarded-for` from. */
export const TRUSTED_CLIENT = {
  clientId: 'trusted-backend',
  clientSecret: 'trusted-backend-secret',
} as const;

/** Brute-force threshold of the test tenant, low so the tests stay short. */
export const BRUTE_FORCE_THRESHOLD = 3;

/** The tutorial tenant plus what the adapter tests need. */
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
        grantTypes: [
          GrantType.password,
          GrantType.passwordRealm,
          GrantType.refreshToken,
          GrantType.mfaOtp,
        ],
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
          { email: USERS.unscoped.email, password: USERS.unscoped.password },
        ],
      },
      {
        name: 'employees',
        users: [{ email: USERS.employee.email, password: USERS.employee.password }],
      },
    ],
    rules: [{ name: 'no scopes', user: USERS.unscoped.email, scope: [] }],
    bruteForce: { threshold: BRUTE_FORCE_THRESHOLD },
    ...overrides,
  });
}

/** Starts the mock server in-process for a test file; resets it before each test. */
export function useMockServer(config: MockServerConfig = testTenant()): { server: MockServer } {
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

/** Verifier options for the mock's tokens (issuer discovery over loopback `http:`). */
export function verifierOptions(
  server: MockServer,
  options: Partial<AccessTokenVerifierOptions> = {},
): AccessTokenVerifierOptions {
  return { issuer: server.issuer, audience: TUTORIAL.audience, ...options };
}

/** An access token from the mock for a user, through core's token client. */
export async function accessToken(
  server: MockServer,
  options: { username?: string; password?: string; scope?: string } = {},
): Promise<string> {
  const client = new TokenClient({
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
  });
  const tokens = await client.password({
    username: options.username ?? TUTORIAL.username,
    password: options.password ?? TUTORIAL.password,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  });
  return tokens.accessToken;
}

/** A running Express app on 127.0.0.1. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `app` on 127.0.0.1 and an ephemeral port until the end of the test file (or until
 * `close()`).
 */
export async function serve(app: Express): Promise<RunningApp> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not on TCP');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    });
    return closed;
  };
  running.add(close);
  return { url: `http://127.0.0.1:${address.port}`, close };
}

const running = new Set<() => Promise<void>>();
afterEach(async () => {
  await Promise.all([...running].map((close) => close()));
  running.clear();
});

/** A client that keeps cookies, like a browser, and can play a proxy (`X-Forwarded-For`). */
export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.#baseUrl = baseUrl;
    this.#headers = headers;
  }

  /** The `Cookie` header this browser sends. */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.#headers)) headers.set(name, value);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader);
    const response = await fetch(`${this.#baseUrl}${path}`, {
      ...init,
      headers,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const equals = pair.indexOf('=');
      this.cookies.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    return response;
  }

  postJson(path: string, body: unknown): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  postForm(path: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';

/** A `Bearer` Authorization header. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
