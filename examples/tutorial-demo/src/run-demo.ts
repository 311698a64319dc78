import { TokenClient, TokenManager, type DpopOptions } from '@ropkit/core';
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
import { mockDevice } from './mock-device.ts';
import { DEMO, demoTenant } from './mock-tenant.ts';
import type { TenantChoice } from './options.ts';
import type { RealTenantSettings } from './real-tenant-settings.ts';
import { RecordingTokenClient } from './recording-client.ts';
import { runSteps } from './run-steps.ts';
import type { DemoStep, StepResult } from './step.ts';
import { StepLog } from './step-log.ts';
import { TUTORIAL_STEPS } from './steps/index.ts';

/** The tutorial's scope: `read:sample`, plus `offline_access` for a refresh token and `openid`. */
export const DEMO_SCOPE = `openid offline_access ${REQUIRED_SCOPE}`;

/** Auth0's largest brute-force threshold: the attack-protection step gives up after this. */
const MAX_BRUTE_FORCE_THRESHOLD = 100;

/** Seconds between two push polls: Auth0 documents none; RFC 8628 section 3.2's default. */
const DEFAULT_PUSH_POLL_INTERVAL = 5;

/** Why the MFA steps that need the user at hand are skipped on a real tenant. */
export const MOCK_ONLY = {
  oob: "mock server only: the code sent by SMS is read from the mock's control API, which stands in for the user's phone",
  push: "mock server only: the push is approved through the mock's control API, which stands in for the user's Guardian app",
  recoveryCode:
    "mock server only: it would spend one of the user's recovery codes, and the new one is printed masked, so the user would not get it",
  enrolment:
    'mock server only: it needs a user with nothing enrolled, and would enrol an authenticator app whose secret the demo never shows',
} as const;

/** How long the push step waits for the (mock) user to answer, in milliseconds. */
const PUSH_TIMEOUT_MS = 30_000;

/** Options of {@link runDemo}. */
export interface RunDemoOptions {
  readonly framework: Framework;
  /** Default: the mock server with {@link demoTenant}. */
  readonly tenant?: TenantChoice;
  /** The mock tenant's configuration instead of {@link demoTenant} (mock mode only). */
  readonly mockTenant?: MockServerConfig;
  /**
   * The example API's `dpop` option instead of `DPOP_OPTIONS` (`'allowed'`): tests turn DPoP
   * off, or require it, to see what the steps then do.
   */
  readonly apiDpop?: DpopOptions | false;
  /** Where the walkthrough is printed. Default: nowhere. */
  readonly write?: (text: string) => void;
  /** Default: the tutorial's steps, {@link TUTORIAL_STEPS}. */
  readonly steps?: readonly DemoStep[];
  /**
   * Called with the mock server after the steps, before it stops (mock mode only): tests read
   * its control API, e.g. for the codes it sent, to check that none was printed.
   */
  readonly beforeClose?: (server: MockServer) => Promise<void>;
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
  let mockServer: MockServer | undefined;
  try {
    write(`ropkit tutorial demo: Call Your API Using Resource Owner Password Flow\n`);
    let setup: Setup;
    if (tenant.kind === 'mock') {
      const config = options.mockTenant ?? demoTenant();
      mockServer = await startMockServer(config);
      started.push(mockServer);
      setup = mockSetup(mockServer, config);
    } else {
      setup = realSetup(tenant.settings);
    }
    const api = await startExampleApi(options.framework, {
      issuer: setup.issuer,
      audience: setup.audience,
      ...(options.apiDpop === undefined ? {} : { dpop: options.apiDpop }),
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
    if (mockServer !== undefined) await options.beforeClose?.(mockServer);
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

function mockSetup(server: MockServer, config: MockServerConfig): Setup {
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
    tokenClient: new RecordingTokenClient({
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
    mfaOobUser: {
      account: { username: DEMO.mfaSms.username, password: DEMO.mfaSms.password },
      channel: 'sms',
      device: mockDevice(server, TUTORIAL.connection, DEMO.mfaSms.username),
    },
    mfaPushUser: {
      account: { username: DEMO.mfaPush.username, password: DEMO.mfaPush.password },
      device: mockDevice(server, TUTORIAL.connection, DEMO.mfaPush.username),
      pollIntervalSeconds: config.mfaPushPollInterval ?? DEFAULT_PUSH_POLL_INTERVAL,
      timeoutMs: PUSH_TIMEOUT_MS,
    },
    mfaRecoveryUser: {
      account: { username: DEMO.mfaRecovery.username, password: DEMO.mfaRecovery.password },
      recoveryCode: DEMO.mfaRecovery.recoveryCode,
    },
    mfaEnrolUser: { username: DEMO.mfaEnrol.username, password: DEMO.mfaEnrol.password },
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
    dpop: {
      client: new RecordingTokenClient({
        ...clientOptions,
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        dpop: true, // an ES256 key generated in memory
      }),
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
  const tokenClient = new RecordingTokenClient(clientOptions);
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
    mfaOobUser: { notConfigured: MOCK_ONLY.oob },
    mfaPushUser: { notConfigured: MOCK_ONLY.push },
    mfaRecoveryUser: { notConfigured: MOCK_ONLY.recoveryCode },
    mfaEnrolUser: { notConfigured: MOCK_ONLY.enrolment },
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
    dpop: settings.dpop
      ? { client: new RecordingTokenClient({ ...clientOptions, dpop: true }) }
      : {
          notConfigured:
            'not enabled (ROPKIT_DEMO_DPOP=1 or --dpop): it needs "Token Sender-Constraining" allowed on the API',
        },
  };
}
