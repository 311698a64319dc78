import { startMockServer } from '@ropkit/mock-server';
import { isLoopbackHost } from '@ropkit/core/adapter';
import {
  capabilitiesOf,
  checkAdapterDefinition,
  profilesOf,
  skipReasonOf,
} from './adapter-definition.js';
import type { KitVerifierOptions, TestApp, TestAppOptions } from './test-app.js';
import { startAuthorizationServer, type Runtime } from './authorization-server.js';
import { CATALOGUE } from './catalogue/index.js';
import { oneLine } from './check.js';
import { conformanceTenant, KIT } from './conformance-tenant.js';
import { DeadlineError, withDeadline } from './deadline.js';
import { DownstreamApi } from './downstream-api.js';
import { ConformanceHttp, DEFAULT_REQUEST_TIMEOUT_MS, deadlineFetch } from './http-client.js';
import { KitClock } from './kit-clock.js';
import type {
  AdapterUnderTest,
  AuthorizationServer,
  Capability,
  Level,
  Profile,
  Scenario,
  ScenarioContext,
} from './scenario.js';
import { TokenFactory, createKitKey, type KitKey } from './token-factory.js';

/** How much a failure weighs: `error` fails the run, `warning` does not, `info` only informs. */
export type Severity = 'error' | 'warning' | 'info';

/** How one scenario went for one adapter. */
export interface ScenarioResult {
  id: string;
  name: string;
  spec: string;
  group: string;
  level: Level;
  profile: Profile;
  adapter: string;
  outcome: 'pass' | 'fail' | 'skip';
  /** For a failure: `error` (a MUST of a counted profile), `warning` (a SHOULD) or `info`. */
  severity?: Severity;
  /** Why it failed or was skipped: what was sent, what was expected, what came back. */
  reason?: string;
  durationMs: number;
}

/** Default deadline of an adapter's `startTestApp` (and `close`), in milliseconds. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;
/** Default deadline of one scenario, in milliseconds: a backstop behind the request deadline. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 120_000;

/** Options of {@link ConformanceRun}. */
export interface ConformanceRunOptions {
  /** Where the mock server runs. Default: `auto` (container when Docker answers). */
  runtime?: Runtime;
  /** Receives the one-line notices (e.g. the fallback to in-process). Default: stderr. */
  say?: (line: string) => void;
  /** A mock server image already built; default: build it (see buildAuthorizationServerImage). */
  image?: string;
  /** Deadline of `startTestApp` and of the app's `close`, in ms. Default 20 s. */
  startTimeoutMs?: number;
  /** Deadline of every request a scenario sends, in ms. Default 10 s. */
  requestTimeoutMs?: number;
  /** Deadline of one scenario, in ms (a backstop for what requests do not cover). Default 120 s. */
  scenarioTimeoutMs?: number;
  /** SHOULD failures of counted profiles fail the run too. Default `false`. */
  strict?: boolean;
}

/** Why an adapter's app did not start: it threw, or did not resolve in time. */
export class AdapterStartError extends Error {
  override readonly name = 'AdapterStartError';
}

/** The verifier settings the kit passes, every one explicit (see {@link KitVerifierOptions}). */
export function kitVerifierOptions(
  issuer: string,
  audience: string,
  jwksUri: string,
): KitVerifierOptions {
  // Plain http is fine on loopback; elsewhere (a remote Docker engine) the kit says it is meant.
  const allowInsecureHttp = !isLoopbackHost(new URL(issuer).hostname) && issuer.startsWith('http:');
  return {
    issuer,
    audience,
    jwksUri,
    algorithms: ['RS256'],
    realm: 'api',
    clockTolerance: 5,
    maxTokenSize: 8192,
    scopeSources: ['scope', 'permissions'],
    tokenLocations: ['header'],
    keySet: { cooldownMs: 500 },
    ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
  };
}

/**
 * The options every adapter's default app is started with; `clock` (the kit's, moved with the
 * mock server's) becomes `login.clock`.
 */
export function defaultAppOptions(
  server: AuthorizationServer,
  downstreamUrl: string,
  clock?: () => number,
): TestAppOptions {
  const allowInsecureHttp = !isLoopbackHost(new URL(server.issuer).hostname);
  return {
    verifier: kitVerifierOptions(server.issuer, KIT.audience, server.jwksUri),
    login: {
      client: {
        // The issuer too: ID tokens are validated against its discovery and key set.
        issuer: server.issuer,
        tokenEndpoint: server.tokenEndpoint,
        clientId: KIT.clientId,
        clientSecret: KIT.clientSecret,
        audience: KIT.shortLivedAudience,
        scope: 'openid offline_access read:sample',
        ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
      },
      forwardUserIp: true,
      downstreamUrl,
      ...(clock === undefined ? {} : { clock }),
    },
    trustProxy: true,
  };
}

/**
 * A copy of `options` for another app: a deep copy, but for `login.clock`, a function, which is
 * the same clock (it cannot be copied, and the apps of a run share it).
 */
function copyOptions(options: TestAppOptions): TestAppOptions {
  const { login, ...rest } = options;
  if (login === undefined) return structuredClone(rest);
  const { clock, ...settings } = login;
  return {
    ...structuredClone(rest),
    login: { ...structuredClone(settings), ...(clock === undefined ? {} : { clock }) },
  };
}

/** `startTestApp threw TypeError: ...` or `did not finish within ...`, on one line. */
function startFailure(adapter: string, error: unknown): AdapterStartError {
  if (error instanceof DeadlineError) return new AdapterStartError(`${adapter}: ${error.message}`);
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : `a non-Error: ${String(error)}`;
  return new AdapterStartError(`${adapter}: startTestApp threw ${oneLine(text)}`);
}

/** A running server under test that the kit did not start (`--url`). */
export interface RunningServer {
  /** How the reports name it (default: the URL). */
  name?: string;
  /** Its base URL, without trailing slash. */
  url: string;
  /** What it serves. Default: `bearer`, `optional`, `scopes` and `permissions`. */
  capabilities?: readonly Capability[];
}

/** Where the kit's own issuer listens in `--url` mode, so the server under test can trust it. */
export interface IssuerAddress {
  /** Port of the kit's issuer. Default 4400. */
  port?: number;
  /** Address it binds. Default `127.0.0.1`. */
  host?: string;
  /**
   * The issuer as the server under test reaches it (e.g. `http://host.docker.internal:4400/`).
   * Default `http://<host>:<port>/`.
   */
  issuer?: string;
}

/**
 * The capabilities whose scenarios start apps of their own, with changed options: a running
 * server (`--url`) cannot be started again, so it never has them.
 */
export const RESTARTING_CAPABILITIES: readonly Capability[] = [
  'key-set',
  'dpop',
  'dpop-nonce',
  'issuers',
  'hs256',
  'static-key',
  'mtls',
];

/** The capabilities `--url` mode assumes when none are given. */
export const URL_MODE_CAPABILITIES: readonly Capability[] = [
  'bearer',
  'optional',
  'scopes',
  'permissions',
];

/**
 * One adapter's run: a mock authorization server (container or in-process), a downstream API,
 * and the adapter's app. Scenarios run one at a time, each on a reset server.
 */
export class ConformanceRun {
  readonly adapter: AdapterUnderTest;
  readonly server: AuthorizationServer;
  readonly #downstream: DownstreamApi;
  readonly #tokens: TokenFactory;
  readonly #options: TestAppOptions;
  readonly #app: TestApp;
  readonly #clock: KitClock;
  readonly #limits: Required<
    Pick<ConformanceRunOptions, 'startTimeoutMs' | 'requestTimeoutMs' | 'scenarioTimeoutMs'>
  > & { strict: boolean };

  private constructor(
    adapter: AdapterUnderTest,
    server: AuthorizationServer,
    downstream: DownstreamApi,
    tokens: TokenFactory,
    options: TestAppOptions,
    app: TestApp,
    clock: KitClock,
    runOptions: ConformanceRunOptions,
  ) {
    this.adapter = adapter;
    this.server = server;
    this.#downstream = downstream;
    this.#tokens = tokens;
    this.#options = options;
    this.#app = app;
    this.#clock = clock;
    this.#limits = {
      startTimeoutMs: runOptions.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      requestTimeoutMs: runOptions.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      scenarioTimeoutMs: runOptions.scenarioTimeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS,
      strict: runOptions.strict ?? false,
    };
  }

  /**
   * Starts the mock server, the downstream API and the adapter's app (within the start deadline).
   *
   * @throws {AdapterDefinitionError} when the adapter's skips, capabilities or profiles name
   *   something the kit does not know.
   * @throws {AdapterStartError} when `startTestApp` throws or does not resolve in time; whatever
   *   the kit started is stopped first.
   */
  static async start(
    adapter: AdapterUnderTest,
    options: ConformanceRunOptions = {},
  ): Promise<ConformanceRun> {
    checkAdapterDefinition(adapter);
    const key = await createKitKey('conformance-kit');
    const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
    const server = await startAuthorizationServer(
      conformanceTenant(key),
      options.runtime ?? 'auto',
      say,
      options.image,
    );
    return ConformanceRun.#open(adapter, server, key, options, (appOptions) =>
      ConformanceRun.#startApp(adapter, appOptions, options.startTimeoutMs),
    );
  }

  /**
   * Runs against a server that is already running (`--url`): the kit's issuer listens on a fixed
   * address (see {@link IssuerAddress}) so the server under test can be configured to trust it.
   * Scenarios that start apps of their own (the `key-set`, `dpop`, `dpop-nonce`, `issuers`,
   * `hs256`, `static-key` and `mtls` capabilities, see {@link RESTARTING_CAPABILITIES}) cannot run
   * this way.
   */
  static async attach(
    target: RunningServer,
    address: IssuerAddress = {},
    options: ConformanceRunOptions = {},
  ): Promise<ConformanceRun> {
    const adapter: AdapterUnderTest = {
      name: target.name ?? target.url,
      startTestApp: () => Promise.reject(new Error('a running server cannot be started again')),
      capabilities: (target.capabilities ?? URL_MODE_CAPABILITIES).filter(
        (c) => !RESTARTING_CAPABILITIES.includes(c),
      ),
    };
    checkAdapterDefinition(adapter);
    // A kid of this run: a server that cached the key set of an earlier run fetches it again.
    const key = await createKitKey(`conformance-${Date.now().toString(36)}`);
    const host = address.host ?? '127.0.0.1';
    const port = address.port ?? 4400;
    const mock = await startMockServer({
      ...conformanceTenant(key),
      host,
      port,
      ...(address.issuer === undefined ? {} : { issuer: address.issuer }),
    });
    const server: AuthorizationServer = {
      issuer: mock.issuer,
      tokenEndpoint: mock.tokenEndpoint,
      jwksUri: `${mock.issuer}.well-known/jwks.json`,
      control: mock.control,
      // The several-issuers scenarios start apps of their own: never with --url.
      customDomain: undefined,
      runtime: 'in-process',
      close: () => mock.close(),
    };
    const url = target.url.replace(/\/+$/, '');
    return ConformanceRun.#open(adapter, server, key, options, () =>
      Promise.resolve({ url, close: () => Promise.resolve() }),
    );
  }

  static async #startApp(
    adapter: AdapterUnderTest,
    appOptions: TestAppOptions,
    timeoutMs = DEFAULT_START_TIMEOUT_MS,
  ): Promise<TestApp> {
    try {
      // A throw before the first await is a rejection too.
      const starting = Promise.resolve().then(() => adapter.startTestApp(appOptions));
      return await withDeadline(starting, timeoutMs, 'startTestApp did not resolve', (late) => {
        // It started after all: stop it, or its server keeps the process alive.
        void Promise.resolve(late?.close?.()).catch(() => undefined);
      });
    } catch (error) {
      throw startFailure(adapter.name, error);
    }
  }

  static async #open(
    adapter: AdapterUnderTest,
    server: AuthorizationServer,
    key: KitKey,
    options: ConformanceRunOptions,
    startApp: (options: TestAppOptions) => Promise<TestApp>,
  ): Promise<ConformanceRun> {
    let downstream: DownstreamApi | undefined;
    let app: TestApp;
    let appOptions: TestAppOptions;
    const clock = new KitClock();
    try {
      downstream = await DownstreamApi.start();
      appOptions = defaultAppOptions(server, downstream.url, clock.now);
      app = await startApp(appOptions);
    } catch (error) {
      // Whatever started must stop, or its sockets (and the container) keep the process alive.
      await downstream?.close();
      await server.close();
      throw error;
    }
    return new ConformanceRun(
      adapter,
      server,
      downstream,
      new TokenFactory(server.issuer, KIT.audience, key),
      appOptions,
      app,
      clock,
      options,
    );
  }

  /** The app's base URL. */
  get url(): string {
    return this.#app.url;
  }

  /** The options the adapter's app was started with. */
  get options(): TestAppOptions {
    return this.#options;
  }

  /** How much a failure of `scenario` weighs for this adapter. */
  severityOf(scenario: Scenario): Severity {
    if (!profilesOf(this.adapter).includes(scenario.profile)) return 'info';
    if (scenario.level === 'MUST') return 'error';
    if (scenario.level === 'SHOULD') return this.#limits.strict ? 'error' : 'warning';
    return 'info';
  }

  /**
   * Runs one scenario on a freshly reset server, within the scenario deadline. Never throws:
   * the result says what happened.
   */
  async run(scenario: Scenario): Promise<ScenarioResult> {
    const result = {
      id: scenario.id,
      name: scenario.name,
      spec: scenario.spec,
      group: scenario.group,
      level: scenario.level,
      profile: scenario.profile,
      adapter: this.adapter.name,
    };
    const declaredSkip = skipReasonOf(this.adapter.skips, scenario.id);
    if (declaredSkip !== undefined) {
      // A skip must say why; an empty reason is a failure, not a skip.
      return declaredSkip.trim() === ''
        ? {
            ...result,
            outcome: 'fail',
            severity: 'error',
            reason: 'skipped without a reason',
            durationMs: 0,
          }
        : { ...result, outcome: 'skip', reason: declaredSkip, durationMs: 0 };
    }
    const capabilities = capabilitiesOf(this.adapter);
    const missing = scenario.requires.filter((capability) => !capabilities.has(capability));
    if (missing.length > 0) {
      const quoted = missing.map((capability) => `"${capability}"`);
      const names =
        quoted.length > 1
          ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1) ?? ''}`
          : quoted.join('');
      return {
        ...result,
        outcome: 'skip',
        reason: `needs the ${names} capabilit${missing.length > 1 ? 'ies' : 'y'}, which ${this.adapter.name} does not declare`,
        durationMs: 0,
      };
    }
    const started = performance.now();
    const failed = (reason: string): ScenarioResult => ({
      ...result,
      outcome: 'fail',
      severity: this.severityOf(scenario),
      reason: oneLine(reason),
      durationMs: performance.now() - started,
    });
    try {
      await withDeadline(
        this.server.control.reset(),
        this.#limits.requestTimeoutMs,
        "the kit's authorization server did not reset",
      );
      this.#downstream.reset();
    } catch (error) {
      return failed(`the kit could not prepare the scenario: ${messageOf(error)}`);
    }
    const extraApps: TestApp[] = [];
    const http = new ConformanceHttp(this.#app.url, { timeoutMs: this.#limits.requestTimeoutMs });
    const context: ScenarioContext = {
      app: this.#app,
      http,
      fetch: deadlineFetch(this.#limits.requestTimeoutMs),
      server: this.server,
      tokens: this.#tokens,
      downstream: this.#downstream,
      options: this.#options,
      advanceClock: async (seconds) => {
        await this.server.control.advanceClock(seconds);
        this.#clock.advance(seconds);
      },
      startApp: async (change) => {
        const app = await ConformanceRun.#startApp(
          this.adapter,
          change(copyOptions(this.#options)),
          this.#limits.startTimeoutMs,
        );
        extraApps.push(app);
        return {
          app,
          http: new ConformanceHttp(app.url, { timeoutMs: this.#limits.requestTimeoutMs }),
        };
      },
    };
    try {
      await withDeadline(
        scenario.run(context),
        this.#limits.scenarioTimeoutMs,
        'the scenario did not finish',
      );
      return { ...result, outcome: 'pass', durationMs: performance.now() - started };
    } catch (error) {
      return failed(messageOf(error));
    } finally {
      if (scenario.settleMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, scenario.settleMs));
      await Promise.all(extraApps.map((app) => this.#closeApp(app)));
    }
  }

  /** Runs every scenario (or the given ones) in order; `onResult` hears each as it comes. */
  async runAll(
    scenarios: readonly Scenario[] = CATALOGUE,
    onResult?: (result: ScenarioResult) => void,
  ): Promise<ScenarioResult[]> {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await this.run(scenario);
      onResult?.(result);
      results.push(result);
    }
    return results;
  }

  /** Closes an app within the start deadline; a close that hangs or throws is let go. */
  async #closeApp(app: TestApp): Promise<void> {
    try {
      await withDeadline(
        Promise.resolve().then(() => app.close()),
        this.#limits.startTimeoutMs,
        'close did not resolve',
      );
    } catch {
      // The run goes on; the CLI exits even when an app's server stays open.
    }
  }

  /** Stops the app, the downstream API and the mock server. */
  async close(): Promise<void> {
    await this.#closeApp(this.#app);
    await this.#downstream.close();
    await this.server.close();
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // The kit's own failures speak for themselves; anything else shows its kind.
    const own = ['ConformanceFailure', 'DeadlineError', 'AdapterStartError'].includes(error.name);
    return own ? error.message : `${error.name}: ${error.message}`;
  }
  return String(error);
}
