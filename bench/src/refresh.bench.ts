/**
 * Token-endpoint calls and wall time for N concurrent callers over a simulated hour of expiring
 * tokens: @ropkit/core's TokenManager (single flight) against a naive client that refreshes
 * whenever a caller finds the token due (no single flight), in one run, against the in-process
 * mock server with refresh token rotation and reuse detection on.
 */
import { TokenClient, TokenManager, type TokenSet } from '@ropkit/core';
import { TUTORIAL, startMockServer, tutorialTenant } from '@ropkit/mock-server';

const CALLERS = Number(process.env['BENCH_CALLERS'] ?? 100);
const TOKEN_LIFETIME_S = 300;
const STEP_S = 10;
const HOUR_S = 3600;

const base = tutorialTenant();
const server = await startMockServer(
  tutorialTenant({
    apis: [
      {
        identifier: TUTORIAL.audience,
        scopes: [TUTORIAL.scope],
        allowOfflineAccess: true,
        tokenLifetime: TOKEN_LIFETIME_S,
      },
    ],
    clients: (base.clients ?? []).map((client) => ({
      ...client,
      refreshToken: { rotation: 'rotating' as const },
    })),
  }),
);

let now = Date.now();
const clock = () => now;
const client = new TokenClient({
  tokenEndpoint: server.tokenEndpoint,
  clientId: TUTORIAL.clientId,
  clientSecret: TUTORIAL.clientSecret,
  audience: TUTORIAL.audience,
  scope: 'offline_access read:sample',
  clock,
});
const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

interface Outcome {
  name: string;
  tokenCalls: number;
  failedRequests: number;
  wallMs: number;
}

async function simulate(name: string, getToken: () => Promise<string>): Promise<Outcome> {
  await server.control.clearRequests();
  let failed = 0;
  const started = performance.now();
  for (let t = 0; t < HOUR_S; t += STEP_S) {
    const results = await Promise.allSettled(Array.from({ length: CALLERS }, () => getToken()));
    failed += results.filter((result) => result.status === 'rejected').length;
    now += STEP_S * 1000;
  }
  const wallMs = performance.now() - started;
  const tokenCalls = (await server.control.requests()).filter(
    (entry) => entry.path === '/oauth/token',
  ).length;
  return { name, tokenCalls, failedRequests: failed, wallMs };
}

// ropkit: one TokenManager shared by every caller.
const manager = new TokenManager({ client, clock });
await manager.signIn('bench', credentials);
const managed = await simulate('ropkit TokenManager (single flight)', () =>
  manager.getAccessToken('bench'),
);

// Naive: a shared token set, refreshed by whichever caller finds it expired, with no coordination.
let tokens: TokenSet = await client.password(credentials);
const naive = await simulate('naive client (no single flight)', async () => {
  if (clock() < tokens.expiresAt - 30_000) return tokens.accessToken;
  const fresh = await client.refresh({ refreshToken: tokens.refreshToken ?? '' });
  tokens = { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken };
  return tokens.accessToken;
});

await server.close();
const expiries = HOUR_S / TOKEN_LIFETIME_S;
process.stdout.write(
  `${CALLERS} concurrent callers every ${STEP_S} s over a simulated hour; access tokens live ${TOKEN_LIFETIME_S} s (${expiries} expiries); rotation with reuse detection on\n`,
);
process.stdout.write(
  `${'client'.padEnd(38)} ${'token calls'.padStart(11)} ${'failed requests'.padStart(16)} ${'wall ms'.padStart(9)}\n`,
);
for (const outcome of [managed, naive]) {
  process.stdout.write(
    `${outcome.name.padEnd(38)} ${String(outcome.tokenCalls).padStart(11)} ${String(outcome.failedRequests).padStart(16)} ${outcome.wallMs.toFixed(0).padStart(9)}\n`,
  );
}
