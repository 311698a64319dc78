import { TokenClient, TokenManager } from '@ropkit/core';
import {
  startMockServer,
  TUTORIAL,
  type MockServer,
  type MockServerConfig,
} from '@ropkit/mock-server';
import type { DemoContext } from './demo-context.ts';
import { describeMockTenant, describeRealTenant } from './describe-tenant.ts';
import { REQUIRED_SCOPE } from './example-api/api-options.ts';
import { startExampleApi } from './example-api/start-example-api.ts';
import type { Framework } from './frameworks.ts';
import { DEMO, demoTenant } from './mock-tenant.ts';
import type { TenantChoice } from './options.ts';
import type { RealTenantSettings } from './real-tenant-settings.ts';
import { runSteps } from './run-steps.ts';
import type { DemoStep, StepResult } from './step.ts';
import { StepLog } from './step-log.ts';
import { TUTORIAL_STEPS } from './steps/index.ts';

/** The tutorial's scope: `read:sample`, plus `offline_access` for a refresh token and `openid`. */
export const DEMO_SCOPE = `openid offline_access ${REQUIRED_SCOPE}`;

/** Auth0's largest brute-force threshold: the attack-protection step gives up after this. */
const MAX_BRUTE_FORCE_THRESHOLD = 100;

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  readonly framework: Framework;
  /** Default: the mock server with {@link demoTenant}. */
  readonly tenant?: TenantChoice;
  /** The mock tenant's configuration instead of {@link demoTenant} (mock mode only). */
  readonly mockTenant?: MockServerConfig;
  /** Where the walkthrough is printed. Default: nowhere. */
  readonly write?: (text: string) => void;
  /** Default: the tutorial's steps, {@link TUTORIAL_STEPS}. */
  readonly steps?: readonly DemoStep[];
}

/** What a run did. */
export interface DemoRun {
  readonly results: readonly StepResult[];
  /** 0 when no step failed (skipped steps are not failures), 1 otherwise. */
  readonly exitCode: 0 | 1;
}

/**
 * Runs the tutorial end to end: starts the mock server (unless a real tenant is given) and the
 * example API on `framework`, then every step, printing each to `write`. Everything started is
 * stopped before it returns.
 */
export async function runDemo(options: RunDemoOptions): Promise<DemoRun> {
  const write = options.write ?? (() => undefined);
  const tenant = options.tenant ?? { kind: 'mock' };
  const started: Array<{ close(): Promise<void> }> = [];
  let manager: TokenManager | undefined;
  try {
    write(`ropkit tutorial demo: Call Your API Using Resource Owner Password Flow\n`);
    const setup =
      tenant.kind === 'mock'
        ? await mockSetup(options.mockTenant ?? demoTenant(), started)
        : realSetup(tenant.settings);
    const api = await startExampleApi(options.framework, {
      issuer: setup.issuer,
      audience: setup.audience,
    });
    started.push(api);
    manager = new TokenManager({ client: setup.tokenClient });
    const context: DemoContext = {
      ...setup,
      manager,
      api: { url: api.url, framework: options.framework },
    };

    write(`tenant: ${setup.tenantLabel}\n`);
    write(`API: ${api.url} on ${options.framework}, protected by @ropkit/${options.framework}\n`);
    write(`\n== Configure tenant\n`);
    new StepLog((line) => write(`  ${line}\n`)).fields('settings', setup.tenantDescription);

    const results = await runSteps(options.steps ?? TUTORIAL_STEPS, context, write);
    const count = (status: StepResult['status']): number =>
      results.filter((result) => result.status === status).length;
    const failed = count('failed');
    write(
      `\n${failed === 0 ? 'PASSED' : 'FAILED'} on ${options.framework}: ${count('ok')} ok, ${failed} failed, ${count('skipped')} skipped, of ${results.length} steps\n`,
    );
    return { results, exitCode: failed === 0 ? 0 : 1 };
  } finally {
    manager?.close();
    for (const service of started.toReversed()) await service.close();
  }
}

type Setup = Omit<DemoContext, 'manager' | 'api'> & {
  readonly tenantLabel: string;
  readonly tenantDescription: Array<[string, string]>;
};

async function mockSetup(
  config: MockServerConfig,
  started: Array<{ close(): Promise<void> }>,
): Promise<Setup> {
  const server: MockServer = await startMockServer(config);
  started.push(server);
  const clientOptions = {
    issuer: server.issuer, // endpoints come from its discovery document
    audience: TUTORIAL.audience,
    scope: DEMO_SCOPE,
  };
  return {
    mode: 'mock',
    tenantLabel: `the in-process mock server, issuer ${server.issuer}`,
    tenantDescription: describeMockTenant(config),
    issuer: server.issuer,
    tokenEndpoint: server.tokenEndpoint,
    clientId: TUTORIAL.clientId,
    hasClientSecret: true,
    audience: TUTORIAL.audience,
    scope: DEMO_SCOPE,
    requiredScope: REQUIRED_SCOPE,
    tokenClient: new TokenClient({
      ...clientOptions,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    }),
    sessionKey: 'demo-session',
    user: { username: TUTORIAL.username, password: TUTORIAL.password },
    realmUser: {
      username: DEMO.realm.username,
      password: DEMO.realm.password,
      realm: DEMO.realm.connection,
    },
    mfaUser: {
      username: DEMO.mfa.username,
      password: DEMO.mfa.password,
      totpSecret: DEMO.mfa.totpSecret,
    },
    customClaim: { name: DEMO.rule.accessTokenClaim, value: DEMO.rule.accessTokenValue },
    attackProtection: {
      client: new TokenClient({
        ...clientOptions,
        clientId: DEMO.trustedBackend.clientId,
        clientSecret: DEMO.trustedBackend.clientSecret,
      }),
      clientId: DEMO.trustedBackend.clientId,
      user: { username: TUTORIAL.username, password: TUTORIAL.password },
      attackerIp: DEMO.attackerIp,
      userIp: DEMO.userIp,
      maxAttempts: MAX_BRUTE_FORCE_THRESHOLD,
    },
  };
}

function realSetup(settings: RealTenantSettings): Setup {
  const clientOptions = {
    issuer: settings.issuer,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    audience: settings.audience,
    scope: DEMO_SCOPE,
  };
  const tokenClient = new TokenClient(clientOptions);
  const user = {
    username: settings.username,
    password: settings.password,
    ...(settings.mfaSecret === undefined ? {} : { totpSecret: settings.mfaSecret }),
  };
  return {
    mode: 'real',
    tenantLabel: `Auth0 tenant ${settings.issuer}`,
    tenantDescription: describeRealTenant(settings),
    issuer: settings.issuer,
    tokenEndpoint: `${settings.issuer}oauth/token`,
    clientId: settings.clientId,
    hasClientSecret: true,
    audience: settings.audience,
    scope: DEMO_SCOPE,
    requiredScope: REQUIRED_SCOPE,
    tokenClient,
    sessionKey: 'demo-session',
    user,
    realmUser:
      settings.realm === undefined
        ? { notConfigured: 'no realm given (ROPKIT_DEMO_REALM or --realm)' }
        : { ...user, realm: settings.realm },
    mfaUser:
      settings.mfaSecret === undefined
        ? { notConfigured: 'no TOTP secret given for the user (ROPKIT_DEMO_MFA_SECRET)' }
        : user,
    customClaim:
      settings.customClaim === undefined
        ? {
            notConfigured:
              'no custom claim given (ROPKIT_DEMO_CUSTOM_CLAIM or --custom-claim): name the claim your rule adds',
          }
        : { name: settings.customClaim },
    attackProtection: settings.attackProtection
      ? {
          client: tokenClient,
          clientId: settings.clientId,
          user,
          attackerIp: DEMO.attackerIp,
          userIp: DEMO.userIp,
          maxAttempts: MAX_BRUTE_FORCE_THRESHOLD,
        }
      : {
          notConfigured:
            'not enabled (ROPKIT_DEMO_ATTACK_PROTECTION=1 or --attack-protection): it needs "Trust Token Endpoint IP Header" on the client and trips brute-force protection',
        },
  };
}
