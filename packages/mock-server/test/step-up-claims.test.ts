import { decodeJwt, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GrantType,
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';
import {
  expectOAuthError,
  expectTokens,
  postForm,
  requestToken,
  verifyToken,
  type TokenBody,
} from './helpers.js';
import {
  authenticatorCode,
  challenge,
  jsonOf,
  mfaApi,
  mfaGrant,
  startMfa,
  TOTP_SECRET,
} from './mfa-support.js';

/** RFC 9470's and Auth0's step-up value: the OpenID PAPE multi-factor policy. */
const MFA_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const RECOVERY_CODE = 'RECOVERYCODE0AAAAAAAAAAA';
const OPENID_SCOPE = 'openid profile read:sample offline_access';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts `config` with the mock clock frozen; returns the server and the frozen time. */
async function startFrozen(config: MockServerConfig): Promise<{ target: MockServer; t0: number }> {
  server = await startMockServer(config);
  return { target: server, t0: await server.control.freezeClock() };
}

/** The verified access and ID token claims of a token response, at the mock clock's time. */
async function claimsOf(
  target: MockServer,
  body: TokenBody,
): Promise<{ access: JWTPayload; id: JWTPayload }> {
  const at = await target.control.now();
  const access = await verifyToken(target, body.access_token, TUTORIAL.audience, { at });
  const id = await verifyToken(target, body.id_token!, TUTORIAL.clientId, { at });
  return { access: access.payload, id: id.payload };
}

/** A refresh with the tutorial client's credentials. */
function refresh(target: MockServer, refreshToken: string): Promise<Response> {
  return postForm(target.tokenEndpoint, {
    grant_type: GrantType.refreshToken,
    refresh_token: refreshToken,
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
  });
}

/** The `mfa_token` of `mfa_required`, checking the body is the MFA policy's, word for word. */
async function mfaTokenOf(response: Response, requirements: unknown): Promise<string> {
  const body = await expectOAuthError(
    response,
    403,
    'mfa_required',
    'Multifactor authentication required',
  );
  expect(body).toEqual({
    error: 'mfa_required',
    error_description: 'Multifactor authentication required',
    mfa_token: expect.any(String),
    mfa_requirements: requirements,
  });
  return String(body['mfa_token']);
}

describe('auth_time, acr and amr (OIDC Core section 2, RFC 9068 section 2.2.1, RFC 9470)', () => {
  it('a password grant: auth_time of the password check in both tokens, no acr nor amr', async () => {
    const { target, t0 } = await startFrozen(tutorialTenant());
    const { access, id } = await claimsOf(
      target,
      await expectTokens(await requestToken(target, { scope: OPENID_SCOPE })),
    );
    for (const claims of [access, id]) {
      expect(claims['auth_time']).toBe(t0);
      // Auth0: "if you log in with username/password the claim will not be included".
      expect(claims).not.toHaveProperty('amr');
      expect(claims).not.toHaveProperty('acr');
    }
  });

  it.each<[string, 'otp' | 'recovery-code' | 'sms']>([
    ['mfa-otp', 'otp'],
    ['mfa-recovery-code', 'recovery-code'],
    ['mfa-oob', 'sms'],
  ])(
    'after %s: acr multi-factor, amr ["mfa"] and the MFA step as auth_time, in both tokens',
    async (_, factor) => {
      server = await startMfa({
        totpSecret: TOTP_SECRET,
        recoveryCodes: [RECOVERY_CODE],
        sms: ['+15555550100'],
      });
      const target = server;
      const t0 = await target.control.freezeClock();
      const mfaToken = await mfaTokenOf(await requestToken(target, { scope: OPENID_SCOPE }), {
        challenge: [{ type: 'otp' }, { type: 'phone' }],
      });
      // The second factor comes 42 seconds after the password: that is the authentication's time.
      await target.control.advanceClock(42);
      let grant: Record<string, string>;
      if (factor === 'otp') {
        grant = { grant_type: GrantType.mfaOtp, otp: await authenticatorCode(target) };
      } else if (factor === 'recovery-code') {
        grant = { grant_type: GrantType.mfaRecoveryCode, recovery_code: RECOVERY_CODE };
      } else {
        const sent = await jsonOf(
          await challenge(target, {
            mfa_token: mfaToken,
            challenge_type: 'oob',
            oob_channel: 'sms',
          }),
        );
        const [message] = await target.control.mfaMessages(TUTORIAL.connection, TUTORIAL.username);
        grant = {
          grant_type: GrantType.mfaOob,
          oob_code: String(sent['oob_code']),
          binding_code: message!.code,
        };
      }
      const body = await expectTokens(await mfaGrant(target, { mfa_token: mfaToken, ...grant }));
      const { access, id } = await claimsOf(target, body);
      for (const claims of [access, id]) {
        expect(claims['auth_time']).toBe(t0 + 42);
        expect(claims['acr']).toBe(MFA_ACR);
        expect(claims['amr']).toEqual(['mfa']);
      }
    },
  );

  it('a refresh is no authentication: auth_time, acr and amr stay, iat moves on', async () => {
    server = await startMfa({ totpSecret: TOTP_SECRET });
    const target = server;
    const t0 = await target.control.freezeClock();
    const mfaToken = await mfaTokenOf(await requestToken(target, { scope: OPENID_SCOPE }), {
      challenge: [{ type: 'otp' }],
    });
    const first = await expectTokens(
      await mfaGrant(target, {
        grant_type: GrantType.mfaOtp,
        mfa_token: mfaToken,
        otp: await authenticatorCode(target),
      }),
    );
    await target.control.advanceClock(3600);
    const refreshed = await expectTokens(await refresh(target, first.refresh_token!));
    const { access, id } = await claimsOf(target, refreshed);
    for (const claims of [access, id]) {
      expect(claims['iat']).toBe(t0 + 3600);
      expect(claims['auth_time']).toBe(t0);
      expect(claims['acr']).toBe(MFA_ACR);
      expect(claims['amr']).toEqual(['mfa']);
    }
    expect(access['gty']).toBe('refresh_token');
  });

  it("a refresh of a password grant's tokens keeps its auth_time, without acr", async () => {
    const { target, t0 } = await startFrozen(tutorialTenant());
    const first = await expectTokens(await requestToken(target, { scope: OPENID_SCOPE }));
    await target.control.advanceClock(600);
    const { access, id } = await claimsOf(
      target,
      await expectTokens(await refresh(target, first.refresh_token!)),
    );
    for (const claims of [access, id]) {
      expect(claims['auth_time']).toBe(t0);
      expect(claims).not.toHaveProperty('acr');
    }
  });

  it('puts auth_time in RFC 9068 access tokens too', async () => {
    const { target, t0 } = await startFrozen(
      tutorialTenant({
        apis: [
          { identifier: TUTORIAL.audience, scopes: [TUTORIAL.scope], tokenProfile: 'rfc9068' },
        ],
      }),
    );
    const body = await expectTokens(await requestToken(target));
    const { payload } = await verifyToken(target, body.access_token, TUTORIAL.audience, {
      at: t0,
      typ: 'at+jwt',
    });
    expect(payload['auth_time']).toBe(t0);
  });
});

describe('step-up: acr_values asking for multi-factor (mfaOnAcrValues, default true)', () => {
  it('answers a user MFA would not stop mfa_required, then the MFA grant gives acr and a fresh auth_time', async () => {
    // The user is enrolled but not required to pass MFA: only acr_values asks for it.
    server = await startMfa({ required: false, totpSecret: TOTP_SECRET });
    const target = server;
    const t0 = await target.control.freezeClock();
    const plain = await expectTokens(await requestToken(target, { scope: OPENID_SCOPE }));
    expect(decodeJwt(plain.access_token)).not.toHaveProperty('acr');

    await target.control.advanceClock(120);
    const mfaToken = await mfaTokenOf(
      await requestToken(target, { scope: OPENID_SCOPE, acr_values: MFA_ACR }),
      { challenge: [{ type: 'otp' }] },
    );
    const body = await expectTokens(
      await mfaGrant(target, {
        grant_type: GrantType.mfaOtp,
        mfa_token: mfaToken,
        otp: await authenticatorCode(target),
      }),
    );
    const { access, id } = await claimsOf(target, body);
    for (const claims of [access, id]) {
      expect(claims['auth_time']).toBe(t0 + 120);
      expect(claims['acr']).toBe(MFA_ACR);
      expect(claims['amr']).toEqual(['mfa']);
    }
  });

  it('lets a user with no authenticator enrol, and the enrolment gives acr', async () => {
    server = await startMfa(undefined);
    const target = server;
    const mfaToken = await mfaTokenOf(
      await requestToken(target, { scope: OPENID_SCOPE, acr_values: MFA_ACR }),
      {
        enroll: [
          { type: 'otp' },
          { type: 'push-notification' },
          { type: 'phone' },
          { type: 'email' },
        ],
      },
    );
    const associated = await jsonOf(
      await mfaApi(target, 'POST', '/mfa/associate', mfaToken, { authenticator_types: ['otp'] }),
    );
    const body = await expectTokens(
      await mfaGrant(target, {
        grant_type: GrantType.mfaOtp,
        mfa_token: mfaToken,
        otp: await authenticatorCode(target, String(associated['secret'])),
      }),
    );
    const { access, id } = await claimsOf(target, body);
    expect([access['acr'], id['acr']]).toEqual([MFA_ACR, MFA_ACR]);
    expect([access['amr'], id['amr']]).toEqual([['mfa'], ['mfa']]);
  });

  it('finds the multi-factor value among others, with password-realm and with password + realm', async () => {
    server = await startMfa({ required: false, totpSecret: TOTP_SECRET });
    const acrValues = `urn:example:loa:1 ${MFA_ACR}`;
    const tokens: string[] = [];
    for (const overrides of [
      { acr_values: acrValues },
      { grant_type: GrantType.passwordRealm, realm: TUTORIAL.connection, acr_values: acrValues },
      { realm: TUTORIAL.connection, acr_values: MFA_ACR },
    ]) {
      tokens.push(
        await mfaTokenOf(await requestToken(server, overrides), { challenge: [{ type: 'otp' }] }),
      );
    }
    expect(new Set(tokens).size).toBe(3);
  });

  it('changes nothing without the multi-factor value, or with mfaOnAcrValues: false', async () => {
    server = await startMfa({ required: false, totpSecret: TOTP_SECRET });
    for (const acrValues of ['urn:example:loa:1', `${MFA_ACR}-not`, '']) {
      const body = await expectTokens(await requestToken(server, { acr_values: acrValues }));
      expect(decodeJwt(body.access_token)).not.toHaveProperty('acr');
    }
    await server.close();
    server = await startMfa(
      { required: false, totpSecret: TOTP_SECRET },
      { mfaOnAcrValues: false },
    );
    const body = await expectTokens(await requestToken(server, { acr_values: MFA_ACR }));
    expect(decodeJwt(body.access_token)).not.toHaveProperty('acr');
  });

  it('validates mfaOnAcrValues at start', async () => {
    const error = await startMockServer({ mfaOnAcrValues: 'yes' as unknown as boolean }).then(
      async (started) => started.close(),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('"mfaOnAcrValues" must be a boolean');
  });
});
