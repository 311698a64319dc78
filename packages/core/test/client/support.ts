import { startMockServer, tutorialTenant, TUTORIAL, type MockServer } from '@ropkit/mock-server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TokenClient, type TokenClientOptions } from '../../src/index.js';

export { TUTORIAL };

/** Secrets used in tests; each is a canary that must never appear in an error or a log. */
export const SECRETS = {
  basicSecret: 'basic:secret with spaces/%&+',
  mfaTotp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  recoveryCode: 'RECOVERY-CODE-0001',
} as const;

/** The tutorial tenant plus the clients and users the client tests need. */
export function testTenant() {
  const base = tutorialTenant();
  return tutorialTenant({
    clients: [
      ...(base.clients ?? []),
      {
        clientId: 'basic-client',
        clientSecret: SECRETS.basicSecret,
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['password', 'refresh_token'],
      },
      { clientId: 'public-client', tokenEndpointAuthMethod: 'none', grantTypes: ['password'] },
      {
        clientId: 'rotating-client',
        clientSecret: 'rotating-secret',
        grantTypes: ['password', 'refresh_token'],
        refreshToken: { rotation: 'rotating' },
      },
      {
        clientId: 'trusted-backend',
        clientSecret: 'trusted-secret',
        grantTypes: ['password'],
        trustForwardedFor: true,
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: TUTORIAL.username, password: TUTORIAL.password },
          {
            email: 'mfa@example.com',
            password: 'mfa-pwd',
            mfa: { totpSecret: SECRETS.mfaTotp, recoveryCodes: [SECRETS.recoveryCode] },
          },
          { email: 'blocked@example.com', password: 'blocked-pwd', blocked: true },
        ],
      },
      { name: 'employees', users: [{ email: 'employee@example.com', password: 'employee-pwd' }] },
    ],
  });
}

/** Starts the mock server in-process for a test file; resets it before each test. */
export function useMockServer(config = testTenant()) {
  const handle = { server: undefined as unknown as MockServer };
  beforeAll(async () => {
    handle.server = await startMockServer(config);
  });
  beforeEach(async () => {
    await handle.server.control.reset();
  });
  afterAll(async () => {
    await handle.server.close();
  });
  return handle;
}

/** A token client for the tutorial's client against `server`. */
export function tutorialClient(
  server: MockServer,
  options: Partial<TokenClientOptions> = {},
): TokenClient {
  return new TokenClient({
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
    ...options,
  });
}

/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';
