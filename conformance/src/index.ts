/**
 * @ropkit/conformance: one scenario catalogue, any adapter, a containerized Auth0-compatible
 * mock authorization server.
 *
 * @packageDocumentation
 */
export {
  runtimeFromEnvironment,
  startAuthorizationServer,
  type Runtime,
} from './authorization-server.js';
export { CATALOGUE } from './catalogue/index.js';
export { ConformanceFailure, expectEqual, expectTrue } from './check.js';
export { conformanceTenant, KIT } from './conformance-tenant.js';
export {
  loginReplayRequests,
  replay,
  replayRequests,
  type ReplayAnswer,
  type ReplayRequest,
} from './cross-adapter.js';
export { DownstreamApi } from './downstream-api.js';
export {
  BrowserSession,
  ConformanceHttp,
  type Answer,
  type SessionOptions,
} from './http-client.js';
export { formatMatrix, toJUnit, toJson } from './report.js';
export {
  ConformanceRun,
  defaultAppOptions,
  type ConformanceRunOptions,
  type ScenarioResult,
} from './runner.js';
export type {
  AdapterUnderTest,
  AuthorizationServer,
  Scenario,
  ScenarioContext,
  ScenarioGroup,
} from './scenario.js';
export type { SharedSessionStore, StartTestApp, TestApp, TestAppOptions } from './test-app.js';
export { TokenFactory, createKitKey, type CraftOptions, type KitKey } from './token-factory.js';
