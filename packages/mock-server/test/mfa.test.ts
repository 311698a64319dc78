import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer } from '../src/index.js';
import { expectTokens, postForm, verifyToken } from './helpers.js';
import {
  authenticatorCode,
  challenge,
  jsonOf,
  listAuthenticators,
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

const RECOVERY_CODES = ['RECOVERY1AAAAAAAAAAAAAAA', 'RECOVERY2BBBBBBBBBBBBBBB'];
const PHONE = '+15555550100';
const OTHER_PHONE = '+15555550199';
const MAILBOX = 'second@example.com';

/** A user enrolled in every factor. */
const EVERY_FACTOR = {
  totpSecret: TOTP_SECRET,
  recoveryCodes: [...RECOVERY_CODES],
  sms: [PHONE],
  voice: [OTHER_PHONE],
  email: [MAILBOX],
  push: ['Pixel'],
};

function startWithMfaUser(
  overrides: Parameters<typeof startMfa>[1] = {},
  mfa: Parameters<typeof startMfa>[0] = {
    totpSecret: TOTP_SECRET,
    recoveryCodes: [...RECOVERY_CODES],
  },
): Promise<MockServer> {
  return startMfa(mfa, overrides);
}

/** The `mfa_token` of a TOTP user, checking Auth0's observed requirements for one. */
async function mfaToken(target: MockServer): Promise<string> {
  const { mfaToken: token, requirements } = await mfaRequired(target);
  expect(requirements).toEqual({ challenge: [{ type: 'otp' }] });
  return token;
}

/** The id of the user's authenticator of `type` (as the control API names types). */
async function authenticatorId(target: MockServer, type: string): Promise<string> {
  const found = (await target.control.authenticators(TUTORIAL.connection, TUTORIAL.username)).find(
    (authenticator) => authenticator.type === type,
  );
  expect(found).toBeDefined();
  return found!.id;
}

/** The newest code the user received. */
async function lastMessage(target: MockServer) {
  const messages = await target.control.mfaMessages(TUTORIAL.connection, TUTORIAL.username);
  expect(messages.length).toBeGreaterThan(0);
  return messages.at(-1)!;
}

/** An SMS challenge: the mfa_token, the oob_code and the code the phone received. */
async function smsChallenge(target: MockServer) {
  const { mfaToken: token } = await mfaRequired(target);
  const response = await challenge(target, {
    mfa_token: token,
    challenge_type: 'oob',
    oob_channel: 'sms',
  });
  const { oob_code: oobCode } = (await response.json()) as { oob_code: string };
  return { token, oobCode, code: (await lastMessage(target)).code };
}

/** A push challenge and a function that polls the mfa-oob grant for it. */
async function pushChallenge(target: MockServer) {
  const { mfaToken: token } = await mfaRequired(target);
  const response = await challenge(target, {
    mfa_token: token,
    challenge_type: 'oob',
    authenticator_id: await authenticatorId(target, 'push'),
  });
  const { oob_code: oobCode } = (await response.json()) as { oob_code: string };
  const poll = () =>
    mfaGrant(target, { grant_type: GrantType.mfaOob, mfa_token: token, oob_code: oobCode });
  return { token, oobCode, poll };
}

/** Matches an authenticator id of Auth0's form with `prefix`. */
function id(prefix: string) {
  return expect.stringMatching(new RegExp(`^${prefix}\\|dev_[A-Za-z0-9]{16}$`));
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
    const response = await postForm(server.tokenEndpoint, {
      grant_type: 'password',
      username: TUTORIAL.username,
      password: TUTORIAL.password,
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
    });
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
      otp: await authenticatorCode(server, TOTP_SECRET, -90),
    });
    await expect(stale).toBeOAuthError(403, 'invalid_grant', 'Invalid otp_code.');
    const previous = await mfaGrant(server, {
      grant_type: GrantType.mfaOtp,
      mfa_token: token,
      otp: await authenticatorCode(server, TOTP_SECRET, -30),
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

  it('a client without the mfa-oob grant may not use it', async () => {
    server = await startWithMfaUser({
      clients: [
        {
          clientId: TUTORIAL.clientId,
          clientSecret: TUTORIAL.clientSecret,
          grantTypes: [GrantType.password, GrantType.mfaOtp],
        },
      ],
    });
    const token = await mfaToken(server);
    const response = await mfaGrant(server, {
      grant_type: GrantType.mfaOob,
      mfa_token: token,
      oob_code: 'x',
    });
    await expect(response).toBeOAuthError(
      403,
      'unauthorized_client',
      `Grant type '${GrantType.mfaOob}' not allowed for the client.`,
    );
  });
});

describe('mfa_requirements', () => {
  it('lists the factor types the user can be challenged with, in Auth0 factor names', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { requirements } = await mfaRequired(server);
    expect(requirements).toEqual({
      challenge: [
        { type: 'otp' },
        { type: 'push-notification' },
        { type: 'phone' },
        { type: 'email' },
      ],
    });
  });

  it('an SMS user alone is challenged with "phone"; a user with recovery codes only, with them', async () => {
    server = await startMfa({ sms: [PHONE] });
    expect((await mfaRequired(server)).requirements).toEqual({ challenge: [{ type: 'phone' }] });
    await server.control.setUser(TUTORIAL.connection, {
      email: TUTORIAL.username,
      password: TUTORIAL.password,
      mfa: { recoveryCodes: ['ONLYCODE'] },
    });
    expect((await mfaRequired(server)).requirements).toEqual({
      challenge: [{ type: 'recovery-code' }],
    });
  });

  it('a user who must pass MFA with nothing enrolled gets "enroll" with the factors the tenant offers', async () => {
    server = await startMfa({ required: true });
    expect((await mfaRequired(server)).requirements).toEqual({
      enroll: [
        { type: 'otp' },
        { type: 'push-notification' },
        { type: 'phone' },
        { type: 'email' },
      ],
    });
  });

  it('only enabled factors count: a disabled factor is neither offered nor challenged', async () => {
    server = await startMfa({ sms: [PHONE] }, { mfaFactors: ['otp', 'voice', 'recovery-code'] });
    expect((await mfaRequired(server)).requirements).toEqual({
      enroll: [{ type: 'otp' }, { type: 'phone' }],
    });
  });

  it('tenant policy "always" challenges users who are not enrolled: they must enrol', async () => {
    server = await startMfa(undefined, { mfaPolicy: 'always' });
    const { mfaToken: token, requirements } = await mfaRequired(server);
    expect(requirements).toEqual({
      enroll: [
        { type: 'otp' },
        { type: 'push-notification' },
        { type: 'phone' },
        { type: 'email' },
      ],
    });
    expect(await listAuthenticators(server, token)).toEqual([]);
  });
});

describe('POST /mfa/challenge', () => {
  it('answers {"challenge_type":"otp"}, or 400 unsupported_challenge_type', async () => {
    server = await startWithMfaUser();
    const token = await mfaToken(server);
    const otp = await challenge(server, { mfa_token: token, challenge_type: 'oob otp' });
    expect(otp.status).toBe(200);
    expect(await otp.json()).toEqual({ challenge_type: 'otp' });
    await expect(
      await challenge(server, { mfa_token: token, challenge_type: 'oob' }),
    ).toBeOAuthError(
      400,
      'unsupported_challenge_type',
      'User is not enrolled with any of the requested challenge types.',
    );
  });

  it('authenticates the client', async () => {
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

  it.each([
    ['sms', PHONE],
    ['voice', OTHER_PHONE],
    ['email', MAILBOX],
  ] as const)(
    'the %s authenticator: sends a 6-digit code and answers oob_code and binding_method "prompt"',
    async (type, address) => {
      server = await startMfa(EVERY_FACTOR);
      const { mfaToken: token } = await mfaRequired(server);
      const response = await challenge(server, {
        mfa_token: token,
        challenge_type: 'oob',
        authenticator_id: await authenticatorId(server, type),
      });
      expect(response.status).toBe(200);
      const body = await jsonOf(response);
      expect(body).toEqual({
        challenge_type: 'oob',
        oob_code: expect.any(String),
        binding_method: 'prompt',
      });
      const message = await lastMessage(server);
      expect(message).toEqual({
        channel: type,
        to: address,
        code: expect.stringMatching(/^\d{6}$/),
        oobCode: body['oob_code'],
        purpose: 'challenge',
        at: expect.any(Number),
      });
    },
  );

  it('oob_channel picks the channel when no authenticator_id is given', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { mfaToken: token } = await mfaRequired(server);
    const response = await challenge(server, {
      mfa_token: token,
      challenge_type: 'oob',
      oob_channel: 'voice',
    });
    expect(response.status).toBe(200);
    expect(await lastMessage(server)).toMatchObject({ channel: 'voice', to: OTHER_PHONE });
    // Without a selector, the first authenticator that fits: OTP before the others.
    const first = await challenge(server, { mfa_token: token, challenge_type: 'otp oob' });
    expect(await first.json()).toEqual({ challenge_type: 'otp' });
  });

  it('push: answers an oob_code without binding_method, and sends no code', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { mfaToken: token } = await mfaRequired(server);
    const response = await challenge(server, {
      mfa_token: token,
      challenge_type: 'oob',
      oob_channel: 'auth0',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge_type: 'oob', oob_code: expect.any(String) });
    expect(await server.control.mfaMessages(TUTORIAL.connection, TUTORIAL.username)).toEqual([]);
  });

  it("an authenticator_id of none of the user's authenticators is 400 invalid_request; one of another type, unsupported", async () => {
    server = await startMfa(EVERY_FACTOR);
    const { mfaToken: token } = await mfaRequired(server);
    await expect(
      await challenge(server, {
        mfa_token: token,
        challenge_type: 'oob',
        authenticator_id: 'sms|dev_doesnotexist0000',
      }),
    ).toBeOAuthError(400, 'invalid_request', 'Authenticator not found.');
    await expect(
      await challenge(server, {
        mfa_token: token,
        challenge_type: 'oob',
        authenticator_id: await authenticatorId(server, 'otp'),
      }),
    ).toBeOAuthError(
      400,
      'unsupported_challenge_type',
      'User is not enrolled with any of the requested challenge types.',
    );
  });

  it('a user with nothing enrolled is 400 association_required', async () => {
    server = await startMfa({ required: true });
    const { mfaToken: token } = await mfaRequired(server);
    await expect(
      await challenge(server, { mfa_token: token, challenge_type: 'otp oob' }),
    ).toBeOAuthError(
      400,
      'association_required',
      'User is not enrolled. You can use /mfa/associate endpoint to enroll the first authenticator.',
    );
  });
});

describe('the mfa-oob grant with a code sent by SMS, voice or email', () => {
  it('the binding_code the user received issues the tokens; the mfa_token is then spent', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { token, oobCode, code } = await smsChallenge(server);
    const body = await expectTokens(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: oobCode,
        binding_code: code,
      }),
    );
    const { payload } = await verifyToken(server, body.access_token, TUTORIAL.audience);
    expect(payload['sub']).toMatch(/^auth0\|/);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: oobCode,
        binding_code: code,
      }),
    ).toBeOAuthError(403, 'invalid_grant', 'Malformed mfa_token');
  });

  it('a wrong binding_code is 403 invalid_grant "Invalid binding_code."; the right one still works', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { token, oobCode, code } = await smsChallenge(server);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: oobCode,
        binding_code: wrong,
      }),
    ).toBeOAuthError(403, 'invalid_grant', 'Invalid binding_code.');
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: token,
        oob_code: oobCode,
        binding_code: code,
      }),
    ).toBeTokenResponse();
  });

  it('binding_code and oob_code are required', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { token, oobCode } = await smsChallenge(server);
    await expect(
      await mfaGrant(server, { grant_type: GrantType.mfaOob, mfa_token: token, oob_code: oobCode }),
    ).toBeOAuthError(400, 'invalid_request', 'Missing required parameter: binding_code');
    await expect(
      await mfaGrant(server, { grant_type: GrantType.mfaOob, mfa_token: token }),
    ).toBeOAuthError(400, 'invalid_request', 'Missing required parameter: oob_code');
  });

  it('an unknown oob_code, or one of another mfa_token, is 403 invalid_grant "Malformed oob_code"', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { oobCode, code } = await smsChallenge(server);
    const { mfaToken: other } = await mfaRequired(server);
    for (const candidate of ['not-an-oob-code', oobCode]) {
      await expect(
        await mfaGrant(server, {
          grant_type: GrantType.mfaOob,
          mfa_token: other,
          oob_code: candidate,
          binding_code: code,
        }),
      ).toBeOAuthError(403, 'invalid_grant', 'Malformed oob_code');
    }
  });

  it('an oob_code lives mfaOobCodeLifetime seconds (default 5 minutes), then is 403 expired_token', async () => {
    server = await startMfa(EVERY_FACTOR);
    await server.control.freezeClock();
    const first = await smsChallenge(server);
    await server.control.advanceClock(299);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: first.token,
        oob_code: first.oobCode,
        binding_code: first.code,
      }),
    ).toBeTokenResponse();
    const second = await smsChallenge(server);
    await server.control.advanceClock(300);
    await expect(
      await mfaGrant(server, {
        grant_type: GrantType.mfaOob,
        mfa_token: second.token,
        oob_code: second.oobCode,
        binding_code: second.code,
      }),
    ).toBeOAuthError(403, 'expired_token', 'oob_code is expired');
  });
});

describe('the mfa-oob grant with a Guardian push', () => {
  it('answers 400 authorization_pending until the device approves, then the tokens', async () => {
    server = await startMfa(EVERY_FACTOR);
    await server.control.freezeClock();
    const { poll } = await pushChallenge(server);
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    await server.control.advanceClock(5);
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    await server.control.approvePush(TUTORIAL.connection, TUTORIAL.username);
    // Approved: answered at once, even sooner than the interval.
    const body = await expectTokens(await poll());
    expect(body.refresh_token).toEqual(expect.any(String));
  });

  it('polled sooner than the interval: 400 slow_down, and the interval grows by 5 seconds', async () => {
    server = await startMfa(EVERY_FACTOR);
    await server.control.freezeClock();
    const { poll } = await pushChallenge(server);
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    await server.control.advanceClock(4);
    await expect(await poll()).toBeOAuthError(
      400,
      'slow_down',
      'You are polling faster than allowed. Wait at least 10 seconds between requests.',
    );
    // 5 s was enough before; now it is not.
    await server.control.advanceClock(5);
    await expect(await poll()).toBeOAuthError(
      400,
      'slow_down',
      'You are polling faster than allowed. Wait at least 15 seconds between requests.',
    );
    await server.control.advanceClock(15);
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
  });

  it('the interval is mfaPushPollInterval', async () => {
    server = await startMfa(EVERY_FACTOR, { mfaPushPollInterval: 2 });
    await server.control.freezeClock();
    const { poll } = await pushChallenge(server);
    await poll();
    await server.control.advanceClock(2);
    await expect(await poll()).toBeOAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
    await server.control.advanceClock(1);
    await expect(await poll()).toBeOAuthError(
      400,
      'slow_down',
      'You are polling faster than allowed. Wait at least 7 seconds between requests.',
    );
  });

  it('denied: 400 access_denied "MFA Authorization rejected." (observed), every time after', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { poll } = await pushChallenge(server);
    await server.control.denyPush(TUTORIAL.connection, TUTORIAL.username);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(await poll()).toBeOAuthError(
        400,
        'access_denied',
        'MFA Authorization rejected.',
      );
    }
  });

  it('denied, in the documented setting: invalid_grant', async () => {
    server = await startMfa(EVERY_FACTOR, { compatibility: 'documented' });
    const { token, oobCode } = await (async () => {
      const response = await postForm(server.tokenEndpoint, {
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      });
      const { mfa_token: mfaTokenValue } = (await response.json()) as { mfa_token: string };
      const started = await challenge(server, {
        mfa_token: mfaTokenValue,
        challenge_type: 'oob',
        oob_channel: 'auth0',
      });
      return {
        token: mfaTokenValue,
        oobCode: ((await started.json()) as { oob_code: string }).oob_code,
      };
    })();
    await server.control.denyPush(TUTORIAL.connection, TUTORIAL.username);
    await expect(
      await mfaGrant(server, { grant_type: GrantType.mfaOob, mfa_token: token, oob_code: oobCode }),
    ).toBeOAuthError(400, 'invalid_grant', 'MFA Authorization rejected.');
  });

  it('an unanswered push expires with its oob_code: 403 expired_token, and cannot be approved', async () => {
    server = await startMfa(EVERY_FACTOR, { mfaOobCodeLifetime: 60 });
    await server.control.freezeClock();
    const { poll } = await pushChallenge(server);
    await server.control.advanceClock(60);
    await expect(
      server.control.approvePush(TUTORIAL.connection, TUTORIAL.username),
    ).rejects.toThrow('The user has no pending push notification');
    await expect(await poll()).toBeOAuthError(403, 'expired_token', 'oob_code is expired');
  });

  it('approving or denying with nothing pending is an error', async () => {
    server = await startMfa(EVERY_FACTOR);
    await expect(
      server.control.approvePush(TUTORIAL.connection, TUTORIAL.username),
    ).rejects.toThrow('The user has no pending push notification');
    await expect(
      server.control.denyPush(TUTORIAL.connection, 'nobody@example.com'),
    ).rejects.toThrow(`Connection "${TUTORIAL.connection}" has no user with that email`);
  });
});

describe('the mfa-recovery-code grant', () => {
  it('a recovery code works once; the response carries a new one, which the user then has', async () => {
    server = await startWithMfaUser();
    const first = await mfaGrant(server, {
      grant_type: GrantType.mfaRecoveryCode,
      mfa_token: await mfaToken(server),
      recovery_code: RECOVERY_CODES[0]!,
    });
    const body = await expectTokens(first);
    expect(body.recovery_code).toMatch(/^[A-Z0-9]{24}$/);
    const [recovery] = await server.control.authenticators(TUTORIAL.connection, TUTORIAL.username);
    expect(recovery).toMatchObject({
      type: 'recovery-code',
      active: true,
      codes: [body.recovery_code, RECOVERY_CODES[1]],
    });
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

  it('does not work when the tenant does not enable recovery codes', async () => {
    server = await startWithMfaUser({ mfaFactors: ['otp'] });
    const response = await mfaGrant(server, {
      grant_type: GrantType.mfaRecoveryCode,
      mfa_token: await mfaToken(server),
      recovery_code: RECOVERY_CODES[0]!,
    });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Invalid recovery_code.');
  });
});

describe('GET /mfa/authenticators', () => {
  it('lists every authenticator as Auth0 does: recovery codes first, OOB ones with channel and masked name', async () => {
    server = await startMfa(EVERY_FACTOR);
    const { mfaToken: token } = await mfaRequired(server);
    expect(await listAuthenticators(server, token)).toEqual([
      { id: id('recovery-code'), authenticator_type: 'recovery-code', active: true },
      { id: id('totp'), authenticator_type: 'otp', active: true },
      {
        id: id('sms'),
        authenticator_type: 'oob',
        active: true,
        oob_channel: 'sms',
        name: 'XXXXXXX0100',
      },
      {
        id: id('voice'),
        authenticator_type: 'oob',
        active: true,
        oob_channel: 'voice',
        name: 'XXXXXXX0199',
      },
      {
        id: id('email'),
        authenticator_type: 'oob',
        active: true,
        oob_channel: 'email',
        name: '******@exam*******',
      },
      {
        id: id('push'),
        authenticator_type: 'oob',
        active: true,
        oob_channel: 'auth0',
        name: 'Pixel',
      },
    ]);
  });

  it('ids stay the same after a restart (derived from the user), and a missing token is 401', async () => {
    server = await startWithMfaUser();
    const before = await listAuthenticators(server, await mfaToken(server));
    await server.close();
    server = await startWithMfaUser();
    expect(await listAuthenticators(server, await mfaToken(server))).toEqual(before);
    const missing = await fetch(`${server.url}/mfa/authenticators`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expect(
      await fetch(`${server.url}/mfa/authenticators`, {
        headers: { authorization: 'Bearer not-a-token' },
      }),
    ).toBeOAuthError(403, 'invalid_grant', 'Malformed mfa_token');
  });
});
