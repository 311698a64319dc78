import { GrantType, tutorialTenant, TUTORIAL, type MockServerConfig } from '@ropkit/mock-server';

export { TUTORIAL };

/** Users of the test tenant; their passwords double as canaries for leaks. */
export const USERS = {
  mfa: {
    email: 'mfa@example.com',
    password: 'mfa-pwd',
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    recoveryCode: 'RECOVERY-CODE-0001',
  },
  blocked: { email: 'blocked@example.com', password: 'blocked-pwd' },
  /** A rule leaves this user's access tokens without any scope. */
  unscoped: { email: 'plain@example.com', password: 'plain-pwd' },
  /** A user of the second connection, `employees` (the password-realm grant's realm). */
  employee: { email: 'employee@example.com', password: 'employee-pwd' },
} as const;

/** Clients of the test tenant besides the tutorial's. */
export const CLIENTS = {
  /** A confidential client Auth0 would believe `auth0-forwarded-for` from. */
  trusted: { clientId: 'trusted-backend', clientSecret: 'trusted-secret' },
  /** A client that authenticates with HTTP Basic; the secret needs form-encoding. */
  basic: { clientId: 'basic-client', clientSecret: 'basic:secret with spaces/%&+' },
  /** A public client (no secret). */
  public: { clientId: 'public-client' },
  /** A client whose refresh tokens rotate. */
  rotating: { clientId: 'rotating-client', clientSecret: 'rotating-secret' },
} as const;

/**
 * The tutorial's tenant plus what the workspace's tests need: the users and clients above, the
 * scopes `read:sample` and `write:sample`, and a rule that takes every scope from `unscoped`.
 * Brute-force protection keeps Auth0's threshold (10) unless `overrides` changes it.
 */
export function testTenant(overrides: MockServerConfig = {}): MockServerConfig {
  const base = tutorialTenant();
  const all = [
    GrantType.password,
    GrantType.passwordRealm,
    GrantType.refreshToken,
    GrantType.mfaOtp,
    GrantType.mfaRecoveryCode,
  ];
  return tutorialTenant({
    apis: [
      {
        identifier: TUTORIAL.audience,
        scopes: ['read:sample', 'write:sample'],
        allowOfflineAccess: true,
      },
    ],
    clients: [
      ...(base.clients ?? []),
      { ...CLIENTS.trusted, grantTypes: all, trustForwardedFor: true },
      {
        ...CLIENTS.basic,
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: [GrantType.password, GrantType.refreshToken],
      },
      { ...CLIENTS.public, tokenEndpointAuthMethod: 'none', grantTypes: [GrantType.password] },
      {
        ...CLIENTS.rotating,
        grantTypes: [GrantType.password, GrantType.refreshToken],
        refreshToken: { rotation: 'rotating' },
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: TUTORIAL.username, password: TUTORIAL.password },
          {
            email: USERS.mfa.email,
            password: USERS.mfa.password,
            mfa: { totpSecret: USERS.mfa.totpSecret, recoveryCodes: [USERS.mfa.recoveryCode] },
          },
          { email: USERS.blocked.email, password: USERS.blocked.password, blocked: true },
          { email: USERS.unscoped.email, password: USERS.unscoped.password },
        ],
      },
      {
        name: 'employees',
        users: [{ email: USERS.employee.email, password: USERS.employee.password }],
      },
    ],
    rules: [{ name: 'no scopes', user: USERS.unscoped.email, scope: [] }],
    ...overrides,
  });
}
