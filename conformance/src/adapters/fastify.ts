import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession, { type SessionStore } from '@fastify/session';
import {
  auth,
  authErrorHandler,
  fastifyRopkit,
  LOGIN_ROUTE_PATHS,
  LOGIN_ROUTES,
  passwordLogin,
  requireAnyScope,
  requireScopes,
  requireStepUp,
  type AnyFastifyReply,
  type AnyFastifyRequest,
} from '@ropkit/fastify';
import Fastify, { type FastifyInstance, type Session } from 'fastify';
import type { AdapterUnderTest, Capability } from '../scenario.js';
import {
  KIT_STEP_UP,
  type SharedSessionStore,
  type StartTestApp,
  type TestAppOptions,
} from '../test-app.js';

/** Answers the subject of the request's token, `null` without one. */
function subject(request: AnyFastifyRequest, reply: AnyFastifyReply): AnyFastifyReply {
  return reply.send({ sub: request.auth?.payload.sub ?? null });
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

/** The test app of `@ropkit/fastify`, built as its README shows. */
export const startTestApp: StartTestApp = async (options) => {
  // trustProxy: the client IP comes from X-Forwarded-For, so a test can act as several end users.
  const app = Fastify({ logger: false, trustProxy: options.trustProxy ?? false });
  try {
    await buildRoutes(app, options);
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return { url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
};

async function buildRoutes(app: FastifyInstance, options: TestAppOptions): Promise<void> {
  await app.register(fastifyRopkit);
  app.setErrorHandler(authErrorHandler());
  const protect = auth(options.verifier);
  const protectOptional = auth({ ...options.verifier, optional: true });
  app.get('/api/public', async () => ({ message: 'Public: no token needed' }));
  app.get('/api/private', { onRequest: protect }, subject);
  app.get('/api/private-scoped', { onRequest: [protect, requireScopes('read:sample')] }, subject);
  app.get(
    '/api/any-scope',
    { onRequest: [protect, requireAnyScope('read:sample', 'write:sample')] },
    subject,
  );
  app.get('/api/optional', { onRequest: protectOptional }, subject);
  // Step-up (RFC 9470): a multi-factor acr, and an authentication at most 5 minutes old.
  app.get(
    '/api/step-up',
    { onRequest: [protect, requireStepUp({ acrValues: [KIT_STEP_UP.acr] })] },
    subject,
  );
  app.get(
    '/api/recent',
    { onRequest: [protect, requireStepUp({ maxAge: KIT_STEP_UP.maxAge })] },
    subject,
  );
  if (options.login === undefined) return;

  const { client, realm, forwardUserIp, store, clock, downstreamUrl } = options.login;
  const login = passwordLogin({
    client,
    ...(store === undefined ? {} : { manager: { store } }),
    ...(realm === undefined ? {} : { realm }),
    ...(forwardUserIp === undefined ? {} : { forwardUserIp }),
    ...(clock === undefined ? {} : { clock }),
  });
  app.addHook('onClose', async () => login.manager.close());
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    // @fastify/session wants 32 characters at least.
    secret: options.sessions?.secret ?? randomBytes(32).toString('base64url'),
    ...(options.sessions === undefined ? {} : { store: sessionStore(options.sessions.store) }),
    cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax' },
    saveUninitialized: false,
  });
  await app.register(fastifyFormbody);
  await app.register(login.tokens);
  // Every step of a sign-in, MFA included, at core's paths: /login, /login/otp, ..., /logout.
  for (const route of LOGIN_ROUTES) app.post(LOGIN_ROUTE_PATHS[route], login[route]);
  if (downstreamUrl === undefined) return;
  app.get('/call-api', async (request, reply) => {
    const response = await request.apiFetch(downstreamUrl);
    const contentType = response.headers.get('content-type');
    if (contentType !== null) reply.header('content-type', contentType);
    return reply.code(response.status).send(await response.text());
  });
}

/** Calls back when `work` settles. */
function done(work: Promise<void>, callback: (error?: unknown) => void): void {
  work.then(() => callback(), callback);
}

/** @fastify/session's callback store interface over the kit's shared store. */
function sessionStore(shared: SharedSessionStore): SessionStore {
  return {
    get(id, callback) {
      shared.get(id).then((data) => callback(null, isStoredSession(data) ? data : null), callback);
    },
    // A JSON copy, so no two instances share an object.
    set: (id, data, callback) => done(shared.set(id, JSON.parse(JSON.stringify(data))), callback),
    destroy: (id, callback) => done(shared.destroy(id), callback),
  };
}

/** What @fastify/session stored: an object with its cookie (restored into a Session by it). */
function isStoredSession(data: unknown): data is Session {
  return (
    typeof data === 'object' && data !== null && typeof Reflect.get(data, 'cookie') === 'object'
  );
}
