import type { StartTestApp, TestApp, TestAppOptions } from './test-app.js';
import type { MockServerControl } from '@ropkit/mock-server';
import type { ConformanceHttp, KitFetch } from './http-client.js';
import type { DownstreamApi } from './downstream-api.js';
import type { TokenFactory } from './token-factory.js';

/** The spec groups of the catalogue, in report order. */
export type ScenarioGroup =
  | 'RFC 6750 bearer usage'
  | 'JWT access token validation'
  | 'Key set and rotation'
  | 'Scopes and permissions'
  | 'Password grant through the login route'
  | 'ID token validation'
  | 'Multi-factor authentication'
  | 'Sessions of the login routes'
  | 'Token lifecycle'
  | 'Sender-constrained tokens (DPoP)'
  | 'Several issuers'
  | 'Symmetric signatures (HS256)'
  | 'A static public key'
  | 'Certificate-bound tokens (RFC 8705)'
  | 'Step-up (RFC 9470)';

/** Every group, in report order. */
export const GROUPS: readonly ScenarioGroup[] = [
  'RFC 6750 bearer usage',
  'JWT access token validation',
  'Key set and rotation',
  'Scopes and permissions',
  'Password grant through the login route',
  'ID token validation',
  'Multi-factor authentication',
  'Sessions of the login routes',
  'Token lifecycle',
  'Sender-constrained tokens (DPoP)',
  'Several issuers',
  'Symmetric signatures (HS256)',
  'A static public key',
  'Certificate-bound tokens (RFC 8705)',
  'Step-up (RFC 9470)',
];

/**
 * The RFC 2119 word of a requirement (`MUST NOT` is a `MUST`, `SHOULD NOT` a `SHOULD`). A failed
 * `MUST` fails the run, a failed `SHOULD` is a warning, a `MAY` is informational.
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** Every level, strongest first. */
export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];

/**
 * Whose requirement a scenario checks:
 * - `rfc`: the standards; the level is the RFC 2119 word of the section the scenario cites.
 * - `auth0`: "Auth0 compatibility": what working with Auth0's tokens and Authentication API
 *   takes (the `permissions` claim, the password-realm grant, `auth0-forwarded-for`, MFA...).
 * - `ropkit`: "ropkit profile": ropkit's own policy and the kit's test-app contract (the exact
 *   error body, `no-store`, the token size limit, 503 when keys are unavailable...).
 *
 * Failures of a profile an adapter does not claim (see {@link AdapterUnderTest.profiles}) are
 * informational for that adapter, whatever their level.
 */
export type Profile = 'rfc' | 'auth0' | 'ropkit';

/** Every profile, in report order. */
export const PROFILE_IDS: readonly Profile[] = ['rfc', 'auth0', 'ropkit'];

/** Every profile, in report order, with its title. */
export const PROFILES: Readonly<Record<Profile, string>> = {
  rfc: 'Standards (RFC)',
  auth0: 'Auth0 compatibility',
  ropkit: 'ropkit profile',
};

/**
 * What an adapter's test app supports; scenarios needing a capability it lacks are skipped with
 * that reason.
 * - `bearer`: `GET /api/public` and `GET /api/private` behind a verifier of bearer JWTs;
 * - `optional`: `GET /api/optional`, where the token is optional;
 * - `scopes`: `GET /api/private-scoped` (all-of) and `GET /api/any-scope` (any-of);
 * - `permissions`: Auth0's `permissions` claim grants scopes too (`scopeSources`);
 * - `key-set`: the verifier fetches the key set from `jwksUri` with the given cooldown, and the
 *   kit may start more apps with changed options;
 * - `login`: `POST /login`, `POST /login/otp`, `POST /logout` (the password flow);
 * - `mfa`: the other second-factor routes, `POST /login/challenge`, `/login/oob`, `/login/push`,
 *   `/login/recovery` and `/login/enroll`, with `login.clock` as the sign-in engine's clock;
 * - `sessions`: the login routes keep tokens in `login.store` and sessions in `sessions` when the
 *   kit gives them (so it can look inside, and run two instances on shared stores);
 * - `lifecycle`: `GET /call-api` calls the downstream API with the session's token, refreshed;
 * - `dpop`: the verifier honours `verifier.dpop` (RFC 9449: `mode`, `algorithms`, `iatWindow`,
 *   `iatLeeway`), and the kit may start more apps with it;
 * - `dpop-nonce`: the verifier also honours `verifier.dpop.nonce`, server-provided nonces
 *   (RFC 9449 section 9);
 * - `issuers`: the verifier takes `verifier.issuer` as a list of `{ issuer, jwksUri }`, each
 *   issuer's tokens checked with its own key set, and the kit may start more apps with it;
 * - `hs256`: the verifier takes `verifier.secret` (with `verifier.algorithms` `['HS256']` and no
 *   `verifier.jwksUri`): HS256 tokens MACed with that secret, nothing else; more apps can be
 *   started with it;
 * - `static-key`: the verifier takes `verifier.publicKey` (a PEM, and no `verifier.jwksUri`): the
 *   tokens that key signed, no key set, no discovery; more apps can be started with it;
 * - `mtls`: the verifier takes `verifier.mtls.certificateHeader`: certificate-bound tokens
 *   (RFC 8705, `cnf["x5t#S256"]`) need the client certificate a proxy forwards in that header;
 *   more apps can be started with it;
 * - `step-up`: `GET /api/step-up` needs the `acr` of `KIT_STEP_UP` and `GET /api/recent` an
 *   `auth_time` at most 300 s old (RFC 9470).
 */
export type Capability =
  | 'bearer'
  | 'optional'
  | 'scopes'
  | 'permissions'
  | 'key-set'
  | 'login'
  | 'mfa'
  | 'sessions'
  | 'lifecycle'
  | 'dpop'
  | 'dpop-nonce'
  | 'issuers'
  | 'hs256'
  | 'static-key'
  | 'mtls'
  | 'step-up';

/** Every capability, in the order the kit lists them. */
export const CAPABILITY_NAMES: readonly Capability[] = [
  'bearer',
  'optional',
  'scopes',
  'permissions',
  'key-set',
  'login',
  'mfa',
  'sessions',
  'lifecycle',
  'dpop',
  'dpop-nonce',
  'issuers',
  'hs256',
  'static-key',
  'mtls',
  'step-up',
];

/** Whether `value` names a capability. */
export function isCapability(value: unknown): value is Capability {
  return CAPABILITY_NAMES.some((name) => name === value);
}

/** Whether `value` names a profile an adapter can claim (`auth0`, `ropkit`). */
export function isClaimableProfile(value: unknown): value is Exclude<Profile, 'rfc'> {
  return value !== 'rfc' && PROFILE_IDS.some((name) => name === value);
}

/** Every capability, with what it means. */
export const CAPABILITIES: Readonly<Record<Capability, string>> = {
  bearer: 'GET /api/public and GET /api/private behind a bearer JWT verifier',
  optional: 'GET /api/optional: the token is optional, a bad one still fails',
  scopes:
    'GET /api/private-scoped (read:sample) and GET /api/any-scope (read:sample or write:sample)',
  permissions: "Auth0's permissions claim grants scopes (verifier.scopeSources)",
  'key-set':
    'the verifier fetches verifier.jwksUri with verifier.keySet.cooldownMs; more apps can be started',
  login: 'POST /login, POST /login/otp and POST /logout: the password flow',
  mfa: 'POST /login/challenge, /login/oob, /login/push, /login/recovery and /login/enroll, on login.clock',
  sessions: 'tokens in login.store and sessions in options.sessions when the kit passes them',
  lifecycle: 'GET /call-api calls login.downstreamUrl with the session token, refreshed in time',
  dpop: 'the verifier honours verifier.dpop (RFC 9449: mode, algorithms, iatWindow, iatLeeway); more apps can be started',
  'dpop-nonce':
    'the verifier honours verifier.dpop.nonce: server-provided nonces (RFC 9449 section 9)',
  issuers:
    'the verifier takes verifier.issuer as a list of { issuer, jwksUri }, each with its own key set; more apps can be started',
  hs256:
    "the verifier takes verifier.secret instead of a key set: HS256 tokens MACed with it ('HS256' only); more apps can be started",
  'static-key':
    'the verifier takes verifier.publicKey (a PEM) instead of a key set: no discovery, no fetch; more apps can be started',
  mtls: 'the verifier takes verifier.mtls.certificateHeader: a certificate-bound token (RFC 8705) needs the certificate a proxy forwards there; more apps can be started',
  'step-up':
    'GET /api/step-up needs acr http://schemas.openid.net/pape/policies/2007/06/multi-factor, GET /api/recent an auth_time at most 300 s old (RFC 9470)',
};

/**
 * An option of {@link TestAppOptions} a scenario depends on: the adapter must honour it, or the
 * scenario tests nothing. Every `bearer` scenario also depends on `verifier.issuer`,
 * `verifier.audience` and `verifier.jwksUri`. `verifier.issuer[]` is `verifier.issuer` as a list
 * of `{ issuer, jwksUri }` (then without `verifier.jwksUri`); `verifier.dpop.*` are the settings
 * of `verifier.dpop`, given only to the apps the DPoP scenarios start; `verifier.secret` and
 * `verifier.publicKey` replace `verifier.jwksUri` in the apps the `hs-*` and `static-*` scenarios
 * start; `verifier.mtls.certificateHeader` is given only to the apps of the `mtls-*` scenarios.
 */
export type AppOption =
  | 'verifier.issuer'
  | 'verifier.audience'
  | 'verifier.jwksUri'
  | 'verifier.algorithms'
  | 'verifier.realm'
  | 'verifier.clockTolerance'
  | 'verifier.maxTokenSize'
  | 'verifier.scopeSources'
  | 'verifier.tokenLocations'
  | 'verifier.keySet.cooldownMs'
  | 'verifier.issuer[]'
  | 'verifier.dpop.mode'
  | 'verifier.dpop.algorithms'
  | 'verifier.dpop.iatWindow'
  | 'verifier.dpop.iatLeeway'
  | 'verifier.dpop.nonce'
  | 'verifier.secret'
  | 'verifier.publicKey'
  | 'verifier.mtls.certificateHeader'
  | 'login.client'
  | 'login.forwardUserIp'
  | 'login.downstreamUrl'
  | 'login.store'
  | 'login.clock'
  | 'sessions'
  | 'trustProxy';

/** The custom domain of the kit's tenant: its own issuer name, URLs and listener. */
export interface CustomDomain {
  /** `http://127.0.0.1:<port>/`, with its `/`. */
  issuer: string;
  /** Its key set URL: the tenant's keys, served on the custom domain's listener. */
  jwksUri: string;
  /** Its token endpoint: tokens it issues name the custom domain as `iss`. */
  tokenEndpoint: string;
}

/** The authorization server under the kit: the mock server, in a container or in-process. */
export interface AuthorizationServer {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  control: MockServerControl;
  /**
   * The tenant's custom domain: a second issuer of the same tenant (the same keys, users and
   * state) on a listener of its own, as Auth0 serves a custom domain besides the tenant domain.
   * `undefined` for the issuer the kit serves to a running server (`--url`).
   */
  customDomain: CustomDomain | undefined;
  /** `container` or `in-process`. */
  runtime: 'container' | 'in-process';
  /** Stops the server (and its container). */
  close(): Promise<void>;
}

/** What a scenario gets to work with. */
export interface ScenarioContext {
  /** The adapter's app, started with the kit's default options. */
  app: TestApp;
  /** HTTP helpers bound to the app (cookies per session, raw sockets), each request with a deadline. */
  http: ConformanceHttp;
  /** `fetch` with the run's request deadline and errors that name the URL and the cause. */
  fetch: KitFetch;
  server: AuthorizationServer;
  tokens: TokenFactory;
  /** The API `GET /call-api` calls; records what it received. */
  downstream: DownstreamApi;
  /** The options the default app was started with. */
  options: TestAppOptions;
  /**
   * Moves time forward by `seconds` for the mock server (its clock) and for the apps' sign-in
   * engines (the `login.clock` they were given) together: how a scenario lets a polling interval
   * or a lifetime pass without waiting for it.
   */
  advanceClock: (seconds: number) => Promise<void>;
  /** Starts another app of the same adapter with changed options; closed after the scenario. */
  startApp: (
    change: (options: TestAppOptions) => TestAppOptions,
  ) => Promise<{ app: TestApp; http: ConformanceHttp }>;
}

/**
 * One requirement, checked against one adapter. `name` states it with its RFC 2119 level
 * (`MUST refuse a token whose scope does not cover the route`); `spec` names the section it comes
 * from; `level` is the level's word (`MUST NOT` is `MUST`). `run` throws a `ConformanceFailure`
 * saying what was sent, what was expected and what came back.
 */
export interface Scenario {
  /** Stable short id, e.g. `bearer-01`; never reused for another requirement. */
  id: string;
  name: string;
  /** The section the requirement comes from, e.g. `RFC 6750 section 3.1`. */
  spec: string;
  /** The section's own words that carry the level (or, for a profile, why it is policy). */
  words: string;
  group: ScenarioGroup;
  level: Level;
  profile: Profile;
  /** Capabilities the adapter needs for this scenario to run; otherwise it is skipped. */
  requires: readonly Capability[];
  /** Options the scenario depends on beyond issuer, audience and jwksUri. */
  uses: readonly AppOption[];
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
   * Scenarios this adapter does not support, by id (or `group-*`, e.g. `login-*`), each with the
   * reason. A skip without a reason fails the run; an id that names no scenario is an error.
   */
  skips?: Readonly<Record<string, string>>;
  /** What the test app supports. Default: every capability (the whole test-app contract). */
  capabilities?: readonly Capability[];
  /**
   * The profiles besides `rfc` the adapter claims: their failures count as the `rfc` ones do.
   * Default: none (their failures are informational).
   */
  profiles?: readonly Exclude<Profile, 'rfc'>[];
}
