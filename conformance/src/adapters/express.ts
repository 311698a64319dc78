import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import {
  auth,
  authErrorHandler,
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  passwordLogin,
  requireAnyScope,
  requireScopes,
  requireStepUp,
} from '@ropkit/express';
import express, { type Express, type Request, type Response } from 'express';
import session from 'express-session';
import type { AdapterUnderTest, Capability } from '../scenario.js';
import {
  KIT_STEP_UP,
  type SharedSessionStore,
  type StartTestApp,
  type TestAppOptions,
} from '../test-app.js';
import { listenOnLoopback } from './listen.js';

/** Answers the subject of the request's token, `null` without one. */
function subject(req: Request, res: Response): void {
  res.json({ sub: req.auth?.payload.sub ?? null });
}

/** ropkit's adapters claim its own profile and Auth0 compatibility, besides the RFCs. */
export const profiles: AdapterUnderTest['profiles'] = ['auth0', 'ropkit'];

/** The test app serves the whole contract: every route, every second factor, the kit's stores. */
export const capabilities: Capability[] = [
  'bearer',
  'optional',
  'scopes',
  'permissions',
  'key-set',
  'login',
  'mfa',
  'sessions',
  'lifecycle',
  'dpop',
  'dpop-nonce',
  'issuers',
  'hs256',
  'static-key',
  'mtls',
  'step-up',
];

/** The test app of `@ropkit/express`, built as its README shows. */
export const startTestApp: StartTestApp = async (options) => {
  const app = express();
  app.disable('x-powered-by');
  // Believe X-Forwarded-For only from the loopback "proxy" the kit plays, never from others.
  app.set('trust proxy', options.trustProxy === true ? 'loopback' : false);

  const requireToken = auth(options.verifier);
  const acceptToken = auth({ ...options.verifier, optional: true });
  app.get('/api/public', (_req, res) => {
    res.json({ message: 'Public: no token needed' });
  });
  app.get('/api/private', requireToken, subject);
  app.get('/api/private-scoped', requireToken, requireScopes('read:sample'), subject);
  app.get('/api/any-scope', requireToken, requireAnyScope('read:sample', 'write:sample'), subject);
  app.get('/api/optional', acceptToken, subject);
  // Step-up (RFC 9470): a multi-factor acr, and an authentication at most 5 minutes old.
  app.get('/api/step-up', requireToken, requireStepUp({ acrValues: [KIT_STEP_UP.acr] }), subject);
  app.get('/api/recent', requireToken, requireStepUp({ maxAge: KIT_STEP_UP.maxAge }), subject);

  const login = options.login === undefined ? undefined : mountLogin(app, options, options.login);
  app.use(authErrorHandler());

  const server = createServer(app);
  const url = await listenOnLoopback(server);
  return {
    url,
    close: async () => {
      login?.close();
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
  options: TestAppOptions,
  settings: NonNullable<TestAppOptions['login']>,
) {
  const { client, realm, forwardUserIp, store, clock, downstreamUrl } = settings;
  const login = passwordLogin({
    client,
    ...(store === undefined ? {} : { manager: { store } }),
    ...(realm === undefined ? {} : { realm }),
    ...(forwardUserIp === undefined ? {} : { forwardUserIp }),
    ...(clock === undefined ? {} : { clock }),
  });
  app.use(
    session({
      secret: options.sessions?.secret ?? randomBytes(32).toString('hex'),
      ...(options.sessions === undefined ? {} : { store: new SharedStore(options.sessions.store) }),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
    login.tokens,
  );
  // Every step of a sign-in, MFA included, at core's paths: /login, /login/otp, ..., /logout.
  for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
  if (downstreamUrl !== undefined) {
    app.get('/call-api', (req, res, next) => {
      relay(req, res, downstreamUrl).catch(next);
    });
  }
  return { close: () => login.manager.close() };
}

async function relay(req: Request, res: Response, url: string): Promise<void> {
  const answer = await req.apiFetch(url);
  const contentType = answer.headers.get('content-type');
  if (contentType !== null) res.setHeader('content-type', contentType);
  res.status(answer.status).end(Buffer.from(await answer.arrayBuffer()));
}

/** express-session's store interface over the kit's shared store. */
class SharedStore extends session.Store {
  readonly #shared: SharedSessionStore;

  constructor(shared: SharedSessionStore) {
    super();
    this.#shared = shared;
  }

  override get(id: string, callback: (error: unknown, data?: session.SessionData | null) => void) {
    this.#shared.get(id).then(
      (data) => callback(null, isSessionData(data) ? data : null),
      (error: unknown) => callback(error),
    );
  }

  override set(id: string, data: session.SessionData, callback?: (error?: unknown) => void) {
    // A JSON copy, as express-session's own MemoryStore keeps: no instance shares objects.
    this.#shared.set(id, JSON.parse(JSON.stringify(data))).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override destroy(id: string, callback?: (error?: unknown) => void) {
    this.#shared.destroy(id).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}

/** What express-session stored: an object with its cookie. */
function isSessionData(data: unknown): data is session.SessionData {
  return (
    typeof data === 'object' && data !== null && typeof Reflect.get(data, 'cookie') === 'object'
  );
}
