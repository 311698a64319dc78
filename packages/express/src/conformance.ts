/**
 * The Express test app of ropkit's conformance suite: the routes of core's `TestApp`, built with
 * this adapter exactly as a user would, on 127.0.0.1 and an ephemeral port.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  ReauthenticationRequiredError,
  type StartTestApp,
  type TestAppOptions,
} from '@ropkit/core';
import express, { type Express, type Request, type Response } from 'express';
import session from 'express-session';
import { auth } from './auth.js';
import { authErrorHandler } from './errors.js';
import { passwordLogin, type PasswordLoginHandlers } from './login.js';
import { requireAnyScope, requireScopes } from './requirements.js';
// The request augmentation lives in the entry file; this brings it in wherever this module is
// compiled from (the ./conformance subpath does not pass through the entry).
// oxlint-disable-next-line import/no-empty-named-blocks, unicorn/require-module-specifiers
import type {} from './index.js';

/**
 * Starts the test app. Routes (see core's `TestApp`): `GET /api/public`, `/api/private`,
 * `/api/private-scoped`, `/api/any-scope`, `/api/optional`; with `login`, also `POST /login`,
 * `POST /login/otp`, `GET /call-api` and `POST /logout` (otherwise those answer 404).
 *
 * With `trustProxy`, Express's `trust proxy` is `'loopback'`: `X-Forwarded-For` is believed from a
 * client on 127.0.0.1 only, so a suite can play the proxy in front of the app and several users.
 */
export const startTestApp: StartTestApp = async (options) => {
  const app = express();
  app.disable('x-powered-by');
  // Believe X-Forwarded-For only from the loopback "proxy" the suite plays, never from others.
  app.set('trust proxy', options.trustProxy === true ? 'loopback' : false);

  const requireToken = auth(options.verifier);
  const acceptToken = auth({ ...options.verifier, optional: true });
  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public: no token needed' });
  });
  app.get('/api/private', requireToken, (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.get('/api/private-scoped', requireToken, requireScopes('read:sample'), (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });
  app.get(
    '/api/any-scope',
    requireToken,
    requireAnyScope('read:sample', 'write:sample'),
    (req, res) => {
      res.json({ sub: req.auth?.payload.sub ?? null });
    },
  );
  app.get('/api/optional', acceptToken, (req, res) => {
    res.json({ sub: req.auth?.payload.sub ?? null });
  });

  const login = options.login === undefined ? undefined : mountLogin(app, options.login);
  app.use(authErrorHandler());

  const server = createServer(app);
  const url = await listenOnLoopback(server);
  return {
    url,
    close: async () => {
      login?.manager.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      });
    },
  };
};

function mountLogin(
  app: Express,
  options: NonNullable<TestAppOptions['login']>,
): PasswordLoginHandlers {
  const login = passwordLogin({
    client: options.client,
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    ...(options.forwardUserIp === undefined ? {} : { forwardUserIp: options.forwardUserIp }),
  });
  const browser = express.Router();
  browser.use(
    session({
      // A fresh secret per app: the in-memory store does not outlive it anyway.
      secret: randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
    login.tokens,
  );
  browser.post('/login', login.login);
  browser.post('/login/otp', login.verifyOtp);
  browser.post('/logout', login.logout);
  const { downstreamUrl } = options;
  if (downstreamUrl !== undefined) {
    const relay = async (req: Request, res: Response): Promise<void> => {
      try {
        const answer = await req.apiFetch(downstreamUrl);
        const body = Buffer.from(await answer.arrayBuffer());
        const contentType = answer.headers.get('content-type');
        if (contentType !== null) res.setHeader('content-type', contentType);
        res.status(answer.status).end(body);
      } catch (error) {
        if (!(error instanceof ReauthenticationRequiredError)) throw error;
        res.status(401).json({ error: 'reauthentication_required' });
      }
    };
    browser.get('/call-api', (req, res, next) => {
      relay(req, res).catch(next);
    });
  }
  app.use(browser);
  return login;
}

function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('not on TCP'));
      else resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}
