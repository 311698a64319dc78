import * as oauth from 'oauth4webapi';
import { Secret, TOTP } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer } from '../src/index.js';
import { startTutorial, verifyToken } from './helpers.js';

/**
 * The mock driven by oauth4webapi, a standard OAuth 2.0 / OIDC client written elsewhere: if the
 * mock's responses were not what a conforming client expects, these tests would fail inside it.
 */

// The mock listens on plain HTTP on loopback.
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

let server: MockServer;
let as: oauth.AuthorizationServer;
const client: oauth.Client = { client_id: TUTORIAL.clientId };
const clientAuth = oauth.ClientSecretPost(TUTORIAL.clientSecret);

beforeEach(async () => {
  server = await startTutorial();
  const issuer = new URL(server.issuer);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, INSECURE));
});
afterEach(async () => {
  await server.close();
});

function passwordGrant(parameters: Record<string, string>, auth = clientAuth): Promise<Response> {
  return oauth.genericTokenEndpointRequest(
    as,
    client,
    auth,
    'password',
    {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
      audience: TUTORIAL.audience,
      ...parameters,
    },
    INSECURE,
  );
}

describe('oauth4webapi against the mock', () => {
  it('discovers the issuer and endpoints', () => {
    expect(as.issuer).toBe(server.issuer);
    expect(as.token_endpoint).toBe(server.tokenEndpoint);
  });

  it('runs the password grant as a generic grant, refreshes, calls userinfo and revokes', async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await passwordGrant({ scope: 'openid read:sample offline_access' }),
    );
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    // oauth4webapi validated the ID token's iss, aud, exp and iat already.
    const idClaims = oauth.getValidatedIdTokenClaims(tokens);
    expect(idClaims?.sub).toMatch(/^auth0\|/);
    await verifyToken(server, tokens.access_token, TUTORIAL.audience);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, INSECURE),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      idClaims!.sub,
      await oauth.userInfoRequest(as, client, refreshed.access_token, INSECURE),
    );
    expect(userinfo.email).toBe(TUTORIAL.username);

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token!, INSECURE),
    );
    const afterRevoke = oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, INSECURE),
    );
    await expect(afterRevoke).rejects.toMatchObject({
      status: 403,
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
  });

  it('authenticates with client_secret_basic as oauth4webapi encodes it', async () => {
    const clientSecret = 'a secret: with % and +';
    await server.control.setClient({
      clientId: TUTORIAL.clientId,
      clientSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: [GrantType.password],
    });
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await passwordGrant({ scope: 'read:sample' }, oauth.ClientSecretBasic(clientSecret)),
    );
    const { payload } = await verifyToken(server, tokens.access_token, TUTORIAL.audience);
    expect(payload['azp']).toBe(TUTORIAL.clientId);
  });

  it('surfaces Auth0 errors as ResponseBodyError', async () => {
    const failed = oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await passwordGrant({ password: 'wrong' }),
    );
    await expect(failed).rejects.toBeInstanceOf(oauth.ResponseBodyError);
    await expect(failed).rejects.toMatchObject({
      status: 403,
      error: 'invalid_grant',
      error_description: 'Wrong email or password.',
    });
  });

  it('completes mfa_required with the mfa-otp grant', async () => {
    await server.control.setUser(TUTORIAL.connection, {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
      mfa: { totpSecret: TOTP_SECRET },
    });
    const challenged = await oauth
      .processGenericTokenEndpointResponse(
        as,
        client,
        await passwordGrant({ scope: 'read:sample' }),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(challenged).toBeInstanceOf(oauth.ResponseBodyError);
    const { error, cause } = challenged as oauth.ResponseBodyError;
    expect(error).toBe('mfa_required');
    const mfaToken = cause['mfa_token'];
    expect(mfaToken).toEqual(expect.any(String));
    const otp = TOTP.generate({
      secret: Secret.fromBase32(TOTP_SECRET),
      timestamp: (await server.control.now()) * 1000,
    });
    const tokens = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(
        as,
        client,
        clientAuth,
        GrantType.mfaOtp,
        { mfa_token: mfaToken as string, otp },
        INSECURE,
      ),
    );
    await verifyToken(server, tokens.access_token, TUTORIAL.audience);
  });
});
