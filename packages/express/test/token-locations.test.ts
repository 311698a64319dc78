import express, { type RequestHandler } from 'express';
import { issueToken, listen, TUTORIAL, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { auth, authErrorHandler, type AuthOptions } from '../src/index.js';

const mock = useMockServer();

const subject: RequestHandler = (req, res) => {
  res.json({ sub: req.auth?.payload.sub ?? null });
};

/** `/private` behind `parsers` and auth() reading the token from `tokenLocations`. */
async function api(tokenLocations: AuthOptions['tokenLocations'], parsers: RequestHandler[]) {
  const app = express();
  const requireToken = auth({
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
    tokenLocations,
  });
  app.all('/private', ...parsers, requireToken, subject);
  app.use(authErrorHandler());
  const { url } = await listen(app);
  return url;
}

const signedIn = { sub: expect.stringMatching(/^auth0\|/) };

describe('tokenLocations: RFC 6750 sections 2.2 and 2.3 through what Express parsed', () => {
  it("'query': the access_token parameter of req.query", async () => {
    const url = await api(['header', 'query'], []);
    const token = await issueToken(mock.server);
    const response = await fetch(`${url}/private?access_token=${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(signedIn);
  });

  it("'body': a form body express.urlencoded() parsed before auth()", async () => {
    const url = await api(['header', 'body'], [express.urlencoded({ extended: false })]);
    const response = await fetch(`${url}/private`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: await issueToken(mock.server) }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(signedIn);
  });

  it.each<[string, RequestHandler[], string, string]>([
    [
      'a JSON body, even parsed (section 2.2 is form bodies only)',
      [express.json()],
      'application/json',
      'json',
    ],
  ])("'body' does not take %s: 401 without an error code", async (_name, parsers, type, kind) => {
    const url = await api(['header', 'body'], parsers);
    const token = await issueToken(mock.server);
    const response = await fetch(`${url}/private`, {
      method: 'POST',
      headers: { 'content-type': type },
      body:
        kind === 'form'
          ? new URLSearchParams({ access_token: token }).toString()
          : JSON.stringify({ access_token: token }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
  });

  it("'body' with a form body nothing parsed is the developer's mistake, said, not a silent 401", async () => {
    // auth() does not read bodies: a token there would be missed, and one in the header too would
    // escape RFC 6750 section 2's one-method rule. The same error in the three adapters.
    const url = await api(['header', 'body'], []);
    const response = await fetch(`${url}/private`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ access_token: await issueToken(mock.server) }).toString(),
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('needs the form body parsed before it runs');
  });
});
