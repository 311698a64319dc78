import type { StartTestApp, TestApp, TestAppOptions } from './test-app.js';
import type { MockServerControl } from '@ropkit/mock-server';
import type { ConformanceHttp } from './http-client.js';
import type { DownstreamApi } from './downstream-api.js';
import type { TokenFactory } from './token-factory.js';

/** The spec groups of the catalogue, in report order. */
export type ScenarioGroup =
  | 'RFC 6750 bearer usage'
  | 'JWT access token validation'
  | 'Key set and rotation'
  | 'Scopes and permissions'
  | 'Password grant through the login route'
  | 'Sessions of the login routes'
  | 'Token lifecycle';

/** The authorization server under the kit: the mock server, in a container or in-process. */
export interface AuthorizationServer {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  control: MockServerControl;
  /** `container` or `in-process`. */
  runtime: 'container' | 'in-process';
  /** Stops the server (and its container). */
  close(): Promise<void>;
}

/** What a scenario gets to work with. */
export interface ScenarioContext {
  /** The adapter's app, started with the kit's default options. */
  app: TestApp;
  /** HTTP helpers bound to the app (cookies per session, raw sockets). */
  http: ConformanceHttp;
  server: AuthorizationServer;
  tokens: TokenFactory;
  /** The API `GET /call-api` calls; records what it received. */
  downstream: DownstreamApi;
  /** The options the default app was started with. */
  options: TestAppOptions;
  /** Starts another app of the same adapter with changed options; closed after the scenario. */
  startApp: (
    change: (options: TestAppOptions) => TestAppOptions,
  ) => Promise<{ app: TestApp; http: ConformanceHttp }>;
}

/**
 * One requirement, checked against one adapter. `name` states it with its RFC 2119 level
 * (`MUST answer 403 insufficient_scope with scope="read:sample"`); `spec` names the section it
 * comes from. `run` throws an `Error` (an assertion message) when the adapter does not conform.
 */
export interface Scenario {
  /** Stable short id, e.g. `bearer-01`; never reused for another requirement. */
  id: string;
  name: string;
  spec: string;
  group: ScenarioGroup;
  /** Checks the requirement; throws a ConformanceFailure saying what differed. */
  run(context: ScenarioContext): Promise<void>;
  /**
   * Time to wait after the scenario, in milliseconds, for background work it started (retries
   * of a refresh) to finish, so it does not land in the next scenario's request log.
   */
  settleMs?: number;
}

/** One adapter under test: its name and how to start its test app. */
export interface AdapterUnderTest {
  name: string;
  startTestApp: StartTestApp;
  /**
   * Scenarios this adapter does not support, by id, each with the reason. A skip without a
   * reason fails the run.
   */
  skips?: Readonly<Record<string, string>>;
}
