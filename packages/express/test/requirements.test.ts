import express, { type RequestHandler } from 'express';
import { bearer, issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import {
  auth,
  authErrorHandler,
  claimCheck,
  claimEquals,
  claimIncludes,
  requireScopes,
} from '../src/index.js';

const mock = useMockServer();

const ok: RequestHandler = (_req, res) => {
  res.status(204).end();
};

/** Routes whose rules the conformance kit's app does not use, in a realm of their own. */
async function api() {
  const options = { issuer: mock.server.issuer, audience: TUTORIAL.audience, realm: 'orders' };
  const app = express();
  app.get(
    '/optional-scoped',
    auth({ ...options, optional: true }),
    requireScopes('read:sample'),
    ok,
  );
  app.get('/no-auth-before', requireScopes('read:sample'), ok);
  app.get('/password-grant', auth(options), claimEquals('gty', 'password'), ok);
  app.get('/other-client', auth(options), claimEquals('azp', 'another-client'), ok);
  app.get('/audience', auth(options), claimIncludes('aud', TUTORIAL.audience), ok);
  app.get(
    '/staff',
    auth(options),
    claimCheck((payload) => payload['https://example.com/staff'] === true, 'Staff only'),
    ok,
  );
  app.use(authErrorHandler());
  const { url } = await listen(app);
  return url;
}

describe('route rules on Express requests', () => {
  it("after an optional auth(), a request without credentials is answered 401 in that auth's realm", async () => {
    const url = await api();
    const response = await fetch(`${url}/optional-scoped`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
  });

  it('without auth() before it, a rule fails closed: 401 even with a valid token', async () => {
    const url = await api();
    const response = await fetch(`${url}/no-auth-before`, {
      headers: bearer(await issueToken(mock.server)),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('claimEquals, claimIncludes and claimCheck pass or answer 401 invalid_token', async () => {
    const url = await api();
    const token = bearer(await issueToken(mock.server));
    const status = async (path: string) =>
      (await fetch(`${url}${path}`, { headers: token })).status;
    expect(await status('/password-grant')).toBe(204);
    expect(await status('/audience')).toBe(204);

    const refused = await fetch(`${url}/other-client`, { headers: token });
    expect(refused.status).toBe(401);
    // The claim is named; its value (the client id) is not.
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="orders", error="invalid_token", error_description="Token claim 'azp' is not accepted"`,
    );
    expect(await refused.text()).not.toContain(TUTORIAL.clientId);

    const staff = await fetch(`${url}/staff`, { headers: token });
    expect(staff.status).toBe(401);
    expect(await staff.json()).toEqual({ error: 'invalid_token', error_description: 'Staff only' });
  });
});
