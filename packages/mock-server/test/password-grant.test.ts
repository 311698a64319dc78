import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer } from '../src/index.js';
import { expectTokens, requestToken, startTutorial, verifyToken } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('password grant: success', () => {
  it('issues an RS256 access token that verifies through the JWKS, with Auth0 claims', async () => {
    server = await startTutorial();
    const response = await requestToken(server);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = await expectTokens(response);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(86_400);
    // The request asked for exactly what was granted: no scope member (MOCK-SERVER.md).
    expect(body.scope).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    const { payload, protectedHeader } = await verifyToken(
      server,
      body.access_token,
      TUTORIAL.audience,
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(typeof protectedHeader.kid).toBe('string');
    expect(payload).toMatchObject({
      iss: `${server.url}/`,
      aud: TUTORIAL.audience,
      scope: 'read:sample',
      gty: 'password',
      azp: TUTORIAL.clientId,
    });
    expect(payload.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(payload.exp! - payload.iat!).toBe(86_400);
  });

  it('accepts a JSON body as well as a form', async () => {
    server = await startTutorial();
    const body = await expectTokens(await requestToken(server, {}, { json: true }));
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload['scope']).toBe('read:sample');
  });

  it('grants all of the API scopes when none is requested, and says so in scope', async () => {
    server = await startTutorial({
      apis: [{ identifier: TUTORIAL.audience, scopes: ['read:sample', 'write:sample'] }],
    });
    const body = await expectTokens(await requestToken(server, { scope: undefined }));
    expect(body.scope).toBe('read:sample write:sample');
    expect(decodeJwt(body.access_token)['scope']).toBe('read:sample write:sample');
  });

  it('drops scopes the API does not define', async () => {
    server = await startTutorial();
    const body = await expectTokens(
      await requestToken(server, { scope: 'read:sample delete:all' }),
    );
    expect(body.scope).toBe('read:sample');
  });

  it('turns openid alone into openid profile email address phone, with an ID token and the userinfo audience', async () => {
    server = await startTutorial();
    const body = await expectTokens(await requestToken(server, { scope: 'openid read:sample' }));
    expect(body.scope).toBe('openid profile email address phone read:sample');
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload.aud).toEqual([TUTORIAL.audience, `${server.issuer}userinfo`]);
    expect(body.id_token).toBeDefined();
    const idToken = await verifyToken(server, body.id_token!, TUTORIAL.clientId);
    expect(idToken.payload).toMatchObject({
      iss: server.issuer,
      sub: payload.sub,
      aud: TUTORIAL.clientId,
      name: TUTORIAL.username,
      nickname: 'user',
      email: TUTORIAL.username,
      email_verified: true,
    });
    expect(idToken.payload.exp! - idToken.payload.iat!).toBe(36_000);
  });

  it('keeps the requested OIDC claim scopes when some are named', async () => {
    server = await startTutorial();
    const body = await expectTokens(await requestToken(server, { scope: 'openid email' }));
    expect(body.scope).toBe('openid email read:sample');
    const idToken = decodeJwt(body.id_token!);
    expect(idToken['email']).toBe(TUTORIAL.username);
    expect(idToken['name']).toBeUndefined();
  });

  it('issues a refresh token only with offline_access on an API that allows offline access', async () => {
    server = await startTutorial();
    const withOffline = await expectTokens(
      await requestToken(server, { scope: 'read:sample offline_access' }),
    );
    expect(withOffline.refresh_token).toEqual(expect.any(String));
    await server.control.setApi({ identifier: TUTORIAL.audience, scopes: ['read:sample'] });
    const noOfflineApi = await expectTokens(
      await requestToken(server, { scope: 'read:sample offline_access' }),
    );
    expect(noOfflineApi.refresh_token).toBeUndefined();
    expect(noOfflineApi.scope).toBe('read:sample');
  });

  it('issues a userinfo-only token when there is no audience and no default audience', async () => {
    server = await startTutorial();
    const body = await expectTokens(
      await requestToken(server, { audience: undefined, scope: 'openid' }),
    );
    const { payload } = await verifyToken(server, body.access_token, `${server.issuer}userinfo`);
    expect(payload.aud).toBe(`${server.issuer}userinfo`);
  });

  it('uses the tenant default audience when the request has none', async () => {
    server = await startTutorial({ defaultAudience: TUTORIAL.audience });
    const body = await expectTokens(await requestToken(server, { audience: undefined }));
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload.aud).toBe(TUTORIAL.audience);
  });

  it('accepts the password-realm grant and grant_type=password with a realm', async () => {
    server = await startTutorial({ defaultDirectory: undefined });
    const realmGrant = await requestToken(server, {
      grant_type: GrantType.passwordRealm,
      realm: TUTORIAL.connection,
    });
    const realmToken = await expectTokens(realmGrant);
    const passwordWithRealm = await expectTokens(
      await requestToken(server, { realm: TUTORIAL.connection }),
    );
    expect(decodeJwt(realmToken.access_token).sub).toBe(
      decodeJwt(passwordWithRealm.access_token).sub,
    );
  });

  it('logs in by username as well as by email, case-insensitively', async () => {
    server = await startTutorial();
    await server.control.setUser(TUTORIAL.connection, {
      email: 'second@example.com',
      username: 'second',
      password: 'second-password',
    });
    await expect(
      await requestToken(server, { username: 'SECOND', password: 'second-password' }),
    ).toBeTokenResponse();
    await expect(
      await requestToken(server, { username: 'Second@Example.com', password: 'second-password' }),
    ).toBeTokenResponse();
  });
});

describe('password grant: errors (MOCK-SERVER.md error table)', () => {
  it.each(['username', 'password', 'client_id', 'grant_type'])(
    'a missing %s is 400 invalid_request "Missing required parameter: <name>"',
    async (name) => {
      server = await startTutorial();
      const response = await requestToken(server, { [name]: undefined });
      expect(response.headers.get('cache-control')).toBe('no-store');
      await expect(response).toBeOAuthError(
        400,
        'invalid_request',
        `Missing required parameter: ${name}`,
      );
    },
  );

  it('password-realm without realm is a missing parameter', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { grant_type: GrantType.passwordRealm });
    await expect(response).toBeOAuthError(
      400,
      'invalid_request',
      'Missing required parameter: realm',
    );
  });

  it('an unknown grant type is 400 unsupported_grant_type', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { grant_type: 'urn:example:not-a-grant' });
    await expect(response).toBeOAuthError(
      400,
      'unsupported_grant_type',
      'Grant type not supported',
    );
  });

  it('a wrong password is 403 invalid_grant "Wrong email or password." (with the period)', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { password: 'not-the-password' });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { username: 'nobody@example.com' });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
  });

  it('an unknown audience is 403 access_denied "Service not enabled within domain: <audience>"', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { audience: 'https://unknown.example.com' });
    await expect(response).toBeOAuthError(
      403,
      'access_denied',
      'Service not enabled within domain: https://unknown.example.com',
    );
  });

  it('no default connection is 500 server_error', async () => {
    server = await startTutorial({ defaultDirectory: undefined });
    const response = await requestToken(server);
    await expect(response).toBeOAuthError(
      500,
      'server_error',
      'Authorization server not configured with default connection.',
    );
  });

  it('a realm that names no connection is 400 invalid_request', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { realm: 'employees' });
    await expect(response).toBeOAuthError(400, 'invalid_request', 'Unknown realm: employees');
  });

  it('a parameter sent twice is 400 invalid_request (RFC 6749 section 3.2)', async () => {
    server = await startTutorial();
    const response = await fetch(server.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&grant_type=password&username=a&password=b',
    });
    await expect(response).toBeOAuthError(
      400,
      'invalid_request',
      'Parameter "grant_type" must not be repeated',
    );
  });

  it('an unreadable JSON body is 400 invalid_request', async () => {
    server = await startTutorial();
    const response = await fetch(server.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    });
    await expect(response).toBeOAuthError(400, 'invalid_request', 'Request body is not valid JSON');
  });

  it('a blocked user is 401 unauthorized "user is blocked"', async () => {
    server = await startTutorial();
    await server.control.setUser(TUTORIAL.connection, {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
      blocked: true,
    });
    await expect(await requestToken(server)).toBeOAuthError(401, 'unauthorized', 'user is blocked');
  });
});

describe('rules', () => {
  it('add namespaced claims to the access and ID tokens and replace the scope (the seed example)', async () => {
    server = await startTutorial({
      rules: [
        {
          name: 'customize tokens',
          accessTokenClaims: { 'http://foo/bar': 'value' },
          idTokenClaims: { 'http://fiz/baz': 'some other value' },
          scope: ['array', 'of', 'strings'],
        },
      ],
    });
    const body = await expectTokens(await requestToken(server, { scope: 'openid read:sample' }));
    expect(body.scope).toBe('array of strings');
    const access = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(access.payload['http://foo/bar']).toBe('value');
    expect(access.payload['scope']).toBe('array of strings');
    const id = await verifyToken(server, body.id_token!, TUTORIAL.clientId);
    expect(id.payload['http://fiz/baz']).toBe('some other value');
    expect(id.payload['http://foo/bar']).toBeUndefined();
  });

  it('a rule can deny a user with 403 access_denied and its message', async () => {
    server = await startTutorial({
      rules: [{ name: 'deny', user: TUTORIAL.username, deny: 'Access denied by policy' }],
    });
    await expect(await requestToken(server)).toBeOAuthError(
      403,
      'access_denied',
      'Access denied by policy',
    );
  });

  it('a rule scoped to another connection does not apply', async () => {
    server = await startTutorial({
      connections: [
        {
          name: TUTORIAL.connection,
          users: [{ email: TUTORIAL.username, password: TUTORIAL.password }],
        },
        { name: 'employees', users: [] },
      ],
      rules: [{ name: 'deny employees', connection: 'employees', deny: 'Employees only via SSO' }],
    });
    await expect(await requestToken(server)).toBeTokenResponse();
  });
});

describe('RBAC', () => {
  it('limits granted scopes to the user permissions and lists them in a permissions claim', async () => {
    server = await startTutorial({
      apis: [
        {
          identifier: TUTORIAL.audience,
          scopes: ['read:sample', 'write:sample', 'delete:sample'],
          rbac: true,
          addPermissionsInAccessToken: true,
        },
      ],
      connections: [
        {
          name: TUTORIAL.connection,
          users: [
            {
              email: TUTORIAL.username,
              password: TUTORIAL.password,
              permissions: { [TUTORIAL.audience]: ['read:sample', 'write:sample'] },
            },
          ],
        },
      ],
    });
    const requested = await expectTokens(
      await requestToken(server, { scope: 'write:sample delete:sample' }),
    );
    expect(requested.scope).toBe('write:sample');
    const { payload } = await verifyToken(server, requested.access_token, TUTORIAL.audience);
    expect(payload['permissions']).toEqual(['read:sample', 'write:sample']);
    const all = await expectTokens(await requestToken(server, { scope: undefined }));
    expect(all.scope).toBe('read:sample write:sample');
  });

  it('without "add permissions in the access token" there is no permissions claim', async () => {
    server = await startTutorial({
      apis: [{ identifier: TUTORIAL.audience, scopes: ['read:sample'], rbac: true }],
    });
    const body = await expectTokens(await requestToken(server));
    // The tutorial user has no permissions: RBAC grants nothing.
    expect(body.scope).toBe('');
    expect(decodeJwt(body.access_token)['permissions']).toBeUndefined();
    expect(decodeProtectedHeader(body.access_token).typ).toBe('JWT');
  });
});
