import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer } from '../src/index.js';
import { expectTokens, postForm, verifyToken } from './helpers.js';
import {
  authenticatorCode,
  jsonOf,
  listAuthenticators,
  mfaApi,
  mfaGrant,
  mfaRequired,
  startMfa,
  TOTP_SECRET,
} from './mfa-support.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PHONE = '+15555550100';

/** `POST /mfa/associate` with a JSON body, as Auth0 documents it. */
function associate(
  target: MockServer,
  token: string | undefined,
  body: unknown,
): Promise<Response> {
  return mfaApi(target, 'POST', '/mfa/associate', token, body);
}

/** The newest code the user received. */
async function lastMessage(target: MockServer) {
  const messages = await target.control.mfaMessages(TUTORIAL.connection, TUTORIAL.username);
  expect(messages.length).toBeGreaterThan(0);
  return messages.at(-1)!;
}

/** The `mfa_token` of a user who must enrol (nothing enrolled, MFA required). */
async function enrolmentToken(target: MockServer): Promise<string> {
  const { mfaToken, requirements } = await mfaRequired(target);
  expect(requirements).toMatchObject({ enroll: expect.any(Array) });
  return mfaToken;
}

describe('POST /mfa/associate with the mfa_token of a user who must enrol', () => {
  it('OTP: answers secret, barcode_uri and recovery_codes; the first code confirms it and signs in', async () => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    const response = await associate(server, token, { authenticator_types: ['otp'] });
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(Object.keys(body)).toEqual([
      'authenticator_type',
      'secret',
      'barcode_uri',
      'recovery_codes',
    ]);
    const secret = body['secret'] as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(body).toEqual({
      authenticator_type: 'otp',
      secret,
      barcode_uri: `otpauth://totp/127.0.0.1:user%40example.com?secret=${secret}&issuer=127.0.0.1&algorithm=SHA1&digits=6&period=30`,
      recovery_codes: [expect.stringMatching(/^[A-Z0-9]{24}$/)],
    });
    const recoveryCode = (body['recovery_codes'] as string[])[0]!;

    // Associated, not confirmed: listed inactive, and the recovery code does not work yet.
    expect(
      (await listAuthenticators(server, token)).map((entry) => [
        entry['authenticator_type'],
        entry['active'],
      ]),
    ).toEqual([
      ['recovery-code', false],
      ['otp', false],
    ]);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaRecoveryCode,
        mfa_token: token,
        recovery_code: recoveryCode,
      }),
    ).toBeOAuthError(403, 'invalid_grant', 'Invalid recovery_code.');

    await expectTokens(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOtp,
        mfa_token: token,
        otp: await authenticatorCode(server, secret),
      }),
    );
    const next = await mfaRequired(server);
    expect(next.requirements).toEqual({ challenge: [{ type: 'otp' }] });
    expect(
      (await listAuthenticators(server, next.mfaToken)).map((entry) => entry['active']),
    ).toEqual([true, true]);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaRecoveryCode,
        mfa_token: next.mfaToken,
        recovery_code: recoveryCode,
      }),
    ).toBeTokenResponse();
  });

  it('SMS: sends a code and answers oob_code and binding_method; the mfa-oob grant with the code confirms it', async () => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    const response = await associate(server, token, {
      authenticator_types: ['oob'],
      oob_channels: ['sms'],
      phone_number: PHONE,
    });
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(Object.keys(body)).toEqual([
      'authenticator_type',
      'binding_method',
      'recovery_codes',
      'oob_channel',
      'oob_code',
    ]);
    expect(body).toMatchObject({
      authenticator_type: 'oob',
      binding_method: 'prompt',
      oob_channel: 'sms',
    });
    const message = await lastMessage(server);
    expect(message).toMatchObject({
      channel: 'sms',
      to: PHONE,
      oobCode: body['oob_code'],
      purpose: 'enrolment',
    });
    await expectTokens(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: body['oob_code'] as string,
        binding_code: message.code,
      }),
    );
    const next = await mfaRequired(server);
    expect(next.requirements).toEqual({ challenge: [{ type: 'phone' }] });
    expect((await listAuthenticators(server, next.mfaToken))[1]).toMatchObject({
      authenticator_type: 'oob',
      active: true,
      oob_channel: 'sms',
      name: 'XXXXXXX0100',
    });
  });

  it("voice and email: the code goes to the number or address (email: the user's by default)", async () => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    const voice = await associate(server, token, {
      authenticator_types: ['oob'],
      oob_channels: ['voice'],
      phone_number: PHONE,
    });
    expect(voice.status).toBe(200);
    expect(await lastMessage(server)).toMatchObject({ channel: 'voice', to: PHONE });
    const email = await associate(server, token, {
      authenticator_types: ['oob'],
      oob_channels: ['email'],
    });
    expect(await jsonOf(email)).toMatchObject({ binding_method: 'prompt', oob_channel: 'email' });
    expect(await lastMessage(server)).toMatchObject({ channel: 'email', to: TUTORIAL.username });
    const other = await associate(server, token, {
      authenticator_types: ['oob'],
      oob_channels: ['email'],
      email: 'other@example.com',
    });
    expect(other.status).toBe(200);
    expect(await lastMessage(server)).toMatchObject({ channel: 'email', to: 'other@example.com' });
  });

  it('push: answers barcode_uri and oob_code, no binding_method; confirmed when the device approves', async () => {
    server = await startMfa({ required: true });
    await server.control.freezeClock();
    const token = await enrolmentToken(server);
    const response = await associate(server, token, {
      authenticator_types: ['oob'],
      oob_channels: ['auth0'],
    });
    const body = await jsonOf(response);
    expect(body).toEqual({
      authenticator_type: 'oob',
      barcode_uri: expect.stringMatching(
        /^otpauth:\/\/totp\/127\.0\.0\.1:user%40example\.com\?enrollment_tx_id=[\w-]+&base_url=http%3A%2F%2F127\.0\.0\.1%3A\d+$/,
      ),
      recovery_codes: [expect.any(String)],
      oob_channel: 'auth0',
      oob_code: expect.any(String),
    });
    const poll = () =>
      mfaGrant(server!, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: body['oob_code'] as string,
      });
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    await server.control.approvePush(TUTORIAL.connection, TUTORIAL.username);
    await expectTokens(await poll());
    expect((await mfaRequired(server)).requirements).toEqual({
      challenge: [{ type: 'push-notification' }],
    });
  });

  it('a pending enrolment cannot be challenged, and a second one replaces the recovery code', async () => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    const first = await jsonOf(
      await associate(server, token, {
        authenticator_types: ['oob'],
        oob_channels: ['sms'],
        phone_number: PHONE,
      }),
    );
    const pending = (await listAuthenticators(server, token)).find(
      (entry) => entry['oob_channel'] === 'sms',
    )!;
    await expect(
      await postForm(`${server.url}/mfa/challenge`, {
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        mfa_token: token,
        challenge_type: 'oob',
        authenticator_id: pending['id'] as string,
      }),
    ).toBeOAuthError(
      400,
      'association_required',
      'User is not enrolled. You can use /mfa/associate endpoint to enroll the first authenticator.',
    );
    const second = await jsonOf(await associate(server, token, { authenticator_types: ['otp'] }));
    expect(second['recovery_codes']).not.toEqual(first['recovery_codes']);
    const [recovery] = await server.control.authenticators(TUTORIAL.connection, TUTORIAL.username);
    expect(recovery).toMatchObject({ active: false, codes: second['recovery_codes'] });
  });

  it('once the user has a confirmed authenticator, the mfa_token may not enrol: "User is already enrolled."', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET });
    const { mfaToken } = await mfaRequired(server);
    await expect(
      await associate(server, mfaToken, { authenticator_types: ['otp'] }),
    ).toBeOAuthError(403, 'access_denied', 'User is already enrolled.');
  });

  it('form bodies work too, and client credentials are checked when sent', async () => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    const form = await fetch(`${server.url}/mfa/associate`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        authenticator_types: 'otp',
      }),
    });
    expect(await jsonOf(form)).toMatchObject({ authenticator_type: 'otp' });
    await expect(
      await associate(server, token, {
        client_id: TUTORIAL.clientId,
        client_secret: 'wrong',
        authenticator_types: ['otp'],
      }),
    ).toBeOAuthError(401, 'access_denied', 'Unauthorized');
  });

  it.each<[string, unknown, number, string, string]>([
    [
      'no authenticator_types',
      {},
      400,
      'invalid_request',
      'Missing required parameter: authenticator_types',
    ],
    [
      'an unknown authenticator type',
      { authenticator_types: ['webauthn'] },
      400,
      'invalid_request',
      'Parameter "authenticator_types" must be ["otp"] or ["oob"]',
    ],
    [
      'oob without oob_channels',
      { authenticator_types: ['oob'] },
      400,
      'invalid_request',
      'Missing required parameter: oob_channels',
    ],
    [
      'an unknown channel',
      { authenticator_types: ['oob'], oob_channels: ['carrier-pigeon'] },
      400,
      'invalid_request',
      'Parameter "oob_channels" must be one of ["sms"], ["voice"], ["email"], ["auth0"]',
    ],
    [
      'sms without phone_number',
      { authenticator_types: ['oob'], oob_channels: ['sms'] },
      400,
      'invalid_request',
      'Missing required parameter: phone_number',
    ],
    [
      'a phone number not in E.164',
      { authenticator_types: ['oob'], oob_channels: ['voice'], phone_number: '555 0100' },
      400,
      'invalid_request',
      'Parameter "phone_number" is not valid',
    ],
    [
      'a list that is not of strings',
      { authenticator_types: [1] },
      400,
      'invalid_request',
      'Parameter "authenticator_types" must be an array of strings',
    ],
  ])('%s is an error', async (_label, body, status, error, description) => {
    server = await startMfa({ required: true });
    const token = await enrolmentToken(server);
    await expect(await associate(server, token, body)).toBeOAuthError(status, error, description);
    expect(await server.control.authenticators(TUTORIAL.connection, TUTORIAL.username)).toEqual([]);
  });

  it('a factor the tenant does not enable cannot be enrolled', async () => {
    server = await startMfa({ required: true }, { mfaFactors: ['otp'] });
    const token = await enrolmentToken(server);
    await expect(
      await associate(server, token, {
        authenticator_types: ['oob'],
        oob_channels: ['auth0'],
      }),
    ).toBeOAuthError(400, 'invalid_request', 'The push-notification factor is not enabled.');
    // Without the recovery-code factor, no recovery codes come with the first enrolment.
    expect(
      await jsonOf(await associate(server, token, { authenticator_types: ['otp'] })),
    ).not.toHaveProperty('recovery_codes');
  });

  it('needs a bearer token, and a valid one', async () => {
    server = await startMfa({ required: true });
    const missing = await associate(server, undefined, { authenticator_types: ['otp'] });
    await expect(missing).toBeOAuthError(401, 'unauthorized', 'Missing Bearer token');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expect(
      await associate(server, 'not-an-mfa-token', { authenticator_types: ['otp'] }),
    ).toBeOAuthError(403, 'invalid_grant', 'Malformed mfa_token');
    const token = await enrolmentToken(server);
    await server.control.advanceClock(600);
    await expect(await associate(server, token, { authenticator_types: ['otp'] })).toBeOAuthError(
      403,
      'expired_token',
      'mfa_token is expired',
    );
  });
});

/** A sign-in for the MFA API's audience (MFA enforced), completed with the TOTP code. */
async function mfaApiToken(target: MockServer, scope?: string) {
  const { mfaToken } = await mfaRequired(target, {
    audience: `${target.issuer}mfa/`,
    scope,
  });
  return expectTokens(
    await mfaGrant(target, {
      grant_type: GrantType.mfaOtp,
      mfa_token: mfaToken,
      otp: await authenticatorCode(target),
    }),
  );
}

describe('access tokens for the MFA API (audience https://TENANT/mfa/)', () => {
  it('asking for the audience enforces MFA even for a user MFA is not required of; the token lives 10 minutes', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET, required: false });
    await expect(
      await postForm(server.tokenEndpoint, {
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        audience: TUTORIAL.audience,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    ).toBeTokenResponse();
    const body = await mfaApiToken(server);
    expect(body.expires_in).toBe(600);
    const { payload } = await verifyToken(server, body.access_token, `${server.issuer}mfa/`);
    expect(payload['scope']).toBe('enroll read:authenticators remove:authenticators');
    const narrow = await mfaApiToken(server, 'read:authenticators');
    expect(decodeJwt(narrow.access_token)['scope']).toBe('read:authenticators');
  });

  it('lists with read:authenticators; without it, 403 insufficient_scope', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET, sms: [PHONE] });
    const { access_token: reader } = await mfaApiToken(server, 'read:authenticators');
    expect((await listAuthenticators(server, reader)).map((entry) => entry['oob_channel'])).toEqual(
      [undefined, 'sms'],
    );
    const { access_token: enroller } = await mfaApiToken(server, 'enroll');
    const refused = await mfaApi(server, 'GET', '/mfa/authenticators', enroller);
    await expect(refused).toBeOAuthError(
      403,
      'insufficient_scope',
      'Insufficient scope, expected any of: read:authenticators',
    );
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="read:authenticators"',
    );
  });

  it('DELETE /mfa/authenticators/{id} takes remove:authenticators (never an mfa_token) and answers 204', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET, sms: [PHONE], recoveryCodes: ['CODE'] });
    const { mfaToken } = await mfaRequired(server);
    const [recovery, , sms] = await listAuthenticators(server, mfaToken);
    const path = `/mfa/authenticators/${encodeURIComponent(sms!['id'] as string)}`;
    await expect(await mfaApi(server, 'DELETE', path, mfaToken)).toBeOAuthError(
      403,
      'insufficient_scope',
      'Insufficient scope, expected any of: remove:authenticators',
    );
    const { access_token: reader } = await mfaApiToken(server, 'read:authenticators');
    expect((await mfaApi(server, 'DELETE', path, reader)).status).toBe(403);

    const { access_token: remover } = await mfaApiToken(server, 'remove:authenticators');
    const deleted = await mfaApi(server, 'DELETE', path, remover);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    await expect(await mfaApi(server, 'DELETE', path, remover)).toBeOAuthError(
      404,
      'not_found',
      'Authenticator not found.',
    );
    const recoveryPath = `/mfa/authenticators/${encodeURIComponent(recovery!['id'] as string)}`;
    expect((await mfaApi(server, 'DELETE', recoveryPath, remover)).status).toBe(204);
    expect(
      (await server.control.authenticators(TUTORIAL.connection, TUTORIAL.username)).map(
        (authenticator) => authenticator.type,
      ),
    ).toEqual(['otp']);
    expect((await mfaRequired(server)).requirements).toEqual({ challenge: [{ type: 'otp' }] });
  });

  it('an enrolled user adds an authenticator with an enroll token; any mfa_token of the user confirms it', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET });
    const { access_token: enroller } = await mfaApiToken(server, 'enroll');
    const added = await jsonOf(
      await associate(server, enroller, {
        authenticator_types: ['oob'],
        oob_channels: ['sms'],
        phone_number: PHONE,
      }),
    );
    // Not the first enrolment: no recovery codes.
    expect(added).not.toHaveProperty('recovery_codes');
    const { mfaToken } = await mfaRequired(server);
    await expectTokens(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: mfaToken,
        oob_code: added['oob_code'] as string,
        binding_code: (await server.control.mfaMessages(TUTORIAL.connection, TUTORIAL.username))[0]!
          .code,
      }),
    );
    expect((await mfaRequired(server)).requirements).toEqual({
      challenge: [{ type: 'otp' }, { type: 'phone' }],
    });
    const { access_token: reader } = await mfaApiToken(server, 'read:authenticators');
    await expect(await associate(server, reader, { authenticator_types: ['otp'] })).toBeOAuthError(
      403,
      'insufficient_scope',
      'Insufficient scope, expected any of: enroll',
    );
  });

  it('an expired access token, or one for another audience, is 401 invalid_token', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET });
    const { access_token: token } = await mfaApiToken(server);
    await server.control.advanceClock(600);
    const expired = await mfaApi(server, 'GET', '/mfa/authenticators', token);
    await expect(expired).toBeOAuthError(401, 'invalid_token', 'Invalid token');
    expect(expired.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const { mfaToken } = await mfaRequired(server);
    const api = await expectTokens(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOtp,
        mfa_token: mfaToken,
        otp: await authenticatorCode(server),
      }),
    );
    await expect(
      await mfaApi(server, 'GET', '/mfa/authenticators', api.access_token),
    ).toBeOAuthError(401, 'invalid_token', 'Invalid token');
  });

  it('a refresh token of the MFA API audience renews the access token', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET });
    const body = await mfaApiToken(server, 'read:authenticators offline_access');
    const renewed = await expectTokens(
      await mfaGrant(server, { grant_type: 'refresh_token', refresh_token: body.refresh_token! }),
    );
    const { payload } = await verifyToken(server, renewed.access_token, `${server.issuer}mfa/`);
    expect(payload['scope']).toBe('read:authenticators offline_access');
    expect(await listAuthenticators(server, renewed.access_token)).toHaveLength(1);
  });
});
