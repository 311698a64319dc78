// request.identity() and request.userinfo() over real HTTP, against the mock server: what a
// signed-in session answers, the 401 when no one is signed in, and a sign-in whose ID token is
// refused.
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import {
  Browser,
  describeIdentityRoutes,
  identityClient,
  identityTenant,
  useMockServer,
} from '@ropkit/test-support';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { authErrorHandler, passwordLogin } from '../src/index.js';

const mock = useMockServer(identityTenant());
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The login routes, and routes answering the session's identity() and userinfo() as JSON. */
async function identityApp() {
  const login = passwordLogin({
    client: identityClient(mock.server),
  });
  const app = Fastify();
  apps.push(app);
  app.addHook('onClose', async () => login.manager.close());
  app.setErrorHandler(authErrorHandler());
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: randomBytes(32).toString('base64url'),
    cookie: { secure: 'auto' },
    saveUninitialized: false,
  });
  await app.register(login.tokens);
  app.post('/login', login.login);
  app.get('/identity', (request) => request.identity().then((claims) => claims ?? null));
  app.get('/userinfo', (request) => request.userinfo());
  return new Browser(await app.listen({ host: '127.0.0.1', port: 0 }));
}

describeIdentityRoutes('request.identity() and request.userinfo()', mock, identityApp);
