import { GrantType, TUTORIAL, tutorialTenant, type TenantConfig } from '@ropkit/mock-server';
import type { KitKey } from './token-factory.js';

/** Names and credentials of the tenant every scenario runs against. */
export const KIT = {
  audience: TUTORIAL.audience,
  clientId: 'conformance-app',
  clientSecret: 'conformance-app-secret',
  /** The connection of every user but the realm's. */
  connection: TUTORIAL.connection,
  username: TUTORIAL.username,
  password: TUTORIAL.password,
  mfaUser: 'mfa@example.com',
  mfaPassword: 'mfa-pwd',
  /** Base32, 20 bytes. */
  mfaSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  /** A user enrolled in SMS and push (Guardian), with a recovery code: the MFA scenarios'. */
  oobUser: 'mfa-oob@example.com',
  oobPassword: 'mfa-oob-pwd',
  oobPhone: '+15555550100',
  oobDevice: 'Conformance phone',
  /** The recovery code of {@link KIT.oobUser}; Auth0 gives a new one each time one is used. */
  recoveryCode: 'KITRECOVERYCODE000000001',
  /** A user who must pass MFA and has no factor yet: the enrolment scenarios'. */
  enrolUser: 'mfa-enrol@example.com',
  enrolPassword: 'mfa-enrol-pwd',
  enrolPhone: '+15555550123',
  /** Seconds an `oob_code` (a code sent, a push) lives: Auth0's 5 minutes. */
  oobCodeLifetime: 300,
  /** Seconds Auth0 wants between two polls of a push (`slow_down` sooner). */
  pushPollInterval: 1,
  blockedUser: 'blocked@example.com',
  blockedPassword: 'blocked-pwd',
  realm: 'employees',
  employee: 'employee@example.com',
  employeePassword: 'employee-pwd',
  /** Access tokens issued to the login route live this long: refresh scenarios wait for it. */
  loginTokenLifetime: 2,
  shortLivedAudience: 'https://short-lived.example.com',
} as const;

/**
 * The tutorial tenant plus what the scenarios need: a confidential client trusted for
 * `auth0-forwarded-for` with refresh token rotation and every MFA grant, users with MFA (an app,
 * SMS and push with a recovery code, or nothing enrolled yet), blocked and realm users, a
 * short-lived API for refresh scenarios, and the kit's own signing key so scenarios can craft
 * tokens.
 */
export function conformanceTenant(key: KitKey): TenantConfig {
  const base = tutorialTenant();
  return tutorialTenant({
    signingKeys: [{ alg: 'RS256', kid: key.kid, privateJwk: key.privateJwk }],
    mfaOobCodeLifetime: KIT.oobCodeLifetime,
    mfaPushPollInterval: KIT.pushPollInterval,
    apis: [
      ...(base.apis ?? []),
      {
        identifier: KIT.shortLivedAudience,
        scopes: ['read:sample'],
        allowOfflineAccess: true,
        tokenLifetime: KIT.loginTokenLifetime,
      },
    ],
    clients: [
      ...(base.clients ?? []),
      {
        clientId: KIT.clientId,
        clientSecret: KIT.clientSecret,
        grantTypes: [
          GrantType.password,
          GrantType.passwordRealm,
          GrantType.refreshToken,
          GrantType.mfaOtp,
          GrantType.mfaOob,
          GrantType.mfaRecoveryCode,
        ],
        trustForwardedFor: true,
        refreshToken: { rotation: 'rotating' },
      },
    ],
    connections: [
      {
        name: KIT.connection,
        users: [
          { email: KIT.username, password: KIT.password },
          { email: KIT.mfaUser, password: KIT.mfaPassword, mfa: { totpSecret: KIT.mfaSecret } },
          {
            email: KIT.oobUser,
            password: KIT.oobPassword,
            mfa: {
              sms: [KIT.oobPhone],
              push: [KIT.oobDevice],
              recoveryCodes: [KIT.recoveryCode],
            },
          },
          { email: KIT.enrolUser, password: KIT.enrolPassword, mfa: { required: true } },
          { email: KIT.blockedUser, password: KIT.blockedPassword, blocked: true },
        ],
      },
      { name: KIT.realm, users: [{ email: KIT.employee, password: KIT.employeePassword }] },
    ],
  });
}
