// ctx.state.identity() and ctx.state.userinfo() over real HTTP, against the mock server: what a
// signed-in session answers, the 401 when no one is signed in, and a sign-in whose ID token is
// refused.
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import {
  Browser,
  describeIdentityRoutes,
  identityClient,
  identityTenant,
  listen,
  useMockServer,
} from '@ropkit/test-support';
import { authErrorHandler, passwordLogin } from '../src/index.js';

const mock = useMockServer(identityTenant());

/** The login routes, and routes answering the session's identity() and userinfo() as JSON. */
async function identityApp() {
  const app = new Koa();
  app.keys = ['test-cookie-signing-key'];
  app.use(authErrorHandler());
  app.use(session(app));
  app.use(bodyParser());
  const login = passwordLogin({
    client: identityClient(mock.server),
  });
  app.use(login.tokens);
  const router = new Router();
  router.post('/login', login.login);
  router.get('/identity', async (ctx) => {
    ctx.body = (await ctx.state.identity()) ?? null;
  });
  router.get('/userinfo', async (ctx) => {
    ctx.body = await ctx.state.userinfo();
  });
  app.use(router.routes());
  const handle = app.callback();
  const { url } = await listen((req, res) => void handle(req, res));
  return new Browser(url);
}

describeIdentityRoutes('ctx.state.identity() and ctx.state.userinfo()', mock, identityApp);
