// The MFA routes of core's engine, mounted as the README shows, each answering through Express.
// The engine's policies are core's tests; the cross-adapter bytes are the conformance kit's.
import express from 'express';
import session from 'express-session';
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
  it('has a handler for every route of the engine, each mounted and answering', async () => {
    await enableMfaSms(mock.server);
    const login = passwordLogin({
      client: {
        tokenEndpoint: mock.server.tokenEndpoint,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        audience: TUTORIAL.audience,
      },
    });
    const app = express();
    app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }));
    for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
    expect(Object.keys(login).toSorted()).toEqual(
      [...LOGIN_ROUTES, 'manager', 'tokens'].toSorted(),
    );
    const { url } = await listen(app);
    await callEveryLoginRoute(mock.server, new Browser(url));
    login.manager.close();
  });
});
