import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer, type RefreshTokenSettings } from '../src/index.js';
import { expectTokens, postForm, requestToken, startTutorial, verifyToken } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The tutorial tenant with the client's refresh token settings replaced. */
async function startWithRefreshSettings(refreshToken: RefreshTokenSettings): Promise<MockServer> {
  const started = await startTutorial();
  await started.control.setClient({
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    grantTypes: [GrantType.password, GrantType.refreshToken],
    refreshToken,
  });
  return started;
}

async function firstRefreshToken(
  target: MockServer,
  scope = 'openid read:sample offline_access',
): Promise<string> {
  const body = await expectTokens(await requestToken(target, { scope }));
  expect(body.refresh_token).toEqual(expect.any(String));
  return body.refresh_token!;
}

function refresh(
  target: MockServer,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return postForm(target.tokenEndpoint, {
    grant_type: 'refresh_token',
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    refresh_token: refreshToken,
    ...extra,
  });
}

const INVALID = ['invalid_grant', 'Unknown or invalid refresh token.'] as const;

describe('refresh grant without rotation (Auth0 default)', () => {
  it('renews tokens with gty refresh_token and no new refresh token; the old one keeps working', async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server);
    const response = await refresh(server, refreshToken);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await expectTokens(response);
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe('openid profile email address phone read:sample offline_access');
    expect(body.id_token).toEqual(expect.any(String));
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload['gty']).toBe('refresh_token');
    await expect(await refresh(server, refreshToken)).toBeTokenResponse();
  });

  it('may ask for a subset of the original scopes, but not for more', async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server, 'read:sample offline_access');
    const subset = await expectTokens(
      await refresh(server, refreshToken, { scope: 'read:sample' }),
    );
    expect(subset.scope).toBeUndefined();
    expect(decodeJwt(subset.access_token)['scope']).toBe('read:sample');
    const more = await refresh(server, refreshToken, { scope: 'read:sample openid' });
    await expect(more).toBeOAuthError(
      403,
      'invalid_scope',
      'The requested scope "openid" exceeds the scope granted by the resource owner.',
    );
  });

  it('rejects an unknown refresh token with 403 invalid_grant', async () => {
    server = await startTutorial();
    await expect(await refresh(server, 'not-a-refresh-token')).toBeOAuthError(403, ...INVALID);
  });

  it('rejects a missing refresh_token parameter', async () => {
    server = await startTutorial();
    const response = await postForm(server.tokenEndpoint, {
      grant_type: 'refresh_token',
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
    });
    await expect(response).toBeOAuthError(
      400,
      'invalid_request',
      'Missing required parameter: refresh_token',
    );
  });

  it("rejects another client's refresh token", async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server);
    await server.control.setClient({
      clientId: 'other',
      clientSecret: 'other-secret',
      grantTypes: [GrantType.refreshToken],
    });
    const response = await postForm(server.tokenEndpoint, {
      grant_type: 'refresh_token',
      client_id: 'other',
      client_secret: 'other-secret',
      refresh_token: refreshToken,
    });
    await expect(response).toBeOAuthError(403, ...INVALID);
  });

  it('expires after its lifetime on the mock clock', async () => {
    server = await startWithRefreshSettings({ lifetime: 3600 });
    // Frozen: a running clock could cross a second boundary between issue and refresh (it failed
    // a CI run once), and the boundary below is exact to the second.
    await server.control.freezeClock();
    const refreshToken = await firstRefreshToken(server);
    await server.control.advanceClock(3599);
    await expect(await refresh(server, refreshToken)).toBeTokenResponse();
    await server.control.advanceClock(1);
    await expect(await refresh(server, refreshToken)).toBeOAuthError(403, ...INVALID);
  });

  it('is refused for a user blocked after it was issued', async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server);
    await server.control.setUser(TUTORIAL.connection, {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
      blocked: true,
    });
    await expect(await refresh(server, refreshToken)).toBeOAuthError(
      401,
      'unauthorized',
      'user is blocked',
    );
  });
});

describe('refresh token rotation', () => {
  it('returns a new refresh token each time; the used one stops working and reusing it revokes the family', async () => {
    server = await startWithRefreshSettings({ rotation: 'rotating' });
    const first = await firstRefreshToken(server);
    const second = (await expectTokens(await refresh(server, first))).refresh_token!;
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    const third = (await expectTokens(await refresh(server, second))).refresh_token!;
    // Reuse of `first` (rotated long ago): reuse detection.
    await server.control.advanceClock(1);
    await expect(await refresh(server, first)).toBeOAuthError(403, ...INVALID);
    // The whole family is revoked, including the newest token.
    await expect(await refresh(server, third)).toBeOAuthError(403, ...INVALID);
  });

  it('a refused refresh (scope too wide) does not spend a rotating token', async () => {
    server = await startWithRefreshSettings({ rotation: 'rotating' });
    const first = await firstRefreshToken(server, 'read:sample offline_access');
    await expect(await refresh(server, first, { scope: 'openid' })).toBeOAuthError(
      403,
      'invalid_scope',
      'The requested scope "openid" exceeds the scope granted by the resource owner.',
    );
    await expect(await refresh(server, first)).toBeTokenResponse();
  });

  it('with a reuse interval (overlap), the previous token may be reused within it, not after', async () => {
    server = await startWithRefreshSettings({ rotation: 'rotating', reuseInterval: 30 });
    const first = await firstRefreshToken(server);
    const second = (await expectTokens(await refresh(server, first))).refresh_token!;
    await server.control.advanceClock(20);
    const retried = await expectTokens(await refresh(server, first));
    expect(retried.refresh_token).toEqual(expect.any(String));
    await server.control.advanceClock(11);
    await expect(await refresh(server, first)).toBeOAuthError(403, ...INVALID);
    await expect(await refresh(server, second)).toBeOAuthError(403, ...INVALID);
  });

  it('with a reuse interval, only the immediately previous token may come back: an older one revokes the family', async () => {
    server = await startWithRefreshSettings({ rotation: 'rotating', reuseInterval: 60 });
    await server.control.freezeClock();
    const first = await firstRefreshToken(server);
    const second = (await expectTokens(await refresh(server, first))).refresh_token!;
    await server.control.advanceClock(1);
    const third = (await expectTokens(await refresh(server, second))).refresh_token!;
    await server.control.advanceClock(1);
    // `second` is the previous token: within the interval it may be exchanged again.
    const retried = await expectTokens(await refresh(server, second));
    expect(retried.refresh_token).toEqual(expect.any(String));
    // `first` is the second-to-last: well within 60 s of its rotation, still reuse detection.
    await expect(await refresh(server, first)).toBeOAuthError(403, ...INVALID);
    await expect(await refresh(server, third)).toBeOAuthError(403, ...INVALID);
    await expect(await refresh(server, retried.refresh_token!)).toBeOAuthError(403, ...INVALID);
  });

  it('without an overlap, even an immediate reuse revokes the family', async () => {
    server = await startWithRefreshSettings({ rotation: 'rotating' });
    const first = await firstRefreshToken(server);
    const second = (await expectTokens(await refresh(server, first))).refresh_token!;
    await expect(await refresh(server, first)).toBeOAuthError(403, ...INVALID);
    await expect(await refresh(server, second)).toBeOAuthError(403, ...INVALID);
  });
});

describe('idle refresh token lifetime (Auth0 "Configure Refresh Token Expiration")', () => {
  it('a token not exchanged for the idle lifetime expires; each exchange starts the period again', async () => {
    server = await startWithRefreshSettings({ lifetime: 1000, idleLifetime: 100 });
    await server.control.freezeClock();
    const refreshToken = await firstRefreshToken(server);
    await server.control.advanceClock(99);
    await expect(await refresh(server, refreshToken)).toBeTokenResponse();
    await server.control.advanceClock(99);
    await expect(await refresh(server, refreshToken)).toBeTokenResponse();
    await server.control.advanceClock(100);
    await expect(await refresh(server, refreshToken)).toBeOAuthError(403, ...INVALID);
  });

  it('with rotation, each new token renews the idle period, and the absolute lifetime still ends the family', async () => {
    server = await startWithRefreshSettings({
      rotation: 'rotating',
      lifetime: 250,
      idleLifetime: 100,
    });
    await server.control.freezeClock();
    let token = await firstRefreshToken(server);
    for (const step of [99, 99]) {
      await server.control.advanceClock(step);
      token = (await expectTokens(await refresh(server, token))).refresh_token!;
    }
    // 198 s after issue: idle for 0 s, but 52 s more reach the absolute lifetime of 250 s.
    await server.control.advanceClock(52);
    await expect(await refresh(server, token)).toBeOAuthError(403, ...INVALID);
  });

  it('defaults to 30 days of idleness, as Auth0', async () => {
    server = await startWithRefreshSettings({ lifetime: 90 * 86_400 });
    await server.control.freezeClock();
    const kept = await firstRefreshToken(server);
    const idle = await firstRefreshToken(server);
    await server.control.advanceClock(29 * 86_400);
    await expect(await refresh(server, kept)).toBeTokenResponse();
    await server.control.advanceClock(86_400);
    // 30 days without an exchange: expired; the other was exchanged a day ago.
    await expect(await refresh(server, idle)).toBeOAuthError(403, ...INVALID);
    await expect(await refresh(server, kept)).toBeTokenResponse();
  });

  it("follows the client's current setting", async () => {
    server = await startWithRefreshSettings({ idleLifetime: 1000 });
    await server.control.freezeClock();
    const refreshToken = await firstRefreshToken(server);
    await server.control.advanceClock(500);
    await server.control.setClient({
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      grantTypes: [GrantType.password, GrantType.refreshToken],
      refreshToken: { idleLifetime: 400 },
    });
    await expect(await refresh(server, refreshToken)).toBeOAuthError(403, ...INVALID);
  });
});

describe('POST /oauth/revoke (RFC 7009)', () => {
  it('revokes a refresh token and its family, answering 200', async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server);
    const response = await postForm(`${server.url}/oauth/revoke`, {
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
      token: refreshToken,
    });
    expect(response.status).toBe(200);
    await expect(await refresh(server, refreshToken)).toBeOAuthError(403, ...INVALID);
  });

  it('answers 200 for an unknown token, requires client authentication and a token', async () => {
    server = await startTutorial();
    const revoke = (parameters: Record<string, string>) =>
      postForm(`${server!.url}/oauth/revoke`, parameters);
    const unknown = await revoke({
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
      token: 'x',
    });
    expect(unknown.status).toBe(200);
    await expect(
      await revoke({ client_id: TUTORIAL.clientId, client_secret: 'wrong', token: 'x' }),
    ).toBeOAuthError(401, 'access_denied', 'Unauthorized');
    await expect(
      await revoke({ client_id: TUTORIAL.clientId, client_secret: TUTORIAL.clientSecret }),
    ).toBeOAuthError(400, 'invalid_request', 'Missing required parameter: token');
  });

  it("refuses to revoke another client's token (RFC 7009 section 2.1)", async () => {
    server = await startTutorial();
    const refreshToken = await firstRefreshToken(server);
    await server.control.setClient({ clientId: 'other', clientSecret: 'other-secret' });
    const response = await postForm(`${server.url}/oauth/revoke`, {
      client_id: 'other',
      client_secret: 'other-secret',
      token: refreshToken,
    });
    await expect(response).toBeOAuthError(
      403,
      'unauthorized_client',
      'The token was not issued to this client.',
    );
    await expect(await refresh(server, refreshToken)).toBeTokenResponse();
  });
});
