// authErrorHandler(): errors your own handlers throw, answered with core's rendering (the bytes
// every adapter writes) when ropkit knows them, and left to Fastify's error handling otherwise.
import { OAuthError, TokenRequestError } from '@ropkit/core';
import { renderError } from '@ropkit/core/adapter';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authErrorHandler,
  InsufficientScopeError,
  InvalidTokenError,
  ReauthenticationRequiredError,
} from '../src/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** An app whose `GET /` throws `error`, with authErrorHandler() as its error handler. */
async function throwing(error: unknown): Promise<LightMyRequestResponse> {
  const app = Fastify();
  apps.push(app);
  app.setErrorHandler(authErrorHandler());
  app.get('/', async () => {
    throw error;
  });
  return app.inject({ url: '/' });
}

/** The answer reduced to what core renders: status, its headers, the exact body. */
function rendered(response: LightMyRequestResponse) {
  const headers: Record<string, unknown> = {};
  for (const name of ['content-type', 'cache-control', 'www-authenticate', 'retry-after']) {
    if (response.headers[name] !== undefined) headers[name] = response.headers[name];
  }
  return { status: response.statusCode, headers, body: response.body };
}

describe('authErrorHandler() renders the errors ropkit knows, as core does', () => {
  it('a BearerError: its status, WWW-Authenticate and JSON body', async () => {
    const error = new InsufficientScopeError(['admin'], 'Insufficient scope', { realm: 'api' });
    const response = await throwing(error);
    expect(rendered(response)).toEqual(renderError(error));
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="admin"',
    );
  });

  it('a ReauthenticationRequiredError (not signed in): 401 login_required, no challenge', async () => {
    const error = new ReauthenticationRequiredError('No one is signed in on this session');
    const response = await throwing(error);
    expect(rendered(response)).toEqual(renderError(error));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: 'login_required',
      error_description: 'Sign in to continue',
    });
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('another TokenError (the authorization server failed): 503 with its Retry-After', async () => {
    const error = new OAuthError({
      error: 'temporarily_unavailable',
      description: 'try later',
      status: 503,
      retryAfter: 30,
    });
    const response = await throwing(error);
    expect(rendered(response)).toEqual(renderError(error));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const network = await throwing(new TokenRequestError('connection refused', 'network'));
    expect(network.statusCode).toBe(503);
    expect(network.headers['retry-after']).toBeUndefined();
  });
});

describe('authErrorHandler() passes every other error on', () => {
  it("to Fastify's default handler, which keeps its status and body", async () => {
    const bug = await throwing(new RangeError('a bug'));
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'a bug',
    });
    const teapot = await throwing(Object.assign(new Error('short and stout'), { statusCode: 418 }));
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toMatchObject({ statusCode: 418, message: 'short and stout' });
  });

  it("and Fastify's own errors, such as a failed schema validation", async () => {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler(authErrorHandler());
    app.post('/orders', { schema: { body: { type: 'object', required: ['item'] } } }, async () => ({
      ok: true,
    }));
    const response = await app.inject({ method: 'POST', url: '/orders', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'FST_ERR_VALIDATION' });
  });

  it("to the parent scope's own error handler when set in a child scope", async () => {
    const app = Fastify();
    apps.push(app);
    app.setErrorHandler(async (error, _request, reply) =>
      reply.code(599).send({ handledBy: 'parent', message: (error as Error).message }),
    );
    await app.register(async (api) => {
      api.setErrorHandler(authErrorHandler());
      api.get('/bug', async () => {
        throw new RangeError('a bug');
      });
      api.get('/expired', async () => {
        throw new InvalidTokenError('Token has expired', { realm: 'api' });
      });
    });
    const bug = await app.inject({ url: '/bug' });
    expect(bug.statusCode).toBe(599);
    expect(bug.json()).toEqual({ handledBy: 'parent', message: 'a bug' });
    const expired = await app.inject({ url: '/expired' });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual({
      error: 'invalid_token',
      error_description: 'Token has expired',
    });
  });
});

describe("without authErrorHandler(), Fastify's default handler", () => {
  it('still answers a ReauthenticationRequiredError 401, never 500 (its statusCode)', async () => {
    const app = Fastify();
    apps.push(app);
    app.get('/', async () => {
      throw new ReauthenticationRequiredError('No one is signed in on this session: sign in first');
    });
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      statusCode: 401,
      code: 'reauthentication_required',
      error: 'Unauthorized',
      message: 'No one is signed in on this session: sign in first',
    });
  });
});
