import type { MockServer } from '@ropkit/mock-server';
import { CLIENTS, TUTORIAL, USERS } from '@ropkit/test-support';
import { TokenClient, type TokenClientOptions } from '../../src/index.js';

export { TUTORIAL };
export { testTenant, totp, useMockServer } from '@ropkit/test-support';

/** Secrets used in tests; each is a canary that must never appear in an error or a log. */
export const SECRETS = {
  basicSecret: CLIENTS.basic.clientSecret,
  mfaTotp: USERS.mfa.totpSecret,
  recoveryCode: USERS.mfa.recoveryCode,
} as const;

/**
 * A token client for the tutorial's client against `server`: the token endpoint as configured,
 * the issuer for validating ID tokens (its key set is discovered from it).
 */
export function tutorialClient(
  server: MockServer,
  options: Partial<TokenClientOptions> = {},
): TokenClient {
  return new TokenClient({
    issuer: server.issuer,
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
    ...options,
  });
}
