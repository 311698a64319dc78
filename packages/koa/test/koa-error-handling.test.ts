import { Router } from '@koa/router';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { bearer, issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import {
  auth,
  authErrorHandler,
  KeySetUnavailableError,
  MissingCredentialsError,
  requireScopes,
} from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

/** An app that records what reaches Koa's 'error' event (Koa's own error handling emits it). */
function koaApp(): { app: Koa; errors: unknown[] } {
  const app = new Koa();
  const errors: unknown[] = [];
  app.on('error', (error: unknown) => errors.push(error));
  return { app, errors };
}

function verifier() {
  return { issuer: mock.server.issuer, audience: TUTORIAL.audience };
}

/** An API in realm "orders" needing write:sample, without authErrorHandler(). */
async function plainApp() {
  const { app, errors } = koaApp();
  app.use(auth({ ...verifier(), realm: 'orders' }));
  app.use(requireScopes('write:sample'));
  app.use((ctx) => {
    ctx.body = 'allowed';
  });
  return { url: await serve(app), errors };
}

describe("without authErrorHandler(): Koa's own ctx.onerror answers a BearerError", () => {
  it('with its status, WWW-Authenticate and message: 401, 400, 403', async () => {
    const { url, errors } = await plainApp();

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await missing.text()).toBe('Authentication required');

    const malformed = await fetch(url, { headers: { authorization: 'Bearer two tokens' } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="orders", error="invalid_request", error_description="[^"]+"$/,
    );

    const token = await issueToken(mock.server, { scope: 'read:sample' });
    const scoped = await fetch(url, { headers: bearer(token) });
    expect(scoped.status).toBe(403);
    expect(scoped.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="orders", error="insufficient_scope", .*scope="write:sample"$/,
    );
    expect(await scoped.text()).not.toContain(token);

    // Koa reports every thrown error on 'error'; its default listener stays silent for them
    // (expose is true).
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => (error as { expose?: unknown }).expose === true)).toBe(true);
  });

  it('503 without a challenge when the key set cannot be fetched', async () => {
    const { url, errors } = await plainApp();
    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
      times: 5,
    });
    const response = await fetch(url, { headers: bearer(await issueToken(mock.server)) });
    expect(response.status).toBe(503);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(errors[0]).toBeInstanceOf(KeySetUnavailableError);
  });
});

describe('authErrorHandler()', () => {
  it("answers ropkit's errors itself: nothing reaches Koa's 'error' event, a 503 included", async () => {
    const { app, errors } = koaApp();
    app.use(authErrorHandler());
    app.use(auth(verifier()));
    const url = await serve(app);

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'Authentication required',
    });

    await mock.server.control.queueFault({
      endpoint: '/.well-known/jwks.json',
      kind: 'status',
      status: 503,
      times: 5,
    });
    const unavailable = await fetch(url, { headers: bearer(await issueToken(mock.server)) });
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(errors).toEqual([]);
  });

  it("lets other errors through to Koa's error handling, unchanged", async () => {
    const { app, errors } = koaApp();
    app.use(authErrorHandler());
    const router = new Router();
    router.get('/boom', () => {
      throw new Error('database password canary-4d1e');
    });
    router.get('/teapot', (ctx) => {
      ctx.throw(418, 'short and stout', { headers: { 'x-kettle': 'on' } });
    });
    app.use(router.routes());
    const url = await serve(app);

    const boom = await fetch(`${url}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe('Internal Server Error');

    const teapot = await fetch(`${url}/teapot`);
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('x-kettle')).toBe('on');
    expect(await teapot.text()).toBe('short and stout');

    expect(errors.map((error) => (error as Error).message)).toEqual([
      'database password canary-4d1e',
      'short and stout',
    ]);
  });

  it('once the headers are out, leaves the error to Koa (reported, nothing written after)', async () => {
    const { app, errors } = koaApp();
    app.on('error', (_error: unknown, ctx: Koa.Context) => {
      // What an app's own error listener does for a response that started: end it.
      ctx.res.end();
    });
    app.use(authErrorHandler());
    app.use((ctx) => {
      ctx.res.writeHead(200, { 'content-type': 'text/plain' });
      ctx.res.write('partial');
      throw new MissingCredentialsError({ realm: 'api' });
    });
    const url = await serve(app);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('partial');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MissingCredentialsError);
    expect(errors[0]).toMatchObject({ headerSent: true });
  });
});
