import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer, type MockServerConfig } from '../src/index.js';
import {
  expectOAuthError,
  expectTokens,
  postForm,
  requestToken,
  startTutorial,
  verifyToken,
} from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The RFC 6238 test secret ("12345678901234567890") in base32. */
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RECOVERY_CODES = ['RECOVERY1AAAAAAAAAAAAAAA', 'RECOVERY2BBBBBBBBBBBBBBB'];

/**
 * The code an authenticator app shows, computed by `otpauth` (not by the mock), at the mock's
 * clock so that clock advances do not break it.
 */
async function authenticatorCode(target: MockServer, offsetSeconds = 0): Promise<string> {
  const now = await target.control.now();
  return TOTP.generate({
    secret: Secret.fromBase32(TOTP_SECRET),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: (now + offsetSeconds) * 1000,
  });
}

function startWithMfaUser(overrides: MockServerConfig = {}): Promise<MockServer> {
  return startTutorial({
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          {
            email: TUTORIAL.username,
            password: TUTORIAL.password,
            mfa: { totpSecret: TOTP_SECRET, recoveryCodes: [...RECOVERY_CODES] },
          },
        ],
      },
    ],
    ...overrides,
  });
}

async function mfaToken(
  target: MockServer,
  scope = 'openid read:sample offline_access',
): Promise<string> {
  const response = await requestToken(target, { scope });
  const body = await expectOAuthError(
    response,
    403,
    'mfa_required',
    'Multifactor authentication required',
  );
  expect(body['mfa_requirements']).toEqual({ challenge: [{ type: 'otp' }] });
  expect(body['mfa_token']).toEqual(expect.any(String));
  return body['mfa_token'] as string;
}

function mfaGrant(target: MockServer, parameters: Record<string, string>): Promise<Response> {
  return postForm(target.tokenEndpoint, {
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    ...parameters,
  });
}

describe('MFA on the password grant', () => {
  it('answers 403 mfa_required (observed), then mfa-otp with a real TOTP code issues the tokens', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const response = await mfaGrant(server, {
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: await authenticatorCode(server),
    });
    const body = await expectTokens(response);
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body.id_token).toEqual(expect.any(String));
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload['scope']).toBe('openid profile email address phone read:sample offline_access');
  });

  it('answers 401 mfa_required in the documented setting', async () => {
    server = await startWithMfaUser({ compatibility: 'documented' });
    const response = await requestToken(server);
    await expect(response).toBeOAuthError(
      401,
      'mfa_required',
      'Multifactor authentication required',
    );
  });

  it('accepts the code of the previous 30 s step (one step of drift, RFC 6238 section 5.2), not older', async () => {
    server = await startWithMfaUser();
    // Start of a 30 s step (plus 1 s), so the step cannot roll over between computing and checking.
    const now = await server.control.now();
    await server.control.advanceClock(30 - (now % 30) + 1);
    const token = await mfaToken(server);
    const stale = await mfaGrant(server, {
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: await authenticatorCode(server, -90),
    });
    await expect(stale).toBeOAuthError(403, 'invalid_grant', 'Invalid otp_code.');
    const previous = await mfaGrant(server, {
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: await authenticatorCode(server, -30),
    });
    await expect(previous).toBeTokenResponse();
  });

  it('a wrong code is 403 invalid_grant "Invalid otp_code."', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const right = await authenticatorCode(server);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const response = await mfaGrant(server, {
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: wrong,
    });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Invalid otp_code.');
  });

  it('an mfa_token works once and lives 10 minutes on the mock clock', async () => {
    server = await startWithMfaUser();
    const used = await mfaToken(server);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOtp,
        mfa_token: used,
        otp: await authenticatorCode(server),
      }),
    ).toBeTokenResponse();
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOtp,
        mfa_token: used,
        otp: await authenticatorCode(server),
      }),
    ).toBeOAuthError(403, 'invalid_grant', 'Malformed mfa_token');
    const expiring = await mfaToken(server);
    await server.control.advanceClock(600);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOtp,
        mfa_token: expiring,
        otp: await authenticatorCode(server),
      }),
    ).toBeOAuthError(403, 'expired_token', 'mfa_token is expired');
  });

  it('missing otp or mfa_token are missing parameters', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    await expect(
      await mfaGrant(server, { grant_type: GrantType.mfaOtp, mfa_token: token }),
    ).toBeOAuthError(400, 'invalid_request', 'Missing required parameter: otp');
    await expect(
      await mfaGrant(server, { grant_type: GrantType.mfaOtp, otp: '123456' }),
    ).toBeOAuthError(400, 'invalid_request', 'Missing required parameter: mfa_token');
  });

  it('a recovery code works once and the response carries a new one', async () => {
    server = await startWithMfaUser();
    const first = await mfaGrant(server, {
      grant_type: GrantType.mfaRecoveryCode,
      mfa_token: await mfaToken(server),
      recovery_code: RECOVERY_CODES[0]!,
    });
    const body = await expectTokens(first);
    expect(body.recovery_code).toMatch(/^[A-Z0-9]{24}$/);
    const reused = await mfaGrant(server, {
      grant_type: GrantType.mfaRecoveryCode,
      mfa_token: await mfaToken(server),
      recovery_code: RECOVERY_CODES[0]!,
    });
    await expect(reused).toBeOAuthError(403, 'invalid_grant', 'Invalid recovery_code.');
    const replacement = await mfaGrant(server, {
      grant_type: GrantType.mfaRecoveryCode,
      mfa_token: await mfaToken(server),
      recovery_code: body.recovery_code!,
    });
    await expect(replacement).toBeTokenResponse();
  });

  it('tenant policy "always" challenges users who are not enrolled', async () => {
    server = await startTutorial({ mfaPolicy: 'always' });
    const token = await mfaToken(server);
    const authenticators = await fetch(`${server.url}/mfa/authenticators`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(authenticators.status).toBe(200);
    expect(await authenticators.json()).toEqual([]);
  });

  it('an mfa_token of another client is malformed', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    await server.control.setClient({
      clientId: 'other',
      clientSecret: 'other-secret',
      grantTypes: [GrantType.mfaOtp],
    });
    const response = await postForm(server.tokenEndpoint, {
      client_id: 'other',
      client_secret: 'other-secret',
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: await authenticatorCode(server),
    });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Malformed mfa_token');
  });
});

describe('MFA API', () => {
  it('GET /mfa/authenticators lists the OTP authenticator', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const response = await fetch(`${server.url}/mfa/authenticators`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const authenticators = (await response.json()) as Array<Record<string, unknown>>;
    expect(authenticators).toEqual([
      { id: expect.stringMatching(/^totp\|dev_/), authenticator_type: 'otp', active: true },
    ]);
    const missing = await fetch(`${server.url}/mfa/authenticators`);
    expect(missing.status).toBe(401);
  });

  it('POST /mfa/challenge answers {"challenge_type":"otp"}, or 400 unsupported_challenge_type', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const challenge = (challengeType: string) =>
      postForm(`${server!.url}/mfa/challenge`, {
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        mfa_token: token,
        challenge_type: challengeType,
      });
    const otp = await challenge('oob otp');
    expect(otp.status).toBe(200);
    expect(await otp.json()).toEqual({ challenge_type: 'otp' });
    await expect(await challenge('oob')).toBeOAuthError(
      400,
      'unsupported_challenge_type',
      'User is not enrolled with any of the requested challenge types.',
    );
  });

  it('POST /mfa/challenge authenticates the client', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const response = await postForm(`${server.url}/mfa/challenge`, {
      client_id: TUTORIAL.clientId,
      client_secret: 'wrong',
      mfa_token: token,
      challenge_type: 'otp',
    });
    await expect(response).toBeOAuthError(401, 'access_denied', 'Unauthorized');
  });
});
