import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auth, fastifyRopkit } from '../src/index.js';
import { TUTORIAL, sessionCookie, startLoginApp, useMockServer } from './support.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The API the signed-in app calls, on a real socket: it answers who called and when the token was issued. */
let api: FastifyInstance;
let apiUrl: string;
beforeAll(async () => {
  api = Fastify();
  await api.register(fastifyRopkit);
  const protect = auth({
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
    jwksUri: mock.server.jwksUri,
    clock: mock.clock.now,
  });
  api.get('/api/whoami', { onRequest: protect }, (request) => ({
    sub: request.auth?.payload.sub,
    iat: request.auth?.payload.iat,
  }));
  apiUrl = `${await api.listen({ host: '127.0.0.1', port: 0 })}/api/whoami`;
});
afterAll(async () => {
  await api.close();
});

describe('request.apiFetch(): the API call of the tutorial, without handling refresh', () => {
  it('calls the API with the session token and refreshes it once due', async () => {
    const { app } = await startLoginApp(mock.server, { clock: mock.clock, downstreamUrl: apiUrl });
    apps.push(app);
    const login = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: TUTORIAL.username, password: TUTORIAL.password },
    });
    const cookies = sessionCookie(login);

    const first = await app.inject({ url: '/call-api', cookies });
    expect(first.statusCode).toBe(200);
    const before = first.json<{ sub: string; iat: number }>();
    expect(before.sub).toMatch(/^auth0\|/);

    // 80% of the 24 h lifetime is the refresh point; move both clocks past it.
    await mock.clock.advance(0.9 * 86_400);
    const second = await app.inject({ url: '/call-api', cookies });
    expect(second.statusCode).toBe(200);
    const after = second.json<{ sub: string; iat: number }>();
    expect(after.sub).toBe(before.sub);
    expect(after.iat).toBeGreaterThanOrEqual(before.iat + 0.9 * 86_400);
    const grants = (await mock.server.control.requests())
      .filter((entry) => entry.path === '/oauth/token')
      .map((entry) => entry.grantType);
    expect(grants).toEqual(['password', 'refresh_token']);
  });

  it('answers the route without a signed-in session (no token is sent)', async () => {
    const { app } = await startLoginApp(mock.server, { clock: mock.clock, downstreamUrl: apiUrl });
    apps.push(app);
    expect((await app.inject({ url: '/call-api' })).statusCode).toBe(401);
  });
});
