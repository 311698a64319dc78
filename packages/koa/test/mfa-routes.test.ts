// The MFA routes of core's engine, mounted as the README shows, each answering through Koa. The
// engine's policies are core's tests; the cross-adapter bytes are the conformance kit's.
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa from 'koa';
import session from 'koa-session';
import {
  Browser,
  callEveryLoginRoute,
  enableMfaSms,
  listen,
  TUTORIAL,
  useMockServer,
} from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { LOGIN_ROUTE_PATHS, LOGIN_ROUTES, passwordLogin } from '../src/index.js';

const mock = useMockServer();

describe('the login routes of passwordLogin()', () => {
  it('has a middleware for every route of the engine, each mounted and answering', async () => {
    await enableMfaSms(mock.server);
    const login = passwordLogin({
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
      },
    });
    const app = new Koa();
    app.keys = ['test-cookie-signing-key'];
    app.use(session(app)).use(bodyParser()).use(login.tokens);
    const router = new Router();
    for (const route of LOGIN_ROUTES) router.post(LOGIN_ROUTE_PATHS[route], login[route]);
    app.use(router.routes());
    expect(Object.keys(login).toSorted()).toEqual(
      [...LOGIN_ROUTES, 'manager', 'tokens'].toSorted(),
    );
    const handle = app.callback();
    const { url } = await listen((req, res) => void handle(req, res));
    await callEveryLoginRoute(mock.server, new Browser(url));
    login.manager.close();
  });
});
