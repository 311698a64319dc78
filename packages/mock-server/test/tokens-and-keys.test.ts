import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { request as httpRequest } from 'node:http';
import * as oauth from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { TUTORIAL, type MockServer, type SigningAlgorithm } from '../src/index.js';
import { expectTokens, requestToken, startTutorial, verifyToken } from './helpers.js';

let server: MockServer | undefined;

/** GETs a JSON document with a chosen Host header. */
function getWithHost(url: string, host: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { headers: { host } }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ALGORITHMS: Array<{ alg: SigningAlgorithm; kty: string; members: string[] }> = [
  { alg: 'RS256', kty: 'RSA', members: ['n', 'e'] },
  { alg: 'PS256', kty: 'RSA', members: ['n', 'e'] },
  { alg: 'ES256', kty: 'EC', members: ['crv', 'x', 'y'] },
  { alg: 'EdDSA', kty: 'OKP', members: ['crv', 'x'] },
];

describe('signing algorithms', () => {
  it.each(ALGORITHMS)(
    '$alg: the JWKS publishes the key and tokens verify through it',
    async ({ alg, kty, members }) => {
      server = await startTutorial({ signingKeys: [{ alg }] });
      const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: JWK[] };
      expect(jwks.keys).toHaveLength(1);
      const [key] = jwks.keys;
      expect(Object.keys(key!)).toEqual(['alg', 'kty', 'use', ...members, 'kid']);
      expect(key).toMatchObject({ alg, kty, use: 'sig' });
      expect(key!['d']).toBeUndefined();
      const body = await expectTokens(await requestToken(server));
      const { protectedHeader } = await verifyToken(server, body.access_token, TUTORIAL.audience);
      expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: key!.kid });
    },
  );

  it('publishes every configured key and signs with the first', async () => {
    server = await startTutorial({
      signingKeys: [
        { alg: 'ES256', kid: 'current' },
        { alg: 'RS256', kid: 'next' },
      ],
    });
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual(['current', 'next']);
    const body = await expectTokens(await requestToken(server));
    expect(decodeProtectedHeader(body.access_token).kid).toBe('current');
  });

  it('signs with a fixed key from configuration, its RFC 7638 thumbprint as kid', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = await exportJWK(publicKey);
    server = await startTutorial({ signingKeys: [{ alg: 'ES256', privateJwk }] });
    const body = await expectTokens(await requestToken(server));
    const header = decodeProtectedHeader(body.access_token);
    expect(header.kid).toBe(await calculateJwkThumbprint(publicJwk));
    // Verifiable with the public key alone, without the JWKS.
    await jwtVerify(body.access_token, await importJWK(publicJwk, 'ES256'), {
      issuer: server.issuer,
    });
  });
});

describe('key rotation', () => {
  it('keeps the previous key published: old tokens still verify, new ones use the new key', async () => {
    server = await startTutorial();
    const before = await expectTokens(await requestToken(server));
    const rotated = await server.control.rotateSigningKey({ alg: 'ES256' });
    expect(rotated.previousKid).toBe(decodeProtectedHeader(before.access_token).kid);
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid, rotated.previousKid]);
    const after = await expectTokens(await requestToken(server));
    expect(decodeProtectedHeader(after.access_token)).toMatchObject({
      alg: 'ES256',
      kid: rotated.kid,
    });
    await verifyToken(server, before.access_token, TUTORIAL.audience);
    await verifyToken(server, after.access_token, TUTORIAL.audience);
  });

  it('withdraws the previous key: tokens it signed no longer verify', async () => {
    server = await startTutorial();
    const before = await expectTokens(await requestToken(server));
    const rotated = await server.control.rotateSigningKey({ keepPrevious: false });
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid]);
    await expect(verifyToken(server, before.access_token, TUTORIAL.audience)).rejects.toThrow(
      'no applicable key found in the JSON Web Key Set',
    );
    const after = await expectTokens(await requestToken(server));
    await verifyToken(server, after.access_token, TUTORIAL.audience);
  });

  it('withdraws a kept key later, but never the signing key', async () => {
    server = await startTutorial();
    const rotated = await server.control.rotateSigningKey();
    await expect(server.control.withdrawSigningKey(rotated.kid)).rejects.toThrow(
      /signs new tokens/,
    );
    await server.control.withdrawSigningKey(rotated.previousKid);
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: JWK[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid]);
  });
});

describe('RFC 9068 profile', () => {
  it('issues at+jwt tokens with client_id and jti instead of azp and gty, valid for a standard RFC 9068 validator', async () => {
    server = await startTutorial({
      apis: [{ identifier: TUTORIAL.audience, scopes: ['read:sample'], tokenProfile: 'rfc9068' }],
    });
    const body = await expectTokens(await requestToken(server));
    const claims = decodeJwt(body.access_token);
    expect(decodeProtectedHeader(body.access_token).typ).toBe('at+jwt');
    expect(claims).toMatchObject({ client_id: TUTORIAL.clientId, scope: 'read:sample' });
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims['azp']).toBeUndefined();
    expect(claims['gty']).toBeUndefined();
    // oauth4webapi's validator checks typ, iss, aud, exp, iat, sub, client_id, jti and the signature.
    const as = await oauth.processDiscoveryResponse(
      new URL(server.issuer),
      await oauth.discoveryRequest(new URL(server.issuer), { [oauth.allowInsecureRequests]: true }),
    );
    const validated = await oauth.validateJwtAccessToken(
      as,
      new Request('https://resource.example/', {
        headers: { authorization: `Bearer ${body.access_token}` },
      }),
      TUTORIAL.audience,
      { [oauth.allowInsecureRequests]: true },
    );
    expect(validated.client_id).toBe(TUTORIAL.clientId);
  });
});

describe('discovery and issuer', () => {
  it('publishes the discovery document MOCK-SERVER.md lists, without grant_types_supported', async () => {
    server = await startTutorial({ signingKeys: [{ alg: 'RS256' }, { alg: 'ES256' }] });
    const response = await fetch(server.discoveryUrl);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    const issuer = server.issuer;
    expect(document).toMatchObject({
      issuer,
      token_endpoint: `${issuer}oauth/token`,
      userinfo_endpoint: `${issuer}userinfo`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      revocation_endpoint: `${issuer}oauth/revoke`,
      mfa_challenge_endpoint: `${issuer}mfa/challenge`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      subject_types_supported: ['public'],
    });
    expect(document['scopes_supported']).toEqual(
      expect.arrayContaining(['openid', 'offline_access']),
    );
    expect(document).not.toHaveProperty('grant_types_supported');
  });

  it('uses the configured issuer, never the Host header', async () => {
    server = await startTutorial({ issuer: 'https://tenant.example.com/' });
    // node:http, because fetch does not let a caller choose the Host header.
    const document = await getWithHost(server.discoveryUrl, 'evil.example.net');
    expect(document['issuer']).toBe('https://tenant.example.com/');
    expect(document['token_endpoint']).toBe('https://tenant.example.com/oauth/token');
    const body = await expectTokens(await requestToken(server));
    expect(decodeJwt(body.access_token).iss).toBe('https://tenant.example.com/');
  });

  it('defaults the issuer to its own URL with a trailing slash, whatever the Host header says', async () => {
    server = await startTutorial();
    expect(server.issuer).toBe(`${server.url}/`);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const document = await getWithHost(server.discoveryUrl, 'evil.example.net:8443');
    expect(document['issuer']).toBe(`${server.url}/`);
  });

  it('has every member OpenID Connect Discovery 1.0 section 3 marks REQUIRED, as Auth0 publishes them', async () => {
    server = await startTutorial({ issuer: 'https://tenant.example.com/' });
    const document = (await (await fetch(server.discoveryUrl)).json()) as Record<string, unknown>;
    for (const member of [
      'issuer',
      'authorization_endpoint',
      'jwks_uri',
      'response_types_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
    ]) {
      expect(document).toHaveProperty(member);
    }
    expect(document['authorization_endpoint']).toBe('https://tenant.example.com/authorize');
    // Auth0's list, in Auth0's order.
    expect(document['response_types_supported']).toEqual([
      'code',
      'token',
      'id_token',
      'code token',
      'code id_token',
      'token id_token',
      'code token id_token',
    ]);
    expect(document['subject_types_supported']).toEqual(['public']);
    expect(document['id_token_signing_alg_values_supported']).toEqual(['RS256']);
    expect(document['claims_supported']).toContain('updated_at');
    // A standard client accepts it (oauth4webapi checks the issuer and the document's shape).
    const as = await oauth.processDiscoveryResponse(
      new URL('https://tenant.example.com/'),
      await fetch(server.discoveryUrl),
    );
    expect(as.authorization_endpoint).toBe('https://tenant.example.com/authorize');
  });

  it('answers /authorize, which discovery names but the mock does not implement, with a clear 501', async () => {
    server = await startTutorial();
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${server.url}/authorize?response_type=code&client_id=x`, {
        method,
      });
      expect(response.status).toBe(501);
      expect(await response.json()).toEqual({
        error: 'not_implemented',
        error_description:
          '@ropkit/mock-server has no /authorize: it serves the Resource Owner Password flow (POST /oauth/token) only',
      });
    }
    const [entry] = await server.control.requests();
    expect(entry).toMatchObject({ method: 'GET', path: '/authorize', status: 501 });
  });

  it('answers 404 for paths Auth0 does not serve, and for the control API when it is off', async () => {
    server = await startTutorial();
    expect((await fetch(`${server.url}/oauth/device/code`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/oauth/token`)).status).toBe(404);
    expect((await fetch(`${server.url}/__ropkit/clock`)).status).toBe(404);
    const health = await fetch(`${server.url}/__ropkit/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

/** The ID token's and /userinfo's `updated_at` for the tutorial user, with `openid profile`. */
async function updatedAtClaims(
  target: MockServer,
): Promise<{ idToken: unknown; userinfo: unknown }> {
  const body = await expectTokens(await requestToken(target, { scope: 'openid profile' }));
  const userinfo = await fetch(`${target.url}/userinfo`, {
    headers: { authorization: `Bearer ${body.access_token}` },
  });
  expect(userinfo.status).toBe(200);
  return {
    idToken: decodeJwt(body.id_token!)['updated_at'],
    userinfo: ((await userinfo.json()) as Record<string, unknown>)['updated_at'],
  };
}

describe('updated_at (OIDC Core section 5.1, with the profile scope)', () => {
  it('defaults to the time the server started, as a date string like Auth0 sends', async () => {
    const before = Math.floor(Date.now() / 1000);
    server = await startTutorial();
    const after = Math.ceil(Date.now() / 1000);
    // Later requests do not move it: it is when the profile changed, not when it was read.
    await server.control.advanceClock(3600);
    const { idToken, userinfo } = await updatedAtClaims(server);
    expect(idToken).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(userinfo).toBe(idToken);
    const seconds = Date.parse(idToken as string) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(before);
    expect(seconds).toBeLessThanOrEqual(after);
  });

  it("takes the user's updatedAt, and sends a number of seconds with updatedAtFormat: 'epoch-seconds'", async () => {
    const users = [
      { email: TUTORIAL.username, password: TUTORIAL.password, updatedAt: 1_700_000_000 },
    ];
    const connections = [{ name: TUTORIAL.connection, users }];
    server = await startTutorial({ connections });
    expect(await updatedAtClaims(server)).toEqual({
      idToken: '2023-11-14T22:13:20.000Z',
      userinfo: '2023-11-14T22:13:20.000Z',
    });
    await server.close();
    server = await startTutorial({ connections, updatedAtFormat: 'epoch-seconds' });
    expect(await updatedAtClaims(server)).toEqual({
      idToken: 1_700_000_000,
      userinfo: 1_700_000_000,
    });
  });

  it('is absent without the profile scope', async () => {
    server = await startTutorial();
    const body = await expectTokens(await requestToken(server, { scope: 'openid email' }));
    expect(decodeJwt(body.id_token!)).not.toHaveProperty('updated_at');
  });

  it('is the time of the change for a user set through the control API without updatedAt', async () => {
    server = await startTutorial({ updatedAtFormat: 'epoch-seconds' });
    const setAt = await server.control.advanceClock(86_400);
    await server.control.setUser(TUTORIAL.connection, {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const { idToken } = await updatedAtClaims(server);
    expect(idToken).toBeGreaterThanOrEqual(setAt);
    expect(idToken).toBeLessThanOrEqual(setAt + 2);
  });
});

describe('/userinfo', () => {
  it('returns sub and the claims the granted scopes allow', async () => {
    server = await startTutorial();
    const body = await expectTokens(await requestToken(server, { scope: 'openid email' }));
    const response = await fetch(`${server.url}/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sub: decodeJwt(body.access_token).sub,
      email: TUTORIAL.username,
      email_verified: true,
    });
  });

  it('returns sub with the profile claims for profile, and all of them for openid alone', async () => {
    server = await startTutorial({ updatedAtFormat: 'epoch-seconds' });
    const userinfo = async (scope: string) => {
      const body = await expectTokens(await requestToken(server!, { scope }));
      const response = await fetch(`${server!.url}/userinfo`, {
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      expect(response.status).toBe(200);
      const claims = (await response.json()) as Record<string, unknown>;
      return { sub: decodeJwt(body.access_token).sub, claims };
    };
    const profile = await userinfo('openid profile');
    expect(profile.claims).toEqual({
      sub: profile.sub,
      name: TUTORIAL.username,
      nickname: 'user',
      updated_at: expect.any(Number),
    });
    // openid alone is granted as openid profile email address phone.
    const everything = await userinfo('openid');
    expect(everything.claims).toEqual({
      ...profile.claims,
      email: TUTORIAL.username,
      email_verified: true,
    });
  });

  it('answers {} to a token for /userinfo alone granted without openid, as Auth0 does', async () => {
    server = await startTutorial();
    const body = await expectTokens(
      await requestToken(server, { audience: undefined, scope: 'offline_access' }),
    );
    const { payload } = await verifyToken(server, body.access_token, `${server.issuer}userinfo`);
    expect(payload['scope']).toBe('offline_access');
    const response = await fetch(`${server.url}/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it('rejects a token without the userinfo audience, a missing token, a garbled one and an expired one, with Auth0 challenges', async () => {
    server = await startTutorial();
    const userinfo = (authorization?: string) =>
      fetch(
        `${server!.url}/userinfo`,
        authorization === undefined ? {} : { headers: { authorization } },
      );
    const invalid = 'Bearer realm="Users", error="invalid_token"';
    const apiOnly = await expectTokens(await requestToken(server));
    const noOpenid = await userinfo(`Bearer ${apiOnly.access_token}`);
    expect(noOpenid.status).toBe(401);
    expect(noOpenid.headers.get('www-authenticate')).toBe(invalid);
    expect(noOpenid.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await noOpenid.text()).toBe('Unauthorized');
    const missing = await userinfo();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="Users"');
    const garbled = await userinfo('Bearer not.a.jwt');
    expect(garbled.status).toBe(401);
    expect(garbled.headers.get('www-authenticate')).toBe(invalid);
    const withOpenid = await expectTokens(await requestToken(server, { scope: 'openid' }));
    // An ID token is for the client, not for /userinfo.
    const idToken = await userinfo(`Bearer ${withOpenid.id_token!}`);
    expect(idToken.status).toBe(401);
    expect(idToken.headers.get('www-authenticate')).toBe(invalid);
    expect((await userinfo(`Bearer ${withOpenid.access_token}`)).status).toBe(200);
    await server.control.advanceClock(86_400);
    const expired = await userinfo(`Bearer ${withOpenid.access_token}`);
    expect(expired.status).toBe(401);
    // As observed from Auth0 (auth0/react-native-auth0#241).
    expect(expired.headers.get('www-authenticate')).toBe(
      'Bearer realm="Users", error="invalid_token", error_description="The token has expired"',
    );
  });
});
