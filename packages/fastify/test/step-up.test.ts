// Step-up (RFC 9470) through request.apiFetch(), over real HTTP against the mock server: the
// API's insufficient_user_authentication is answered 401 login_required, the next sign-in answers
// the page that called the API as returnTo (its full URL, under a plugin prefix), and the same
// refusal right after is 403. The policy is core's (core's test/sign-in-step-up.test.ts).
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { Browser, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { authErrorHandler, passwordLogin } from '../src/index.js';

const mock = useMockServer();
/** An acr the tenant never issues: the API keeps refusing it. */
const LOA3 = 'urn:example:loa:3';
const CREDENTIALS = { username: TUTORIAL.username, password: TUTORIAL.password };

it('a step-up answers login_required, returns to the calling page, and never loops', async () => {
  const api = await listen((_req, res) => {
    const challenge = `Bearer realm="api", error="insufficient_user_authentication", acr_values="${LOA3}"`;
    res.writeHead(401, { 'www-authenticate': challenge }).end();
  });
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
    },
  });
  const app = Fastify();
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
  await app.register(
    async (account) => {
      account.get('/transfer', async (request, reply) => {
        const answer = await request.apiFetch(`${api.url}/api/transfer`);
        return reply.code(answer.status).send();
      });
    },
    { prefix: '/account' },
  );
  const browser = new Browser(await app.listen({ host: '127.0.0.1', port: 0 }));

  try {
    expect((await browser.postJson('/login', CREDENTIALS)).status).toBe(200);
    const refused = await browser.fetch('/account/transfer?x=1');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: 'login_required',
      error_description: 'Sign in again to continue: this needs a stronger or more recent sign-in',
      acr_values: LOA3,
    });
    const again = await browser.postJson('/login', CREDENTIALS);
    expect(await again.json()).toEqual({ status: 'signed_in', returnTo: '/account/transfer?x=1' });
    const loop = await browser.fetch('/account/transfer?x=1');
    expect(loop.status).toBe(403);
    expect(await loop.json()).toMatchObject({ error: 'insufficient_user_authentication' });
  } finally {
    await app.close();
  }
});
