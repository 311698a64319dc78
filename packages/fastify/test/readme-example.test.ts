// The README's first example, kept here so that it cannot rot: the same code, with the mock's
// issuer in place of YOUR_DOMAIN and inject() in place of listen().
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { auth, fastifyRopkit, requireScopes } from '../src/index.js';
import { TUTORIAL, issueToken, useMockServer } from './support.js';

const mock = useMockServer();

it('protects a route as the README shows', async () => {
  const app = Fastify();
  await app.register(fastifyRopkit); // declares request.auth

  const protect = auth({
    issuer: mock.server.issuer, // 'https://YOUR_DOMAIN/' in the README
    audience: TUTORIAL.audience,
  });

  app.get('/api/public', () => ({ message: 'no token needed' }));
  app.get('/api/private', { onRequest: protect }, (request) => ({
    sub: request.auth?.payload.sub,
  }));
  app.get(
    '/api/private-scoped',
    { onRequest: [protect, requireScopes('read:sample')] },
    (request) => ({
      sub: request.auth?.payload.sub,
    }),
  );

  try {
    expect((await app.inject({ url: '/api/public' })).statusCode).toBe(200);
    const anonymous = await app.inject({ url: '/api/private' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="api"');
    const token = await issueToken(mock.server);
    const signed = await app.inject({
      url: '/api/private-scoped',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(signed.json<{ sub: string }>().sub).toMatch(/^auth0\|/);
  } finally {
    await app.close();
  }
});
