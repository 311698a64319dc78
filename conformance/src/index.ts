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
export {
  AdapterDefinitionError,
  capabilitiesOf,
  checkAdapterDefinition,
  profilesOf,
} from './adapter-definition.js';
export { CATALOGUE } from './catalogue/index.js';
export {
  ConformanceFailure,
  check,
  describeAnswer,
  expectEqual,
  expectRefused,
  expectStatus,
  expectTrue,
  type Exchange,
} from './check.js';
export { DeadlineError, withDeadline } from './deadline.js';
export { conformanceTenant, KIT } from './conformance-tenant.js';
export {
  loginReplayRequests,
  replay,
  replayRequests,
  type ReplayAnswer,
  type ReplayRequest,
} from './cross-adapter.js';
export { DownstreamApi } from './downstream-api.js';
export { loadAdapter } from './load-adapter.js';
export {
  BrowserSession,
  ConformanceHttp,
  DEFAULT_REQUEST_TIMEOUT_MS,
  deadlineFetch,
  type Answer,
  type HttpOptions,
  type KitFetch,
  type RawAnswer,
  type SessionOptions,
} from './http-client.js';
export {
  formatMatrix,
  toJUnit,
  toJson,
  toMarkdown,
  totalsOf,
  type MarkdownOptions,
  type Tally,
  type Totals,
} from './report.js';
export {
  AdapterStartError,
  ConformanceRun,
  DEFAULT_SCENARIO_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  RESTARTING_CAPABILITIES,
  URL_MODE_CAPABILITIES,
  defaultAppOptions,
  kitVerifierOptions,
  type ConformanceRunOptions,
  type IssuerAddress,
  type RunningServer,
  type ScenarioResult,
  type Severity,
} from './runner.js';
export {
  CAPABILITIES,
  GROUPS,
  LEVELS,
  PROFILES,
  type AdapterUnderTest,
  type AppOption,
  type AuthorizationServer,
  type CustomDomain,
  type Capability,
  type Level,
  type Profile,
  type Scenario,
  type ScenarioContext,
  type ScenarioGroup,
} from './scenario.js';
export {
  emptyReport,
  exitCodeOf,
  runSuite,
  type AdapterReport,
  type SuiteEvents,
  type SuiteOptions,
  type SuiteReport,
  type SuiteTarget,
} from './suite.js';
export {
  KIT_STEP_UP,
  issuersOf,
  keySourceOf,
  soleIssuerOf,
  type KitDpopOptions,
  type KitIssuer,
  type KitKeySource,
  type KitMtlsOptions,
  type KitVerifierOptions,
  type SharedSessionStore,
  type StartTestApp,
  type TestApp,
  type TestAppOptions,
} from './test-app.js';
export {
  accessTokenHash,
  boundToken,
  createDpopKey,
  dpopHeaders,
  signProof,
  type DpopKey,
  type ProofRecipe,
} from './dpop-proof.js';
export {
  CLIENT_CERTIFICATES,
  certificateThumbprint,
  forwardedCertificate,
} from './client-certificate.js';
export {
  TokenFactory,
  createKitKey,
  hmacKitKey,
  publicPemOf,
  type CraftOptions,
  type HmacKitAlgorithm,
  type KitKey,
} from './token-factory.js';
