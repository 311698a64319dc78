import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockServerConfig } from '@ropkit/mock-server';
import { USERS, testTenant } from '@ropkit/test-support';
import { EmbeddedJWK, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginRoutes } from '../src/adapter.js';
import { accessTokenHash, type LoginOptions } from '../src/index.js';
import { TUTORIAL, totp, useMockServer } from './client/support.js';
import { FakeSession } from './sign-in/fake-session.js';

/** The test tenant with its API allowing DPoP-bound tokens (Auth0's "Allow Sender Constraining"). */
function dpopTenant(): MockServerConfig {
  const base = testTenant();
  return {
    ...base,
    apis: (base.apis ?? []).map((api) => ({ ...api, proofOfPossession: 'allowed' as const })),
  };
}

const mock = useMockServer(dpopTenant());

/** The engine as an application configures it: token client options, with `dpop: true`. */
function engine(extra: Partial<LoginOptions> = {}) {
  return createLoginRoutes({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
      dpop: true,
    },
    ...extra,
  });
}

let api: ReturnType<typeof createServer>;
let apiOrigin = '';
const received: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  api = createServer((req, res) => {
    received.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => {
  api.close();
});

describe('the sign-in engine with the token client option dpop: true', () => {
  it('signs in with a proof, keeps DPoP-bound tokens, and apiFetch proves possession', async () => {
    const routes = engine();
    const session = new FakeSession();
    const { result } = await routes.login({
      body: { username: TUTORIAL.username, password: TUTORIAL.password },
      ip: undefined,
      session,
    });
    expect(result).toEqual({ status: 'signed_in' });
    const key = session.readKey() ?? '';
    const tokens = await routes.manager.getTokenSet(key);
    expect(tokens.tokenType).toBe('DPoP');
    const thumbprint = routes.manager.client.dpop?.thumbprint;
    expect(decodeJwt(tokens.accessToken)['cnf']).toEqual({ jkt: thumbprint });

    const response = await routes.apiFetch(session, undefined)(`${apiOrigin}/api/private?x=1`);
    expect(response.status).toBe(200);
    const headers = received.at(-1);
    expect(headers?.authorization).toBe(`DPoP ${tokens.accessToken}`);
    const { payload } = await jwtVerify(String(headers?.['dpop']), EmbeddedJWK, {
      typ: 'dpop+jwt',
    });
    expect(payload).toMatchObject({
      htm: 'GET',
      htu: `${apiOrigin}/api/private`,
      ath: accessTokenHash(tokens.accessToken),
    });

    // identity and userinfo work with the bound token (userinfo with Authorization: DPoP).
    expect((await routes.userinfo(session, undefined)).sub).toBe(
      (await routes.identity(session, undefined))?.sub,
    );
    await routes.logout({ ip: undefined, session });
    const logged = await mock.server.control.requests();
    expect(
      logged
        .filter((entry) => ['/oauth/token', '/oauth/revoke', '/userinfo'].includes(entry.path))
        .map((entry) => [entry.path, entry.status, entry.dpop]),
    ).toEqual([
      ['/oauth/token', 200, true],
      ['/userinfo', 200, true],
      ['/oauth/revoke', 200, true],
    ]);
  });

  it('the MFA step of a sign-in is proven too', async () => {
    const routes = engine();
    const session = new FakeSession();
    const started = await routes.login({
      body: { username: USERS.mfa.email, password: USERS.mfa.password },
      ip: undefined,
      session,
    });
    expect(started.result.status).toBe('mfa_required');
    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await routes.verifyOtp({ body: { otp }, ip: undefined, session });
    expect(done.result).toEqual({ status: 'signed_in' });
    const tokens = await routes.manager.getTokenSet(session.readKey() ?? '');
    expect(tokens.tokenType).toBe('DPoP');
    const grants = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/token',
    );
    expect(grants.map((entry) => entry.dpop)).toEqual([true, true]);
  });

  it('an invalid dpop option fails when the routes are created, naming it', () => {
    expect(() =>
      engine({
        client: {
          tokenEndpoint: mock.server.tokenEndpoint,
          clientId: TUTORIAL.clientId,
          dpop: 'on' as never,
        },
      }),
    ).toThrow(new TypeError('"dpop" must be true, false or { privateKey?, alg? }'));
  });
});
