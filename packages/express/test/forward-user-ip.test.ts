import express from 'express';
import session from 'express-session';
import {
  Browser,
  CLIENTS,
  listen,
  totp,
  TUTORIAL,
  USERS,
  useMockServer,
} from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { passwordLogin } from '../src/index.js';

const mock = useMockServer();

/**
 * The login routes of a confidential client Auth0 believes `auth0-forwarded-for` from, behind
 * `trustProxy`. The token manager's clock can be moved forward, to make a refresh due.
 */
async function loginApp(trustProxy: boolean | string, forwardUserIp?: boolean) {
  let offsetMs = 0;
  const login = passwordLogin({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      ...CLIENTS.trusted,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
    },
    manager: { clock: () => Date.now() + offsetMs },
    ...(forwardUserIp === undefined ? {} : { forwardUserIp }),
  });
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(
    session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }),
    login.tokens,
  );
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.get('/token', (req, res, next) => {
    req.accessToken().then(() => res.status(204).end(), next);
  });
  const { url } = await listen(app);
  return {
    url,
    advanceSeconds: (seconds: number) => {
      offsetMs += seconds * 1000;
    },
  };
}

async function tokenRequests() {
  return (await mock.server.control.requests())
    .filter((entry) => entry.path === '/oauth/token')
    .map((entry) => [entry.grantType, entry.forwardedFor]);
}

const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

describe("forwardUserIp sends req.ip as auth0-forwarded-for, as Express's trust proxy sees it", () => {
  it.each<[string, boolean | string, string, string]>([
    ['a proxy on loopback, trusted', 'loopback', '198.51.100.20', '198.51.100.20'],
    ['no proxy trusted: the socket address', false, '198.51.100.20', '127.0.0.1'],
    [
      'a trusted proxy: only the hop it added',
      'loopback',
      '192.0.2.66, 203.0.113.5',
      '203.0.113.5',
    ],
    ['every hop trusted: what the client wrote', true, '192.0.2.66, 203.0.113.5', '192.0.2.66'],
  ])('%s', async (_name, trustProxy, xForwardedFor, expected) => {
    const { url } = await loginApp(trustProxy, true);
    const response = await new Browser(url, { 'x-forwarded-for': xForwardedFor }).postJson(
      '/login',
      credentials,
    );
    expect(response.status).toBe(200);
    expect(await tokenRequests()).toEqual([['password', expected]]);
  });

  it('sends nothing by default, whatever trust proxy says', async () => {
    const { url } = await loginApp('loopback');
    await new Browser(url, { 'x-forwarded-for': '198.51.100.20' }).postJson('/login', credentials);
    expect(await tokenRequests()).toEqual([['password', undefined]]);
  });

  it('sends it on the MFA step and on refreshes by req.accessToken() too', async () => {
    const { url, advanceSeconds } = await loginApp('loopback', true);
    const browser = new Browser(url, { 'x-forwarded-for': '203.0.113.7' });
    await browser.postForm('/login', { username: USERS.mfa.email, password: USERS.mfa.password });
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    expect((await browser.postForm('/login/otp', { otp })).status).toBe(200);
    // Past the refresh point of a 24 h access token, before it expires.
    advanceSeconds(0.9 * 86_400);
    expect((await browser.fetch('/token')).status).toBe(204);
    expect(await tokenRequests()).toEqual([
      ['password', '203.0.113.7'],
      ['http://auth0.com/oauth/grant-type/mfa-otp', '203.0.113.7'],
      ['refresh_token', '203.0.113.7'],
    ]);
  });
});
