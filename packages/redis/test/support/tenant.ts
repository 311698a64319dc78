// The tenant of the Redis tests, in a module of its own so that the benchmark, which runs
// outside vitest, can import it without the test hooks of ./setup.ts.
import { testTenant } from '@ropkit/test-support/tenant';

/**
 * The tutorial tenant with refresh token rotation and reuse detection on (no overlap period),
 * and access tokens that live `tokenLifetime` seconds.
 */
export function rotatingTenant(tokenLifetime = 86_400) {
  const base = testTenant();
  return testTenant({
    apis: (base.apis ?? []).map((api) => ({ ...api, tokenLifetime })),
    clients: (base.clients ?? []).map((client) => ({
      ...client,
      refreshToken: { rotation: 'rotating' as const, reuseInterval: 0 },
    })),
  });
}
