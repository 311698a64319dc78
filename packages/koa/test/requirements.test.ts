import { Router } from '@koa/router';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { bearer, issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import {
  auth,
  authErrorHandler,
  claimEquals,
  InvalidTokenError,
  requireScopes,
  requirement,
} from '../src/index.js';

const mock = useMockServer();

/** Serves `app` on 127.0.0.1 until the end of the test; resolves to its URL. */
async function serve(app: Koa): Promise<string> {
  const handle = app.callback();
  return (await listen((req, res) => void handle(req, res))).url;
}

/** The answer of every route: who the token is for. */
function ok(ctx: Koa.Context): void {
  ctx.body = { sub: ctx.state.auth?.payload.sub ?? null };
}

/** Routes whose requirements read what auth() left on the Koa context. */
async function api(): Promise<string> {
  const options = { issuer: mock.server.issuer, audience: TUTORIAL.audience };
  const app = new Koa();
  app.use(authErrorHandler());
  const router = new Router();
  router.get(
    '/shop',
    auth({ ...options, optional: true, realm: 'shop' }),
    requireScopes('read:sample'),
    ok,
  );
  router.get('/no-auth', requireScopes('read:sample'), ok);
  router.get('/password-grant', auth(options), claimEquals('gty', 'password'), ok);
  router.get('/machines', auth(options), claimEquals('gty', 'client-credentials'), ok);
  router.get(
    '/custom',
    auth(options),
    requirement((verified, anonymousRealm) => {
      if (verified?.payload['azp'] !== 'someone-else') {
        throw new InvalidTokenError('Only for someone else', {
          realm: verified?.realm ?? anonymousRealm ?? 'api',
        });
      }
    }),
    ok,
  );
  app.use(router.routes());
  return serve(app);
}

describe('requirements read the Koa context auth() saw', () => {
  it("answer an anonymous request on an optional route in that auth()'s realm", async () => {
    const url = await api();
    const anonymous = await fetch(`${url}/shop`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="shop"');

    const signed = await fetch(`${url}/shop`, { headers: bearer(await issueToken(mock.server)) });
    expect(signed.status).toBe(200);
  });

  it('fail closed without auth(): 401, even with a valid token', async () => {
    const url = await api();
    const response = await fetch(`${url}/no-auth`, {
      headers: bearer(await issueToken(mock.server)),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it("pass their arguments to core's rules, and answer what a rule throws", async () => {
    const url = await api();
    const headers = bearer(await issueToken(mock.server));
    expect((await fetch(`${url}/password-grant`, { headers })).status).toBe(200);

    const machines = await fetch(`${url}/machines`, { headers });
    expect(machines.status).toBe(401);
    expect(await machines.json()).toEqual({
      error: 'invalid_token',
      error_description: "Token claim 'gty' is not accepted",
    });

    const custom = await fetch(`${url}/custom`, { headers });
    expect(custom.status).toBe(401);
    expect(custom.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="Only for someone else"',
    );
  });
});
