import { isLoopbackHost } from '@ropkit/core/adapter';
import type { TestApp, TestAppOptions } from './test-app.js';
import { startAuthorizationServer, type Runtime } from './authorization-server.js';
import { CATALOGUE } from './catalogue/index.js';
import { conformanceTenant, KIT } from './conformance-tenant.js';
import { DownstreamApi } from './downstream-api.js';
import { ConformanceHttp } from './http-client.js';
import type {
  AdapterUnderTest,
  AuthorizationServer,
  Scenario,
  ScenarioContext,
} from './scenario.js';
import { TokenFactory, createKitKey } from './token-factory.js';

/** How one scenario went for one adapter. */
export interface ScenarioResult {
  id: string;
  name: string;
  spec: string;
  group: string;
  adapter: string;
  outcome: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  reason?: string;
  durationMs: number;
}

/** Options of {@link ConformanceRun}. */
export interface ConformanceRunOptions {
  /** Where the mock server runs. Default: `auto` (container when Docker answers). */
  runtime?: Runtime;
  /** Receives the one-line notices (e.g. the fallback to in-process). Default: stderr. */
  say?: (line: string) => void;
  /** A mock server image already built; default: build it (see buildAuthorizationServerImage). */
  image?: string;
}

/** The options every adapter's default app is started with. */
export function defaultAppOptions(
  server: AuthorizationServer,
  downstreamUrl: string,
): TestAppOptions {
  // The mock server speaks plain http. It is on loopback unless the Docker engine is remote
  // (DOCKER_HOST=tcp://...), where the kit must say that http is meant.
  const allowInsecureHttp = !isLoopbackHost(new URL(server.issuer).hostname);
  return {
    verifier: {
      issuer: server.issuer,
      audience: KIT.audience,
      ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
      scopeSources: ['scope', 'permissions'],
      keySet: { cooldownMs: 500 },
    },
    login: {
      client: {
        tokenEndpoint: server.tokenEndpoint,
        clientId: KIT.clientId,
        clientSecret: KIT.clientSecret,
        audience: KIT.shortLivedAudience,
        scope: 'openid offline_access read:sample',
        ...(allowInsecureHttp ? { allowInsecureHttp } : {}),
      },
      forwardUserIp: true,
      downstreamUrl,
    },
    trustProxy: true,
  };
}

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

  private constructor(
    adapter: AdapterUnderTest,
    server: AuthorizationServer,
    downstream: DownstreamApi,
    tokens: TokenFactory,
    options: TestAppOptions,
    app: TestApp,
  ) {
    this.adapter = adapter;
    this.server = server;
    this.#downstream = downstream;
    this.#tokens = tokens;
    this.#options = options;
    this.#app = app;
  }

  /** Starts the mock server, the downstream API and the adapter's app. */
  static async start(
    adapter: AdapterUnderTest,
    options: ConformanceRunOptions = {},
  ): Promise<ConformanceRun> {
    const key = await createKitKey('conformance-kit');
    const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
    const server = await startAuthorizationServer(
      conformanceTenant(key),
      options.runtime ?? 'auto',
      say,
      options.image,
    );
    let downstream: DownstreamApi | undefined;
    let app: TestApp;
    let appOptions: TestAppOptions;
    try {
      downstream = await DownstreamApi.start();
      appOptions = defaultAppOptions(server, downstream.url);
      app = await adapter.startTestApp(appOptions);
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
    );
  }

  /** The app's base URL. */
  get url(): string {
    return this.#app.url;
  }

  /** Runs one scenario on a freshly reset server. Never throws: the result says what happened. */
  async run(scenario: Scenario): Promise<ScenarioResult> {
    const result = {
      id: scenario.id,
      name: scenario.name,
      spec: scenario.spec,
      group: scenario.group,
      adapter: this.adapter.name,
    };
    const declaredSkip = this.adapter.skips?.[scenario.id];
    if (declaredSkip !== undefined) {
      // A skip must say why; an empty reason is a failure, not a skip.
      return declaredSkip.trim() === ''
        ? { ...result, outcome: 'fail', reason: 'skipped without a reason', durationMs: 0 }
        : { ...result, outcome: 'skip', reason: declaredSkip, durationMs: 0 };
    }
    await this.server.control.reset();
    this.#downstream.reset();
    const extraApps: TestApp[] = [];
    const context: ScenarioContext = {
      app: this.#app,
      http: new ConformanceHttp(this.#app.url),
      server: this.server,
      tokens: this.#tokens,
      downstream: this.#downstream,
      options: this.#options,
      startApp: async (change) => {
        const app = await this.adapter.startTestApp(change(structuredClone(this.#options)));
        extraApps.push(app);
        return { app, http: new ConformanceHttp(app.url) };
      },
    };
    const started = performance.now();
    try {
      await scenario.run(context);
      return { ...result, outcome: 'pass', durationMs: performance.now() - started };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ...result, outcome: 'fail', reason, durationMs: performance.now() - started };
    } finally {
      if (scenario.settleMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, scenario.settleMs));
      await Promise.all(extraApps.map((app) => app.close()));
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

  /** Stops the app, the downstream API and the mock server. */
  async close(): Promise<void> {
    await this.#app.close();
    await this.#downstream.close();
    await this.server.close();
  }
}
