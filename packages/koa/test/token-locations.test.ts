import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { bearer, issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { auth, authErrorHandler, type AuthOptions } from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

/** An API taking tokens from `tokenLocations`; `parseBodies` mounts @koa/bodyparser first. */
async function api(
  tokenLocations: AuthOptions['tokenLocations'],
  parseBodies = true,
  errors: unknown[] = [],
) {
  const app = new Koa();
  app.silent = true;
  app.on('error', (error: unknown) => errors.push(error));
  app.use(authErrorHandler());
  if (parseBodies) app.use(bodyParser());
  app.use(auth({ issuer: mock.server.issuer, audience: TUTORIAL.audience, tokenLocations }));
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.auth?.payload.sub };
  });
  return serve(app);
}

describe('tokenLocations: the adapter hands ctx.query and ctx.request.body to core', () => {
  it("'query': reads access_token from the query string (RFC 6750 section 2.3)", async () => {
    const url = await api(['header', 'query']);
    const token = await issueToken(mock.server);
    const response = await fetch(`${url}/orders?access_token=${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: expect.stringMatching(/^auth0\|/) });

    // Both places at once is refused: the adapter passed the header and the query.
    const twice = await fetch(`${url}/orders?access_token=${token}`, { headers: bearer(token) });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ error: 'invalid_request' });
  });

  it("'body': reads a form body parsed by @koa/bodyparser (RFC 6750 section 2.2), never JSON", async () => {
    const url = await api(['body']);
    const token = await issueToken(mock.server);
    const form = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ access_token: token }),
    });
    expect(form.status).toBe(200);

    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token }),
    });
    expect(json.status).toBe(401);
    expect(json.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it("'body' without a body parser is the developer's mistake, said, not a silent 401", async () => {
    // auth() does not read bodies: a token there would be missed, and one in the header too would
    // escape RFC 6750 section 2's one-method rule. The same error in the three adapters.
    const errors: unknown[] = [];
    const url = await api(['body'], false, errors);
    const response = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ access_token: await issueToken(mock.server) }),
    });
    expect(response.status).toBe(500);
    expect(String(errors[0])).toContain('needs the form body parsed before it runs');
  });
});
