// req.identity() and req.userinfo() over real HTTP, against the mock server: what a signed-in
// session answers, the 401 when no one is signed in, and a sign-in whose ID token is refused.
import express from 'express';
import session from 'express-session';
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
  const login = passwordLogin({
    client: identityClient(mock.server),
  });
  const app = express();
  app.use(
    session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }),
    login.tokens,
  );
  app.post('/login', login.login);
  app.get('/identity', (req, res, next) => {
    req.identity().then((claims) => res.json(claims ?? null), next);
  });
  app.get('/userinfo', (req, res, next) => {
    req.userinfo().then((claims) => res.json(claims), next);
  });
  app.use(authErrorHandler());
  const { url } = await listen(app);
  return new Browser(url);
}

describeIdentityRoutes('req.identity() and req.userinfo()', mock, identityApp);
