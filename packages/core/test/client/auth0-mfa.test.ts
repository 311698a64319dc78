import { inspect } from 'node:util';
import { startMockServer } from '@ropkit/mock-server';
import { describe, expect, it } from 'vitest';
import {
  MfaDeniedError,
  MfaExpiredError,
  MfaPushTimeoutError,
  MfaRequiredError,
  OAuthError,
  SecretText,
  TokenClient,
  TokenManager,
  type TokenClientOptions,
} from '../../src/index.js';
import { fakeTime, lastCode, MFA_USERS, mfaTestTenant } from './mfa-tenant.js';
import { SECRETS, TUTORIAL, totp, tutorialClient, useMockServer } from './support.js';

// "Authenticate Using the Resource Owner Password Flow with MFA" and the pages it links, against
// the mock server, which implements them as Auth0 documents (and, where they differ, observes).
const mock = useMockServer(mfaTestTenant());
const { every, enrol, phone } = MFA_USERS;

async function rejected<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/** The `MfaRequiredError` of a password grant for `user`. */
async function mfaRequired(
  user: { email: string; password: string },
  client = tutorialClient(mock.server),
  parameters: { audience?: string; scope?: string } = {},
): Promise<MfaRequiredError> {
  return rejected(
    client.password({ username: user.email, password: user.password, ...parameters }),
    MfaRequiredError,
  );
}

async function requests(path: string) {
  return (await mock.server.control.requests()).filter((entry) => entry.path === path);
}

async function pushChallenge(client: TokenClient) {
  const { mfaToken } = await mfaRequired(every, client);
  const challenge = await client.mfaChallenge({ mfaToken, oobChannel: 'auth0' });
  expect(challenge).toEqual({
    challengeType: 'oob',
    oobCode: expect.any(String),
    bindingMethod: undefined,
  });
  if (challenge.challengeType !== 'oob') throw new Error('not oob');
  return { mfaToken, oobCode: challenge.oobCode };
}

function timedClient(time: ReturnType<typeof fakeTime>, options: Partial<TokenClientOptions> = {}) {
  return tutorialClient(mock.server, { clock: time.clock, sleep: time.sleep, ...options });
}

async function pushOf(client: TokenClient) {
  const { mfaToken } = await mfaRequired(every, client);
  const challenge = await client.mfaChallenge({ mfaToken, oobChannel: 'auth0' });
  if (challenge.challengeType !== 'oob') throw new Error('not oob');
  return { mfaToken, oobCode: challenge.oobCode };
}

describe('mfa_required: mfa_requirements honoured', () => {
  it('lists the factor types the user can be challenged with, in Auth0 names', async () => {
    const error = await mfaRequired(every);
    expect(error.requirements).toEqual({
      challenge: ['otp', 'push-notification', 'phone', 'email'],
      enroll: [],
    });
    expect(error.mfaRequirements).toEqual({
      challenge: [
        { type: 'otp' },
        { type: 'push-notification' },
        { type: 'phone' },
        { type: 'email' },
      ],
    });
    expect((await mfaRequired(phone)).requirements?.challenge).toEqual(['phone']);
  });

  it('says when the user must enrol first: enroll, and nothing to be challenged with', async () => {
    const error = await mfaRequired(enrol);
    expect(error.requirements).toEqual({
      challenge: [],
      enroll: ['otp', 'push-notification', 'phone', 'email'],
    });
  });
});

describe('POST /mfa/challenge', () => {
  it('otp: nothing is sent, ask for the app code', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(every, client);
    expect(await client.mfaChallenge({ mfaToken })).toEqual({ challengeType: 'otp' });
  });

  it.each([
    ['sms', every.sms],
    ['voice', every.voice],
    ['email', every.mailbox],
  ] as const)(
    'oob by %s: a code goes out, binding_method prompt; the mfa-oob grant with it signs in',
    async (channel, address) => {
      const client = tutorialClient(mock.server);
      const { mfaToken } = await mfaRequired(every, client);
      const challenge = await client.mfaChallenge({ mfaToken, oobChannel: channel });
      expect(challenge).toEqual({
        challengeType: 'oob',
        oobCode: expect.any(String),
        bindingMethod: 'prompt',
      });
      if (challenge.challengeType !== 'oob') throw new Error('not oob');
      const [message] = await mock.server.control.mfaMessages(TUTORIAL.connection, every.email);
      expect(message).toMatchObject({ channel, to: address, purpose: 'challenge' });
      const tokens = await client.mfaOob({
        mfaToken,
        oobCode: challenge.oobCode,
        bindingCode: message?.code ?? '',
      });
      expect(tokens.refreshToken).toEqual(expect.any(String));
      const [grant] = await requests('/oauth/token').then((all) => all.slice(-1));
      expect(grant?.grantType).toBe('http://auth0.com/oauth/grant-type/mfa-oob');
    },
  );

  it('an authenticator_id from the list picks that authenticator', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(every, client);
    const voice = (await client.mfaAuthenticators({ token: mfaToken })).find(
      (entry) => entry.oobChannel === 'voice',
    );
    expect(voice).toMatchObject({ authenticatorType: 'oob', active: true, name: 'XXXXXXX0199' });
    const challenge = await client.mfaChallenge({ mfaToken, authenticatorId: voice?.id ?? '' });
    expect(challenge).toMatchObject({ challengeType: 'oob', bindingMethod: 'prompt' });
    const [message] = await mock.server.control.mfaMessages(TUTORIAL.connection, every.email);
    expect(message?.channel).toBe('voice');
  });

  it('a channel the user does not have is an OAuthError unsupported_challenge_type', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(phone, client);
    const error = await rejected(
      client.mfaChallenge({ mfaToken, oobChannel: 'email' }),
      OAuthError,
    );
    expect([error.status, error.error]).toEqual([400, 'unsupported_challenge_type']);
  });

  it('refuses a bad channel or challenge type as a TypeError, sending nothing', async () => {
    const client = tutorialClient(mock.server);
    const fromJavaScript: unknown[] = [
      { mfaToken: 'never-sent', oobChannel: 'fax' },
      { mfaToken: 'never-sent', challengeType: ['webauthn'] },
    ];
    for (const parameters of fromJavaScript) {
      await expect(
        client.mfaChallenge(parameters as Parameters<TokenClient['mfaChallenge']>[0]),
      ).rejects.toBeInstanceOf(TypeError);
    }
    expect(await requests('/mfa/challenge')).toHaveLength(0);
  });
});

describe('the mfa-oob grant with a binding code', () => {
  it('a wrong code is invalid_grant, and the right one still works after it', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(phone, client);
    const challenge = await client.mfaChallenge({ mfaToken, oobChannel: 'sms' });
    if (challenge.challengeType !== 'oob') throw new Error('not oob');
    const code = await lastCode(mock.server, phone.email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const error = await rejected(
      client.mfaOob({ mfaToken, oobCode: challenge.oobCode, bindingCode: wrong }),
      OAuthError,
    );
    expect([error.code, error.error, error.errorDescription]).toEqual([
      'oauth_error',
      'invalid_grant',
      'Invalid binding_code.',
    ]);
    await expect(
      client.mfaOob({ mfaToken, oobCode: challenge.oobCode, bindingCode: code }),
    ).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('an oob_code past its lifetime is MfaExpiredError (mfa_expired)', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(phone, client);
    const challenge = await client.mfaChallenge({ mfaToken, oobChannel: 'sms' });
    if (challenge.challengeType !== 'oob') throw new Error('not oob');
    await mock.server.control.advanceClock(300);
    const error = await rejected(
      client.mfaOob({
        mfaToken,
        oobCode: challenge.oobCode,
        bindingCode: await lastCode(mock.server, phone.email),
      }),
      MfaExpiredError,
    );
    expect([error.code, error.error, error.status]).toEqual(['mfa_expired', 'expired_token', 403]);
  });

  it('an mfa_token past its lifetime is MfaExpiredError too', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired({ email: 'mfa@example.com', password: 'mfa-pwd' });
    await mock.server.control.advanceClock(600);
    const otp = totp(SECRETS.mfaTotp, await mock.server.control.now());
    const error = await rejected(client.mfaOtp({ mfaToken, otp }), MfaExpiredError);
    expect(error.errorDescription).toBe('mfa_token is expired');
  });
});

describe('the mfa-oob grant with a push: one poll', () => {
  it('pending until approved on the device, then the tokens', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const push = await pushChallenge(client);
    expect(await client.mfaPushPoll(push)).toEqual({ status: 'pending' });
    await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    expect(await client.mfaPushPoll(push)).toEqual({
      status: 'approved',
      tokens: expect.objectContaining({ tokenType: 'Bearer' }),
    });
  });

  it('slow_down when polled sooner than the interval', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const push = await pushChallenge(client);
    expect(await client.mfaPushPoll(push)).toEqual({ status: 'pending' });
    expect(await client.mfaPushPoll(push)).toEqual({ status: 'slow_down' });
  });

  it('denied on the device: MfaDeniedError (Auth0 observed: access_denied)', async () => {
    const client = tutorialClient(mock.server);
    const push = await pushChallenge(client);
    await mock.server.control.denyPush(TUTORIAL.connection, every.email);
    const error = await rejected(client.mfaPushPoll(push), MfaDeniedError);
    expect([error.code, error.error, error.errorDescription]).toEqual([
      'mfa_denied',
      'access_denied',
      'MFA Authorization rejected.',
    ]);
  });

  it('denied, as Auth0 documents it (invalid_grant): MfaDeniedError too', async () => {
    await using server = await startMockServer(mfaTestTenant({ compatibility: 'documented' }));
    const client = tutorialClient(server);
    const { mfaToken } = await rejected(
      client.password({ username: every.email, password: every.password }),
      MfaRequiredError,
    );
    const challenge = await client.mfaChallenge({ mfaToken, oobChannel: 'auth0' });
    if (challenge.challengeType !== 'oob') throw new Error('not oob');
    await server.control.denyPush(TUTORIAL.connection, every.email);
    const error = await rejected(
      client.mfaPushPoll({ mfaToken, oobCode: challenge.oobCode }),
      MfaDeniedError,
    );
    expect(error.error).toBe('invalid_grant');
    // Another invalid_grant (an unknown oob_code) is not a denial.
    const unknown = await rejected(client.mfaPushPoll({ mfaToken, oobCode: 'nope' }), OAuthError);
    expect(unknown).not.toBeInstanceOf(MfaDeniedError);
  });

  it('unanswered past the oob_code lifetime: MfaExpiredError', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const push = await pushChallenge(client);
    await mock.server.control.advanceClock(300);
    const error = await rejected(client.mfaPushPoll(push), MfaExpiredError);
    expect(error.errorDescription).toBe('oob_code is expired');
  });
});

describe('waitForMfaPush: polling bounded in time', () => {
  it('waits the interval before each poll and answers the tokens once approved', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async (count) => {
      if (count === 3) await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    });
    const client = timedClient(time);
    const tokens = await client.waitForMfaPush(await pushOf(client));
    expect(tokens.tokenType).toBe('Bearer');
    expect(time.waits).toEqual([5000, 5000, 5000]);
    expect(
      (await requests('/oauth/token')).filter((entry) => entry.grantType?.endsWith('mfa-oob')),
    ).toHaveLength(3);
  });

  it('adds 5 seconds to the interval at each slow_down (RFC 8628 section 3.5)', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async (count) => {
      if (count === 4) await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    });
    const client = timedClient(time);
    // 3 s is sooner than the mock's 5 s: the second poll is told to slow down, and so on.
    await client.waitForMfaPush({ ...(await pushOf(client)), intervalSeconds: 3 });
    expect(time.waits).toEqual([3000, 3000, 8000, 13_000]);
  });

  it('waits a Retry-After sent with a 429 before polling again', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async (count) => {
      if (count === 2) await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    });
    const client = timedClient(time);
    const push = await pushOf(client);
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '12' },
      body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
    });
    await client.waitForMfaPush(push);
    expect(time.waits).toEqual([5000, 12_000]);
  });

  it('a denial ends the wait: MfaDeniedError', async () => {
    const time = fakeTime(mock.server, async (count) => {
      if (count === 2) await mock.server.control.denyPush(TUTORIAL.connection, every.email);
    });
    const client = timedClient(time);
    const error = await rejected(client.waitForMfaPush(await pushOf(client)), MfaDeniedError);
    expect(error.code).toBe('mfa_denied');
  });

  it('an expired push ends the wait: MfaExpiredError', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async () => undefined);
    const client = timedClient(time);
    await rejected(
      client.waitForMfaPush({ ...(await pushOf(client)), intervalSeconds: 60, timeoutMs: 900_000 }),
      MfaExpiredError,
    );
    expect(time.waits).toHaveLength(5);
  });

  it('never waits past timeoutMs: MfaPushTimeoutError, and no poll after the deadline', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async () => undefined);
    const client = timedClient(time);
    const error = await rejected(
      client.waitForMfaPush({ ...(await pushOf(client)), timeoutMs: 12_000 }),
      MfaPushTimeoutError,
    );
    expect(error.code).toBe('mfa_timeout');
    expect(time.waits).toEqual([5000, 5000]);
  });

  it('stops when its signal aborts (a user who cancelled)', async () => {
    const controller = new AbortController();
    const client = tutorialClient(mock.server);
    const push = await pushOf(client);
    const waiting = client.waitForMfaPush({ ...push, signal: controller.signal });
    controller.abort();
    await rejected(waiting, MfaPushTimeoutError);
    expect(
      (await requests('/oauth/token')).filter((entry) => entry.grantType?.endsWith('mfa-oob')),
    ).toHaveLength(0);
  });

  it('refuses a bad interval or timeout as a TypeError', async () => {
    const client = tutorialClient(mock.server);
    const push = { mfaToken: 'm', oobCode: 'o' };
    await expect(client.waitForMfaPush({ ...push, intervalSeconds: 0 })).rejects.toThrow(
      '"intervalSeconds" must be a number of seconds above 0, at most 600',
    );
    await expect(client.waitForMfaPush({ ...push, timeoutMs: -1 })).rejects.toThrow(
      '"timeoutMs" must be a positive number of milliseconds',
    );
  });

  it('TokenManager.completeMfaPush keeps the tokens it waited for', async () => {
    await mock.server.control.freezeClock();
    const time = fakeTime(mock.server, async () => {
      await mock.server.control.approvePush(TUTORIAL.connection, every.email);
    });
    const client = timedClient(time);
    const manager = new TokenManager({ client });
    const tokens = await manager.completeMfaPush('session-1', await pushOf(client));
    expect(await manager.getAccessToken('session-1')).toBe(tokens.accessToken);
  });
});

describe('the mfa-recovery-code grant', () => {
  it('answers the new recovery code once, as a SecretText kept out of logs', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(every, client);
    const result = await client.mfaRecoveryCode({ mfaToken, recoveryCode: every.recoveryCode });
    expect(result.recoveryCode).toBeInstanceOf(SecretText);
    const fresh = result.recoveryCode?.reveal() ?? '';
    expect(fresh).toMatch(/^[A-Z0-9]{24}$/);
    expect(fresh).not.toBe(every.recoveryCode);
    for (const shown of [
      inspect(result, { depth: 10, showHidden: true }),
      JSON.stringify(result),
      String(result.recoveryCode),
    ]) {
      expect(shown).not.toContain(fresh);
    }
    expect(JSON.stringify(result.tokens)).not.toContain(fresh);
    // The code used is spent; the new one works.
    const again = await mfaRequired(every, client);
    await rejected(
      client.mfaRecoveryCode({ mfaToken: again.mfaToken, recoveryCode: every.recoveryCode }),
      OAuthError,
    );
    await expect(
      client.mfaRecoveryCode({ mfaToken: again.mfaToken, recoveryCode: fresh }),
    ).resolves.toMatchObject({ recoveryCode: expect.any(SecretText) });
  });

  it('TokenManager.completeMfaRecoveryCode stores the tokens, not the recovery code', async () => {
    const client = tutorialClient(mock.server);
    const manager = new TokenManager({ client });
    const { mfaToken } = await mfaRequired(every, client);
    const { tokens, recoveryCode } = await manager.completeMfaRecoveryCode('session-2', {
      mfaToken,
      recoveryCode: every.recoveryCode,
    });
    const stored = await manager.store.get('session-2');
    expect(stored?.accessToken).toBe(tokens.accessToken);
    expect(JSON.stringify(stored)).not.toContain(recoveryCode?.reveal());
  });
});

describe('enrolment: /mfa/associate, confirmed by the first code', () => {
  it('otp: secret and barcode_uri, confirmed by mfa-otp with the app code', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(enrol, client);
    const enrolment = await client.mfaAssociate({
      token: mfaToken,
      authenticator: { type: 'otp' },
    });
    if (enrolment.authenticatorType !== 'otp') throw new Error('not otp');
    const secret = enrolment.secret.reveal();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.barcodeUri.reveal()).toContain(`secret=${secret}`);
    expect(enrolment.recoveryCodes).toHaveLength(1);
    expect(inspect(enrolment, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(enrolment)).not.toContain(secret);
    const listed = await client.mfaAuthenticators({ token: mfaToken });
    expect(listed.map((entry) => [entry.authenticatorType, entry.active])).toEqual([
      ['recovery-code', false],
      ['otp', false],
    ]);
    const otp = totp(secret, await mock.server.control.now());
    await client.mfaOtp({ mfaToken, otp });
    expect((await mfaRequired(enrol, client)).requirements?.challenge).toEqual(['otp']);
  });

  it.each(['sms', 'voice'] as const)(
    '%s: a code goes to the number; mfa-oob with it confirms the phone',
    async (type) => {
      const client = tutorialClient(mock.server);
      const { mfaToken } = await mfaRequired(enrol, client);
      const enrolment = await client.mfaAssociate({
        token: mfaToken,
        authenticator: { type, phoneNumber: '+15555550177' },
      });
      expect(enrolment).toMatchObject({
        authenticatorType: 'oob',
        oobChannel: type,
        bindingMethod: 'prompt',
        barcodeUri: undefined,
      });
      if (enrolment.authenticatorType !== 'oob') throw new Error('not oob');
      const [message] = await mock.server.control.mfaMessages(TUTORIAL.connection, enrol.email);
      expect(message).toMatchObject({ channel: type, to: '+15555550177', purpose: 'enrolment' });
      await client.mfaOob({
        mfaToken,
        oobCode: enrolment.oobCode,
        bindingCode: message?.code ?? '',
      });
      expect((await mfaRequired(enrol, client)).requirements?.challenge).toEqual(['phone']);
    },
  );

  it("email: the user's address by default, or the one given", async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(enrol, client);
    await client.mfaAssociate({ token: mfaToken, authenticator: { type: 'email' } });
    await client.mfaAssociate({
      token: mfaToken,
      authenticator: { type: 'email', email: 'other@example.com' },
    });
    const messages = await mock.server.control.mfaMessages(TUTORIAL.connection, enrol.email);
    expect(messages.map((message) => message.to)).toEqual([enrol.email, 'other@example.com']);
  });

  it('push: a QR code for Guardian, confirmed when the device approves the poll', async () => {
    await mock.server.control.freezeClock();
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(enrol, client);
    const enrolment = await client.mfaAssociate({
      token: mfaToken,
      authenticator: { type: 'push' },
    });
    if (enrolment.authenticatorType !== 'oob') throw new Error('not oob');
    expect(enrolment.barcodeUri?.reveal()).toMatch(/^otpauth:\/\/totp\/.*enrollment_tx_id=/);
    expect(await client.mfaPushPoll({ mfaToken, oobCode: enrolment.oobCode })).toEqual({
      status: 'pending',
    });
    await mock.server.control.approvePush(TUTORIAL.connection, enrol.email);
    expect((await client.mfaPushPoll({ mfaToken, oobCode: enrolment.oobCode })).status).toBe(
      'approved',
    );
  });

  it('a user already enrolled may not enrol with the mfa_token: access_denied', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(phone, client);
    const error = await rejected(
      client.mfaAssociate({ token: mfaToken, authenticator: { type: 'otp' } }),
      OAuthError,
    );
    expect([error.status, error.error]).toEqual([403, 'access_denied']);
  });

  it.each<[string, unknown, string]>([
    ['a phone number not in E.164', { type: 'sms', phoneNumber: '555-0100' }, 'phoneNumber'],
    ['an email that is not an address', { type: 'email', email: 'nobody' }, 'email'],
    ['an unknown type', { type: 'webauthn' }, 'authenticator.type'],
  ])('refuses %s as a TypeError, sending nothing', async (_, authenticator, name) => {
    const client = tutorialClient(mock.server);
    await expect(
      client.mfaAssociate({ token: 'tok', authenticator: authenticator as { type: 'otp' } }),
    ).rejects.toThrow(new RegExp(`"${name.replace('.', '\\.')}"`));
    await expect(
      client.mfaAssociate({ token: 'has space', authenticator: { type: 'otp' } }),
    ).rejects.toThrow('"token" must be an mfa_token or an access token');
    expect(await requests('/mfa/associate')).toHaveLength(0);
  });
});

describe('/mfa/authenticators: listing and deleting with the token Auth0 requires', () => {
  it('lists with the mfa_token; deleting needs an MFA API access token with remove:authenticators', async () => {
    const client = tutorialClient(mock.server);
    const { mfaToken } = await mfaRequired(every, client);
    const listed = await client.mfaAuthenticators({ token: mfaToken });
    expect(listed.map((entry) => [entry.authenticatorType, entry.oobChannel ?? null])).toEqual([
      ['recovery-code', null],
      ['otp', null],
      ['oob', 'sms'],
      ['oob', 'voice'],
      ['oob', 'email'],
      ['oob', 'auth0'],
    ]);
    const email = listed.find((entry) => entry.oobChannel === 'email');
    // Auth0 wants MFA passed before a factor goes: an mfa_token is refused.
    const refused = await rejected(
      client.deleteMfaAuthenticator({ token: mfaToken, authenticatorId: email?.id ?? '' }),
      OAuthError,
    );
    expect([refused.status, refused.error]).toEqual([403, 'insufficient_scope']);

    // A sign-in for the MFA API (audience https://TENANT/mfa/) that passes MFA.
    const mfaApi = await mfaRequired(every, client, {
      audience: `${mock.server.issuer}mfa/`,
      scope: 'read:authenticators remove:authenticators',
    });
    const otp = totp(every.totpSecret, await mock.server.control.now());
    const { accessToken } = await client.mfaOtp({ mfaToken: mfaApi.mfaToken, otp });
    await client.deleteMfaAuthenticator({ token: accessToken, authenticatorId: email?.id ?? '' });
    const after = await client.mfaAuthenticators({ token: accessToken });
    expect(after.some((entry) => entry.oobChannel === 'email')).toBe(false);
    const unknown = await rejected(
      client.deleteMfaAuthenticator({ token: accessToken, authenticatorId: 'email|dev_gone' }),
      OAuthError,
    );
    expect([unknown.status, unknown.error]).toEqual([404, 'not_found']);
  });
});

describe('SecretText', () => {
  it('reveals its text only when asked', () => {
    const secret = new SecretText('S3CRET-VALUE');
    expect(secret.reveal()).toBe('S3CRET-VALUE');
    for (const shown of [
      String(secret),
      JSON.stringify({ secret }),
      inspect({ secret }, { showHidden: true, depth: 5 }),
    ]) {
      expect(shown).not.toContain('S3CRET');
    }
    expect(() => new SecretText('')).toThrow(
      new TypeError('A SecretText must be a non-empty string'),
    );
  });
});
