import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import {
  auth,
  authErrorHandler,
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  passwordLogin,
  requireAnyScope,
  requireScopes,
  requireStepUp,
} from '@ropkit/koa';
import Koa from 'koa';
import session from 'koa-session';
import type { AdapterUnderTest, Capability } from '../scenario.js';
import {
  KIT_STEP_UP,
  type SharedSessionStore,
  type StartTestApp,
  type TestAppOptions,
} from '../test-app.js';
import { listenOnLoopback } from './listen.js';

/** Answers the subject of the request's token, `null` without one. */
function subject(ctx: Koa.Context): void {
  ctx.body = { sub: ctx.state.auth?.payload.sub ?? null };
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

/** The test app of `@ropkit/koa`, built as its README shows. */
export const startTestApp: StartTestApp = async (options) => {
  const app = new Koa();
  // Signs the session cookie: the shared secret when two instances share sessions.
  app.keys = [options.sessions?.secret ?? randomBytes(32).toString('base64url')];
  if (options.trustProxy === true) {
    // ctx.ip from X-Forwarded-For: its last entry, the one a single trusted proxy hop appends.
    app.proxy = true;
    app.maxIpsCount = 1;
  }
  app.use(authErrorHandler());
  // Session data stays server-side; the cookie carries only koa-session's random id.
  app.use(session({ store: sessionStore(options.sessions?.store) }, app));
  app.use(bodyParser());

  const router = new Router();
  const required = auth(options.verifier);
  const optional = auth({ ...options.verifier, optional: true });
  router.get('/api/public', (ctx) => {
    ctx.body = { message: 'Public: no token needed' };
  });
  router.get('/api/private', required, subject);
  router.get('/api/private-scoped', required, requireScopes('read:sample'), subject);
  router.get('/api/any-scope', required, requireAnyScope('read:sample', 'write:sample'), subject);
  router.get('/api/optional', optional, subject);
  // Step-up (RFC 9470): a multi-factor acr, and an authentication at most 5 minutes old.
  router.get('/api/step-up', required, requireStepUp({ acrValues: [KIT_STEP_UP.acr] }), subject);
  router.get('/api/recent', required, requireStepUp({ maxAge: KIT_STEP_UP.maxAge }), subject);

  const login = options.login === undefined ? undefined : mountLogin(app, router, options.login);
  app.use(router.routes());

  const handle = app.callback();
  // Koa's callback never rejects: it answers its own errors (ctx.onerror).
  const server = createServer((req, res) => void handle(req, res));
  const url = await listenOnLoopback(server);
  return {
    url,
    close: () => {
      login?.manager.close();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
};

function mountLogin(app: Koa, router: Router, settings: NonNullable<TestAppOptions['login']>) {
  const { client, realm, forwardUserIp, store, clock, downstreamUrl } = settings;
  const login = passwordLogin({
    client,
    ...(store === undefined ? {} : { manager: { store } }),
    ...(realm === undefined ? {} : { realm }),
    ...(forwardUserIp === undefined ? {} : { forwardUserIp }),
    ...(clock === undefined ? {} : { clock }),
  });
  app.use(login.tokens);
  // Every step of a sign-in, MFA included, at core's paths: /login, /login/otp, ..., /logout.
  for (const route of LOGIN_ROUTES) router.post(LOGIN_ROUTE_PATHS[route], login[route]);
  if (downstreamUrl !== undefined) {
    router.get('/call-api', async (ctx) => {
      const response = await ctx.state.apiFetch(downstreamUrl);
      ctx.status = response.status;
      const type = response.headers.get('content-type');
      if (type !== null) ctx.set('Content-Type', type);
      ctx.body = Buffer.from(await response.arrayBuffer());
    });
  }
  return login;
}

/** koa-session's external store: the kit's shared one, or a map of this app's own. */
function sessionStore(shared: SharedSessionStore | undefined) {
  const own = new Map<string, unknown>();
  const store: SharedSessionStore = shared ?? {
    get: async (id) => own.get(id),
    set: async (id, data) => void own.set(id, data),
    destroy: async (id) => void own.delete(id),
  };
  return {
    get: (id: string) => store.get(id),
    // A JSON copy, so no two instances share an object.
    set: (id: string, data: unknown) => store.set(id, JSON.parse(JSON.stringify(data))),
    destroy: (id: string) => store.destroy(id),
  };
}
