import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { GRANT_TYPES } from '../../src/client/grant-types.js';
import { MfaRequiredError, OAuthError, TokenClient } from '../../src/index.js';
import { SECRETS, TUTORIAL, totp, tutorialClient, useMockServer } from './support.js';

const mock = useMockServer();

async function rejected<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('RFC 6749 section 4.3: the password grant (tutorial step "Request tokens")', () => {
  it('returns access, refresh and ID tokens with the granted scope', async () => {
    const tokens = await tutorialClient(mock.server).password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.idToken).toEqual(expect.any(String));
    expect(tokens.expiresIn).toBe(86400);
    expect(tokens.expiresAt - tokens.receivedAt).toBe(86_400_000);
    const claims = decodeJwt(tokens.accessToken);
    expect(claims['gty']).toBe('password');
    expect(claims['scope']).toContain('read:sample');
    const [entry] = await mock.server.control.requests();
    expect(entry?.grantType).toBe('password');
    expect(entry?.clientId).toBe(TUTORIAL.clientId);
  });

  it('exposes a down-scope: the scope the server granted, not the one requested', async () => {
    const tokens = await tutorialClient(mock.server, { scope: 'openid' }).password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    // Auth0: openid alone becomes the standard OIDC scopes, and no API scope requested means all
    // of the API's scopes; the response lists what was issued.
    expect((tokens.scope ?? []).toSorted()).toEqual([
      'address',
      'email',
      'openid',
      'phone',
      'profile',
      'read:sample',
      'write:sample',
    ]);
  });

  it('sends no refresh token request parameter the tutorial does not list', async () => {
    const tokens = await tutorialClient(mock.server, { scope: 'read:sample' }).password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.idToken).toBeUndefined();
  });

  it('answers 403 invalid_grant "Wrong email or password." as a typed OAuthError', async () => {
    const error = await rejected(
      tutorialClient(mock.server).password({ username: TUTORIAL.username, password: 'wrong' }),
      OAuthError,
    );
    expect(error.code).toBe('oauth_error');
    expect(error.error).toBe('invalid_grant');
    expect(error.errorDescription).toBe('Wrong email or password.');
    expect(error.status).toBe(403);
  });

  it('answers the same for an unknown user', async () => {
    const error = await rejected(
      tutorialClient(mock.server).password({ username: 'nobody@example.com', password: 'x' }),
      OAuthError,
    );
    expect([error.status, error.error]).toEqual([403, 'invalid_grant']);
  });

  it('surfaces a blocked user as 401 unauthorized', async () => {
    const error = await rejected(
      tutorialClient(mock.server).password({
        username: 'blocked@example.com',
        password: 'blocked-pwd',
      }),
      OAuthError,
    );
    expect([error.status, error.error, error.errorDescription]).toEqual([
      401,
      'unauthorized',
      'user is blocked',
    ]);
  });

  it('surfaces an unknown audience as 403 access_denied', async () => {
    const error = await rejected(
      tutorialClient(mock.server, { audience: 'https://unknown.example.com' }).password({
        username: TUTORIAL.username,
        password: TUTORIAL.password,
      }),
      OAuthError,
    );
    expect([error.status, error.error]).toEqual([403, 'access_denied']);
  });

  it('surfaces a grant the client may not use as 403 unauthorized_client', async () => {
    // The public client may use the password grant only.
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'public-client',
    });
    const error = await rejected(client.refresh({ refreshToken: 'whatever' }), OAuthError);
    expect([error.status, error.error]).toEqual([403, 'unauthorized_client']);
  });
});

describe("Auth0's password-realm extension grant (tutorial: realm support)", () => {
  it('signs in a user of the named connection', async () => {
    const tokens = await tutorialClient(mock.server).password({
      username: 'employee@example.com',
      password: 'employee-pwd',
      realm: 'employees',
    });
    expect(tokens.accessToken).toBeTruthy();
    const [entry] = await mock.server.control.requests();
    expect(entry?.grantType).toBe(GRANT_TYPES.passwordRealm);
  });

  it('does not find the user in the default directory without the realm', async () => {
    const error = await rejected(
      tutorialClient(mock.server).password({
        username: 'employee@example.com',
        password: 'employee-pwd',
      }),
      OAuthError,
    );
    expect(error.error).toBe('invalid_grant');
  });
});

describe('RFC 6749 section 2.3: client authentication', () => {
  it('client_secret_basic form-encodes id and secret before base64 (section 2.3.1)', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret: SECRETS.basicSecret,
      clientAuthentication: 'client_secret_basic',
      audience: TUTORIAL.audience,
    });
    await expect(
      client.password({ username: TUTORIAL.username, password: TUTORIAL.password }),
    ).resolves.toBeDefined();
  });

  it('a wrong secret is refused with the observed 401 access_denied', async () => {
    const client = tutorialClient(mock.server, { clientSecret: 'not-the-secret' });
    const error = await rejected(
      client.password({ username: TUTORIAL.username, password: TUTORIAL.password }),
      OAuthError,
    );
    expect([error.status, error.error, error.errorDescription]).toEqual([
      401,
      'access_denied',
      'Unauthorized',
    ]);
  });

  it('a public client sends its id only', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'public-client',
      audience: TUTORIAL.audience,
    });
    await expect(
      client.password({ username: TUTORIAL.username, password: TUTORIAL.password }),
    ).resolves.toBeDefined();
  });
});

describe('RFC 6749 section 6: refresh (tutorial step "Refresh tokens")', () => {
  it('returns a new access token and no refresh token when rotation is off', async () => {
    const client = tutorialClient(mock.server);
    const first = await client.password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const next = await client.refresh({ refreshToken: first.refreshToken ?? '' });
    expect(next.accessToken).not.toBe(first.accessToken);
    expect(next.refreshToken).toBeUndefined();
    expect(decodeJwt(next.accessToken)['gty']).toBe('refresh_token');
  });

  it('asks for a reduced scope', async () => {
    const client = tutorialClient(mock.server);
    const first = await client.password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    const next = await client.refresh({
      refreshToken: first.refreshToken ?? '',
      scope: 'read:sample',
    });
    expect(decodeJwt(next.accessToken)['scope']).toBe('read:sample');
  });

  it('surfaces an unknown refresh token as 403 invalid_grant', async () => {
    const error = await rejected(
      tutorialClient(mock.server).refresh({ refreshToken: 'unknown' }),
      OAuthError,
    );
    expect([error.status, error.error, error.errorDescription]).toEqual([
      403,
      'invalid_grant',
      'Unknown or invalid refresh token.',
    ]);
  });

  it('RFC 7009: a revoked refresh token stops working', async () => {
    const client = tutorialClient(mock.server);
    const first = await client.password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    await client.revoke(first.refreshToken ?? '');
    const error = await rejected(
      client.refresh({ refreshToken: first.refreshToken ?? '' }),
      OAuthError,
    );
    expect(error.error).toBe('invalid_grant');
  });
});

describe('Auth0 MFA (tutorial: "Configure MFA")', () => {
  it('surfaces mfa_required with the mfa_token, then signs in with a TOTP code', async () => {
    const client = tutorialClient(mock.server);
    const error = await rejected(
      client.password({ username: 'mfa@example.com', password: 'mfa-pwd' }),
      MfaRequiredError,
    );
    expect(error.code).toBe('mfa_required');
    expect(error.error).toBe('mfa_required');
    expect(error.status).toBe(403);
    expect(error.mfaRequirements).toEqual({ challenge: [{ type: 'otp' }] });
    expect(error.message).not.toContain(error.mfaToken);
    const challenge = await client.mfaChallenge({ mfaToken: error.mfaToken });
    expect(challenge.challengeType).toBe('otp');
    const otp = totp(SECRETS.mfaTotp, await mock.server.control.now());
    const tokens = await client.mfaOtp({ mfaToken: error.mfaToken, otp });
    expect(decodeJwt(tokens.accessToken)['sub']).toEqual(expect.stringMatching(/^auth0\|/));
  });

  it('refuses a wrong code with invalid_grant', async () => {
    const client = tutorialClient(mock.server);
    const error = await rejected(
      client.password({ username: 'mfa@example.com', password: 'mfa-pwd' }),
      MfaRequiredError,
    );
    const wrong = await rejected(
      client.mfaOtp({ mfaToken: error.mfaToken, otp: '000000' }),
      OAuthError,
    );
    expect([wrong.status, wrong.error]).toEqual([403, 'invalid_grant']);
  });

  it('signs in with a recovery code', async () => {
    const client = tutorialClient(mock.server);
    const error = await rejected(
      client.password({ username: 'mfa@example.com', password: 'mfa-pwd' }),
      MfaRequiredError,
    );
    const { tokens, recoveryCode } = await client.mfaRecoveryCode({
      mfaToken: error.mfaToken,
      recoveryCode: SECRETS.recoveryCode,
    });
    expect(tokens.accessToken).toBeTruthy();
    expect(recoveryCode?.reveal()).toMatch(/^[A-Z0-9]{24}$/);
  });
});

/** A confidential backend client with Auth0's "Trust Token Endpoint IP Header" on. */
const backend = () =>
  new TokenClient({
    tokenEndpoint: mock.server.tokenEndpoint,
    clientId: 'trusted-backend',
    clientSecret: 'trusted-secret',
    audience: TUTORIAL.audience,
  });

describe('Auth0 attack protection (tutorial: "Configure attack protection")', () => {
  it('sends the end user IP as auth0-forwarded-for', async () => {
    await backend().password({
      username: TUTORIAL.username,
      password: TUTORIAL.password,
      forwardedFor: '203.0.113.7',
    });
    const [entry] = await mock.server.control.requests();
    expect(entry?.forwardedFor).toBe('203.0.113.7');
  });

  it('keeps one attacker IP from locking the user out for everyone', async () => {
    const client = backend();
    for (let i = 0; i < 10; i++) {
      await client
        .password({ username: TUTORIAL.username, password: 'wrong', forwardedFor: '198.51.100.66' })
        .catch(() => undefined);
    }
    const blocked = await rejected(
      client.password({
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        forwardedFor: '198.51.100.66',
      }),
      OAuthError,
    );
    expect([blocked.status, blocked.error]).toEqual([429, 'too_many_attempts']);
    // The real user, from another IP, still signs in.
    await expect(
      client.password({
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        forwardedFor: '203.0.113.7',
      }),
    ).resolves.toBeDefined();
  });

  it('without the header every user shares the backend IP, and one attacker locks the user out', async () => {
    const client = backend();
    for (let i = 0; i < 10; i++) {
      await client
        .password({ username: TUTORIAL.username, password: 'wrong' })
        .catch(() => undefined);
    }
    const blocked = await rejected(
      client.password({ username: TUTORIAL.username, password: TUTORIAL.password }),
      OAuthError,
    );
    expect(blocked.error).toBe('too_many_attempts');
  });

  it('refuses a forwardedFor that is not an IP address, sending nothing', async () => {
    await expect(
      backend().password({
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        forwardedFor: 'not-an-ip',
      }),
    ).rejects.toThrow(TypeError);
    expect(await mock.server.control.requests()).toEqual([]);
  });
});

describe('endpoints from discovery', () => {
  it('finds the token endpoint from the issuer', async () => {
    const client = new TokenClient({
      issuer: mock.server.issuer,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
    });
    await expect(
      client.password({ username: TUTORIAL.username, password: TUTORIAL.password }),
    ).resolves.toBeDefined();
    const paths = (await mock.server.control.requests()).map((entry) => entry.path);
    expect(paths).toEqual(['/.well-known/openid-configuration', '/oauth/token']);
  });
});
