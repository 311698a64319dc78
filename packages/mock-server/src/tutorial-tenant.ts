import type { MockServerConfig } from './config.js';
import { GrantType } from './grant-types.js';

/** The names and credentials of {@link tutorialTenant}, for tests to refer to. */
export const TUTORIAL = {
  connection: 'Username-Password-Authentication',
  audience: 'https://api.example.com',
  scope: 'read:sample',
  clientId: 'tutorial-client',
  clientSecret: 'tutorial-client-secret',
  username: 'user@example.com',
  password: 'pwd',
} as const;

/**
 * A tenant set up as the seed tutorial ("Call Your API Using Resource Owner Password Flow") asks:
 * default directory `Username-Password-Authentication`, an API `https://api.example.com` with scope
 * `read:sample` and offline access allowed, a Regular Web Application whose grants include
 * Password (and password-realm, Refresh Token and the MFA grants: `mfa-otp`, `mfa-oob`,
 * `mfa-recovery-code`, which Auth0's dashboard enables together as "MFA"), and the user
 * `user@example.com` / `pwd`. Credentials are in {@link TUTORIAL}; they are fixed and public, for
 * tests only.
 *
 * @param overrides Top-level options to replace (for example `{ compatibility: 'documented' }`).
 */
export function tutorialTenant(overrides: MockServerConfig = {}): MockServerConfig {
  return {
    defaultDirectory: TUTORIAL.connection,
    apis: [{ identifier: TUTORIAL.audience, scopes: [TUTORIAL.scope], allowOfflineAccess: true }],
    clients: [
      {
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
        grantTypes: [
          GrantType.password,
          GrantType.passwordRealm,
          GrantType.refreshToken,
          GrantType.mfaOtp,
          GrantType.mfaOob,
          GrantType.mfaRecoveryCode,
        ],
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [{ email: TUTORIAL.username, password: TUTORIAL.password }],
      },
    ],
    ...overrides,
  };
}
