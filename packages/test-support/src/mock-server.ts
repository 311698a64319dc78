import {
  startMockServer,
  TUTORIAL,
  type MockServer,
  type MockServerConfig,
} from '@ropkit/mock-server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { testTenant } from './tenant.ts';

/** The mock server of a test file: started before its tests, reset before each, closed after. */
export function useMockServer(config: MockServerConfig = testTenant()): { server: MockServer } {
  let started: MockServer | undefined;
  beforeAll(async () => {
    started = await startMockServer(config);
  });
  beforeEach(async () => {
    await started?.control.reset();
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get server(): MockServer {
      if (started === undefined) throw new Error('the mock server starts in beforeAll');
      return started;
    },
  };
}

/** An access token from the mock for a user (the tutorial's by default), by the password grant. */
export async function issueToken(
  server: MockServer,
  options: { username?: string; password?: string; scope?: string } = {},
): Promise<string> {
  const response = await fetch(server.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: options.username ?? TUTORIAL.username,
      password: options.password ?? TUTORIAL.password,
      audience: TUTORIAL.audience,
      scope: options.scope ?? 'read:sample',
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
    }),
  });
  const body: unknown = await response.json();
  const token: unknown =
    typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
  if (typeof token !== 'string') throw new Error(`the mock refused the grant: ${response.status}`);
  return token;
}

/** A `Bearer` Authorization header. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';
