// Step-up (RFC 9470) through ctx.state.apiFetch(), over real HTTP against the mock server: the
// API's insufficient_user_authentication is answered 401 login_required, the next sign-in answers
// the page that called the API as returnTo (its full URL, under a router prefix), and the same
// refusal right after is 403. The policy is core's (core's test/sign-in-step-up.test.ts).
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import { Browser, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
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
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  app.use(authErrorHandler());
  app.use(session(app));
  app.use(bodyParser());
  app.use(login.tokens);
  const root = new Router();
  root.post('/login', login.login);
  const account = new Router({ prefix: '/account' });
  account.get('/transfer', async (ctx) => {
    ctx.status = (await ctx.state.apiFetch(`${api.url}/api/transfer`)).status;
  });
  app.use(root.routes()).use(account.routes());
  const handle = app.callback();
  const browser = new Browser((await listen((req, res) => void handle(req, res))).url);

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
  login.manager.close();
});
