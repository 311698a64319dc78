// The MFA routes of core's engine, registered as the README shows, each answering through
// Fastify. The engine's policies are core's tests; the cross-adapter bytes are the conformance
// kit's.
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import {
  Browser,
  callEveryLoginRoute,
  enableMfaSms,
  TUTORIAL,
  useMockServer,
} from '@ropkit/test-support';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { LOGIN_ROUTE_PATHS, LOGIN_ROUTES, passwordLogin } from '../src/index.js';

const mock = useMockServer();

describe('the login routes of passwordLogin()', () => {
  it('has a handler for every route of the engine, each registered and answering', async () => {
    await enableMfaSms(mock.server);
    const login = passwordLogin({
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
      },
    });
    const app = Fastify();
    app.addHook('onClose', async () => login.manager.close());
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: randomBytes(32).toString('base64url'),
      cookie: { secure: 'auto' },
      saveUninitialized: false,
    });
    await app.register(fastifyFormbody);
    await app.register(login.tokens);
    for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
    expect(Object.keys(login).toSorted()).toEqual(
      [...LOGIN_ROUTES, 'manager', 'tokens'].toSorted(),
    );
    try {
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      await callEveryLoginRoute(mock.server, new Browser(url));
    } finally {
      await app.close();
    }
  });
});
