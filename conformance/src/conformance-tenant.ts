import { TUTORIAL, tutorialTenant, type TenantConfig } from '@ropkit/mock-server';
import type { KitKey } from './token-factory.js';

/** Names and credentials of the tenant every scenario runs against. */
export const KIT = {
  audience: TUTORIAL.audience,
  clientId: 'conformance-app',
  clientSecret: 'conformance-app-secret',
  username: TUTORIAL.username,
  password: TUTORIAL.password,
  mfaUser: 'mfa@example.com',
  mfaPassword: 'mfa-pwd',
  /** Base32, 20 bytes. */
  mfaSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
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
 * `auth0-forwarded-for` with refresh token rotation, MFA, blocked and realm users, a short-lived
 * API for refresh scenarios, and the kit's own signing key so scenarios can craft tokens.
 */
export function conformanceTenant(key: KitKey): TenantConfig {
  const base = tutorialTenant();
  return tutorialTenant({
    signingKeys: [{ alg: 'RS256', kid: key.kid, privateJwk: key.privateJwk }],
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
          'password',
          'http://auth0.com/oauth/grant-type/password-realm',
          'refresh_token',
          'http://auth0.com/oauth/grant-type/mfa-otp',
        ],
        trustForwardedFor: true,
        refreshToken: { rotation: 'rotating' },
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: KIT.username, password: KIT.password },
          { email: KIT.mfaUser, password: KIT.mfaPassword, mfa: { totpSecret: KIT.mfaSecret } },
          { email: KIT.blockedUser, password: KIT.blockedPassword, blocked: true },
        ],
      },
      { name: KIT.realm, users: [{ email: KIT.employee, password: KIT.employeePassword }] },
    ],
  });
}
