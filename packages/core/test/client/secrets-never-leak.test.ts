import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  InvalidTokenResponseError,
  MfaDeniedError,
  MfaExpiredError,
  MfaRequiredError,
  OAuthError,
  TokenClient,
  TokenManager,
} from '../../src/index.js';
import { useHostileServer, type ReceivedRequest } from './hostile-server.js';
import { SECRETS, TUTORIAL, useMockServer } from './support.js';

const mock = useMockServer();
const hostile = useHostileServer();

/** Every spelling of a secret that could end up somewhere: plain, URL-encoded, base64. */
function spellings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(`basic-client:${secret}`).toString('base64'),
  ];
}

function everythingShown(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) {
    parts.push(
      value.message,
      value.stack ?? '',
      inspect(value.cause, { depth: 10, showHidden: true }),
    );
  }
  return parts.join('\n');
}

function expectNoSecret(value: unknown, secrets: string[]): void {
  const shown = everythingShown(value);
  for (const secret of secrets) {
    for (const spelling of spellings(secret)) expect(shown).not.toContain(spelling);
  }
}

describe('no secret appears in a message, stack, cause, JSON or inspect output', () => {
  const password = 'CanaryPassword!+/ %1';
  const clientSecret = 'CanaryClientSecret:+/%';

  it('in the client itself', () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret,
      clientAuthentication: 'client_secret_basic',
    });
    expectNoSecret(client, [clientSecret]);
    expectNoSecret(new TokenManager({ client }), [clientSecret]);
  });

  it('in errors from a wrong client secret (Basic) and a wrong password', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret,
      clientAuthentication: 'client_secret_basic',
      audience: TUTORIAL.audience,
    });
    const error = await client
      .password({ username: TUTORIAL.username, password })
      .catch((e: unknown) => e);
    expectNoSecret(error, [password, clientSecret]);
    const good = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret: SECRETS.basicSecret,
      clientAuthentication: 'client_secret_basic',
      audience: TUTORIAL.audience,
    });
    const wrongPassword = await good
      .password({ username: TUTORIAL.username, password })
      .catch((e: unknown) => e);
    expectNoSecret(wrongPassword, [password, SECRETS.basicSecret]);
  });

  it('in errors from network failures, timeouts and bad answers', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret,
      timeoutMs: 200,
    });
    for (const fault of [
      { kind: 'drop' },
      { kind: 'latency', delayMs: 1_000 },
      { kind: 'html' },
      { kind: 'malformed-json' },
    ] as const) {
      await mock.server.control.queueFault({ endpoint: '/oauth/token', ...fault });
      const error = await client
        .password({ username: TUTORIAL.username, password })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expectNoSecret(error, [password, clientSecret]);
    }
  });

  it('in MfaRequiredError: the mfa_token is reachable only through its getter', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
    });
    const error = await client
      .password({ username: 'mfa@example.com', password: 'mfa-pwd' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaRequiredError);
    const { mfaToken } = error as MfaRequiredError;
    expect(mfaToken.length).toBeGreaterThan(10);
    expectNoSecret(error, [mfaToken, 'mfa-pwd']);
  });

  it('in errors from refresh tokens that are refused', async () => {
    const refreshToken = 'CanaryRefreshToken-1234567890';
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    });
    const error = await client.refresh({ refreshToken }).catch((e: unknown) => e);
    expectNoSecret(error, [refreshToken, TUTORIAL.clientSecret]);
  });
});

describe('a server that echoes back the secrets it was sent', () => {
  const password = 'CanaryPassword!+/ %1';
  const clientSecret = 'CanaryClientSecret:+/%';
  const refreshToken = 'CanaryRefreshToken-1234567890';
  const mfaToken = 'CanaryMfaToken-0987654321';
  const otp = '493817';

  /**
   * Every secret the request carried (the client secret of a Basic header included), plain,
   * URL-encoded, form-encoded and base64, and the raw Authorization header.
   */
  function echo(request: ReceivedRequest): string {
    const values = ['password', 'client_secret', 'refresh_token', 'mfa_token', 'otp']
      .map((name) => request.form.get(name))
      .filter((value) => value !== null);
    return [
      ...[...values, clientSecret].flatMap((value) => spellings(value).slice(0, 4)),
      request.authorization ?? '',
    ].join(' | ');
  }

  const clients = {
    post: () =>
      new TokenClient({
        tokenEndpoint: hostile.server.tokenEndpoint,
        clientId: 'post-client',
        clientSecret,
      }),
    basic: () =>
      new TokenClient({
        tokenEndpoint: hostile.server.tokenEndpoint,
        clientId: 'basic-client',
        clientSecret,
        clientAuthentication: 'client_secret_basic',
      }),
  };

  it.each(Object.entries(clients))(
    'takes them out of error and error_description (%s)',
    async (_, client) => {
      hostile.server.queue((request) => ({
        status: 400,
        body: { error: echo(request), error_description: `Refused: ${echo(request)}` },
      }));
      const error = await client()
        .password({ username: 'user@example.com', password })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).errorDescription).toContain('[redacted]');
      expectNoSecret(error, [password, clientSecret]);
    },
  );

  it('takes them out of mfa_requirements', async () => {
    hostile.server.queue((request) => ({
      status: 403,
      body: {
        error: 'mfa_required',
        mfa_token: 'CanaryMfaToken-1111111111',
        mfa_requirements: { challenge: [{ type: 'otp', hint: echo(request) }] },
      },
    }));
    const error = await clients
      .post()
      .password({ username: 'user@example.com', password })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaRequiredError);
    expect((error as MfaRequiredError).mfaRequirements).toEqual({
      challenge: [{ type: 'otp', hint: expect.stringContaining('[redacted]') }],
    });
    expectNoSecret(error, [password, clientSecret, 'CanaryMfaToken-1111111111']);
  });

  it('takes them out of problem details (RFC 9457)', async () => {
    hostile.server.queue((request) => ({
      status: 503,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: `https://x.example/${echo(request)}`,
        title: echo(request),
        detail: echo(request),
      },
    }));
    const error = await clients
      .basic()
      .refresh({ refreshToken })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as InvalidTokenResponseError).problem?.detail).toContain('[redacted]');
    expectNoSecret(error, [refreshToken, clientSecret]);
  });

  it('takes out the mfa_token and the one-time code', async () => {
    hostile.server.queue((request) => ({
      status: 403,
      body: { error: 'invalid_grant', error_description: echo(request) },
    }));
    const error = await clients
      .post()
      .mfaOtp({ mfaToken, otp })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).error).toBe('invalid_grant');
    expectNoSecret(error, [mfaToken, otp, clientSecret]);
  });

  it('keeps a known error code even when a secret is spelt the same', async () => {
    hostile.server.queue({ status: 400, body: { error: 'invalid_grant' } });
    const error = await clients
      .post()
      .password({ username: 'user@example.com', password: 'invalid_grant' })
      .catch((e: unknown) => e);
    expect((error as OAuthError).error).toBe('invalid_grant');
  });
});

/** Every MFA secret a request carried, in a form field, a JSON member or the Bearer header. */
function echoAll(request: ReceivedRequest): string {
  const names = ['client_secret', 'mfa_token', 'oob_code', 'binding_code', 'recovery_code'];
  const json: unknown = request.body.startsWith('{') ? JSON.parse(request.body) : {};
  const values = names.flatMap((name) => {
    const fromForm = request.form.get(name);
    const fromJson: unknown =
      typeof json === 'object' && json !== null ? Reflect.get(json, name) : undefined;
    return [fromForm, fromJson].filter((value): value is string => typeof value === 'string');
  });
  const bearer = /^Bearer (\S+)$/.exec(request.authorization ?? '')?.[1];
  if (bearer !== undefined) values.push(bearer);
  return [...values.flatMap((value) => spellings(value).slice(0, 4)), request.authorization].join(
    ' | ',
  );
}

describe('MFA secrets: mfa tokens, oob codes, binding codes, recovery codes, OTP secrets', () => {
  const clientSecret = 'CanaryClientSecret:+/%';
  const mfaToken = 'CanaryMfaToken-0987654321';
  const oobCode = 'CanaryOobCode-1122334455';
  const bindingCode = '731946';
  const recoveryCode = 'CANARYRECOVERYCODE123456';
  const accessToken = 'CanaryAccessToken.eyJzdWIiOiJ4In0.sig';

  const client = () =>
    new TokenClient({
      tokenEndpoint: hostile.server.tokenEndpoint,
      clientId: 'post-client',
      clientSecret,
    });

  const calls: Array<[string, () => Promise<unknown>, string[]]> = [
    [
      'mfaOob',
      () => client().mfaOob({ mfaToken, oobCode, bindingCode }),
      [mfaToken, oobCode, bindingCode],
    ],
    ['mfaPushPoll', () => client().mfaPushPoll({ mfaToken, oobCode }), [mfaToken, oobCode]],
    [
      'mfaRecoveryCode',
      () => client().mfaRecoveryCode({ mfaToken, recoveryCode }),
      [mfaToken, recoveryCode],
    ],
    ['mfaChallenge', () => client().mfaChallenge({ mfaToken, oobChannel: 'sms' }), [mfaToken]],
    [
      'mfaAssociate',
      () => client().mfaAssociate({ token: mfaToken, authenticator: { type: 'otp' } }),
      [mfaToken],
    ],
    ['mfaAuthenticators', () => client().mfaAuthenticators({ token: accessToken }), [accessToken]],
    [
      'deleteMfaAuthenticator',
      () => client().deleteMfaAuthenticator({ token: accessToken, authenticatorId: 'sms|dev_1' }),
      [accessToken],
    ],
  ];

  it.each(calls)(
    '%s: an echo in error and error_description is taken out',
    async (_, run, secrets) => {
      hostile.server.queue((request) => ({
        status: 400,
        body: { error: echoAll(request), error_description: `Refused: ${echoAll(request)}` },
      }));
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).errorDescription).toContain('[redacted]');
      expectNoSecret(error, [...secrets, clientSecret]);
    },
  );

  it.each(calls)('%s: a non-JSON answer names no secret', async (_, run, secrets) => {
    hostile.server.queue({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>',
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expectNoSecret(error, [...secrets, clientSecret]);
  });

  it('a push denial and an expired code hold no secret', async () => {
    hostile.server.queue(
      (request) => ({
        status: 400,
        body: { error: 'access_denied', error_description: `rejected ${echoAll(request)}` },
      }),
      (request) => ({
        status: 403,
        body: { error: 'expired_token', error_description: `expired ${echoAll(request)}` },
      }),
    );
    const denied = await client()
      .mfaPushPoll({ mfaToken, oobCode })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(MfaDeniedError);
    const expired = await client()
      .mfaOob({ mfaToken, oobCode, bindingCode })
      .catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(MfaExpiredError);
    for (const error of [denied, expired]) {
      expectNoSecret(error, [mfaToken, oobCode, bindingCode, clientSecret]);
    }
  });

  it('the new recovery code is out of inspect and JSON of the result and its token set', async () => {
    const fresh = 'CANARYNEWRECOVERYCODE987';
    hostile.server.queue({
      status: 200,
      body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 60, recovery_code: fresh },
    });
    const result = await client().mfaRecoveryCode({ mfaToken, recoveryCode });
    expect(result.recoveryCode?.reveal()).toBe(fresh);
    expectNoSecret(result, [fresh]);
    expectNoSecret(result.tokens, [fresh]);
    expectNoSecret(new TokenManager({ client: client() }), [fresh, clientSecret]);
  });

  it('an enrolment: the OTP secret, QR code URI and recovery codes are out of inspect and JSON', async () => {
    const secret = 'JBSWY3DPEHPK3PXPCANARYSECRET2345';
    const barcode = `otpauth://totp/tenant:user?secret=${secret}&issuer=tenant`;
    const codes = ['CANARYFIRSTRECOVERYCODE1'];
    hostile.server.queue({
      status: 200,
      body: {
        authenticator_type: 'otp',
        secret,
        barcode_uri: barcode,
        recovery_codes: codes,
      },
    });
    const enrolment = await client().mfaAssociate({
      token: mfaToken,
      authenticator: { type: 'otp' },
    });
    expect(enrolment.authenticatorType === 'otp' && enrolment.secret.reveal()).toBe(secret);
    expectNoSecret(enrolment, [secret, barcode, ...codes]);
  });

  it('errors of the real MFA grants hold none of what was sent (mock server)', async () => {
    const real = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
    });
    const required = await real
      .password({ username: 'mfa@example.com', password: 'mfa-pwd' })
      .catch((e: unknown) => e);
    expect(required).toBeInstanceOf(MfaRequiredError);
    const token = (required as MfaRequiredError).mfaToken;
    const errors = await Promise.all([
      real.mfaOtp({ mfaToken: token, otp: '000000' }).catch((e: unknown) => e),
      real.mfaRecoveryCode({ mfaToken: token, recoveryCode }).catch((e: unknown) => e),
      real.mfaOob({ mfaToken: token, oobCode, bindingCode }).catch((e: unknown) => e),
      real.mfaAssociate({ token, authenticator: { type: 'otp' } }).catch((e: unknown) => e),
    ]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(OAuthError);
      expectNoSecret(error, [token, recoveryCode, oobCode, bindingCode, SECRETS.mfaTotp]);
    }
  });
});
