import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import {
  GrantType,
  startMockServer,
  tutorialTenant,
  TUTORIAL,
  type MockServer,
} from '@ropkit/mock-server';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ErrorResponse } from '@ropkit/core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  ReauthenticationRequiredError,
  TokenClient,
  fastifyRopkit,
  passwordLogin,
  type PasswordLoginOptions,
  type PasswordLoginHandlers,
} from '../src/index.js';

export { TUTORIAL };

/** Test-only secrets; each is a canary that must never appear in a log, cookie or answer. */
export const SECRETS = {
  mfaTotp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  trustedSecret: 'trusted-secret-canary-4f1d',
} as const;

/** A namespaced claim a rule adds for the tutorial user (Auth0 rules need a URL namespace). */
export const ROLES_CLAIM = 'https://ropkit.test/roles';

/** The brute-force threshold of the test tenant. */
export const BRUTE_FORCE_THRESHOLD = 3;

/**
 * The tutorial tenant plus an MFA user, a blocked user, a trusted backend and two more scopes.
 * (A password grant that names none of the API's scopes gets all of them, as at Auth0: a token
 * without `read:sample` is asked for with `delete:sample` only.)
 */
export function testTenant() {
  const base = tutorialTenant();
  return tutorialTenant({
    apis: [
      {
        identifier: TUTORIAL.audience,
        scopes: ['read:sample', 'write:sample', 'delete:sample'],
        allowOfflineAccess: true,
      },
    ],
    clients: [
      ...(base.clients ?? []),
      {
        clientId: 'trusted-backend',
        clientSecret: SECRETS.trustedSecret,
        grantTypes: [GrantType.password, GrantType.refreshToken, GrantType.mfaOtp],
        trustForwardedFor: true,
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: TUTORIAL.username, password: TUTORIAL.password },
          { email: 'mfa@example.com', password: 'mfa-pwd', mfa: { totpSecret: SECRETS.mfaTotp } },
          { email: 'blocked@example.com', password: 'blocked-pwd', blocked: true },
        ],
      },
    ],
    rules: [
      { name: 'roles', user: TUTORIAL.username, accessTokenClaims: { [ROLES_CLAIM]: ['reader'] } },
    ],
    bruteForce: { threshold: BRUTE_FORCE_THRESHOLD },
  });
}

/**
 * The clock shared by the mock, the token manager and the verifiers of one test: tokens issued
 * after the mock's clock moves carry that time, so everything that reads them must agree.
 */
export interface SharedClock {
  readonly now: () => number;
  readonly advance: (seconds: number) => Promise<void>;
}

/** Starts the mock server in-process for a test file; resets it (and the clock) before each test. */
export function useMockServer() {
  let offsetMs = 0;
  const handle = {
    server: undefined as unknown as MockServer,
    clock: {
      now: () => Date.now() + offsetMs,
      advance: async (seconds: number) => {
        await handle.server.control.advanceClock(seconds);
        offsetMs += seconds * 1000;
      },
    } satisfies SharedClock,
  };
  beforeAll(async () => {
    handle.server = await startMockServer(testTenant());
  });
  beforeEach(async () => {
    await handle.server.control.reset();
    offsetMs = 0;
  });
  afterAll(async () => {
    await handle.server.close();
  });
  return handle;
}

/** A password grant straight from the mock, for tests of the protected routes. */
export async function issueToken(
  server: MockServer,
  options: { scope?: string; username?: string; password?: string } = {},
): Promise<string> {
  const client = new TokenClient({
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: options.scope ?? 'read:sample',
  });
  const tokens = await client.password({
    username: options.username ?? TUTORIAL.username,
    password: options.password ?? TUTORIAL.password,
  });
  return tokens.accessToken;
}

/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';

/** Options of {@link startLoginApp}. */
export interface LoginAppOptions {
  clock: SharedClock;
  /** Default: the tutorial client. */
  clientId?: string;
  forwardUserIp?: boolean;
  /** Fastify's own option. Default `false`. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** Fastify's logger. Default: off. */
  logger?: FastifyServerOptions['logger'];
  /** The URL `GET /call-api` fetches with the session's token. */
  downstreamUrl?: string;
  realm?: PasswordLoginOptions['realm'];
  /** The map behind @fastify/session's memory store, for tests to look into. */
  sessions?: Map<string, unknown>;
}

/**
 * A Fastify app set up as a user would: @fastify/cookie, @fastify/session (in-memory store),
 * @fastify/formbody, the ropkit plugin and its login routes, plus two routes that use
 * `request.accessToken()` and `request.apiFetch()`.
 */
export async function startLoginApp(
  server: MockServer,
  options: LoginAppOptions,
): Promise<{ app: FastifyInstance; login: PasswordLoginHandlers }> {
  const trusted = options.clientId === 'trusted-backend';
  const login = passwordLogin({
    client: {
      tokenEndpoint: server.tokenEndpoint,
      clientId: options.clientId ?? TUTORIAL.clientId,
      clientSecret: trusted ? SECRETS.trustedSecret : TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
      clock: options.clock.now,
    },
    ...(options.forwardUserIp === undefined ? {} : { forwardUserIp: options.forwardUserIp }),
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    manager: { clock: options.clock.now, jitterShare: 0 },
  });
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: randomBytes(32).toString('base64url'),
    cookie: { secure: false },
    saveUninitialized: false,
    ...(options.sessions === undefined
      ? {}
      : { store: new fastifySession.MemoryStore(options.sessions as Map<string, never>) }),
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyRopkit, { login });
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);
  app.get('/token', async (request, reply) => {
    try {
      return { accessToken: await request.accessToken() };
    } catch (error) {
      if (error instanceof ReauthenticationRequiredError) return reply.code(401).send({});
      throw error;
    }
  });
  const { downstreamUrl } = options;
  if (downstreamUrl !== undefined) {
    app.get('/call-api', async (request, reply) => {
      try {
        const response = await request.apiFetch(downstreamUrl);
        return reply.code(response.status).send(await response.json());
      } catch (error) {
        if (error instanceof ReauthenticationRequiredError) return reply.code(401).send({});
        throw error;
      }
    });
  }
  await app.ready();
  return { app, login };
}

/** The session cookie of an injected answer, ready to send back. */
export function sessionCookie(response: {
  cookies: Array<{ name: string; value: string }>;
}): Record<string, string> {
  const cookie = response.cookies.find(({ name }) => name === 'sessionId');
  if (cookie === undefined) throw new Error('no session cookie in the answer');
  return { sessionId: cookie.value };
}

/** The headers core's `renderBearerError` sets: the ones that must match across adapters. */
const RENDERED_HEADERS = ['content-type', 'cache-control', 'www-authenticate'] as const;

/**
 * An injected answer reduced to what `renderBearerError` describes (status, those headers when
 * present, exact body), to compare with `toEqual`. A `WWW-Authenticate` the rendering lacks shows up.
 */
export function injectedAnswer(response: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}): ErrorResponse {
  const headers: Record<string, string> = {};
  for (const name of RENDERED_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  return { status: response.statusCode, headers, body: response.body };
}

/** The same for an answer read with `fetch` over a socket. */
export async function fetchedAnswer(response: Response): Promise<ErrorResponse> {
  const headers: Record<string, string> = {};
  for (const name of RENDERED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.text() };
}
