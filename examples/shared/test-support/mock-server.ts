/**
 * The parts of `@ropkit/mock-server` the shared suites use, as types only.
 *
 * The example's test passes the module in (`import * as mockServer from '@ropkit/mock-server'`)
 * rather than these files importing it: a bare import resolves from the importing file's own
 * folder upwards, and only each example's `node_modules/` links the workspace package, not
 * `examples/shared/` or the repository root. The example's call checks the real module against
 * these types.
 */

/** A running mock authorization server (`MockServer`). */
export interface MockServer {
  /** Where it listens, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The issuer, with its trailing slash. */
  readonly issuer: string;
  /** `POST` here for tokens. */
  readonly tokenEndpoint: string;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** The names and credentials of the tutorial tenant (`TUTORIAL`). */
export interface Tutorial {
  readonly audience: string;
  readonly scope: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/** An API of the mock tenant (`ApiConfig`). */
export interface MockApi {
  identifier: string;
  scopes: string[];
  allowOfflineAccess?: boolean;
  tokenProfile?: 'auth0' | 'rfc9068';
}

/** `import * as mockServer from '@ropkit/mock-server'`; `Config` is its `MockServerConfig`. */
export interface MockServerModule<Config> {
  readonly TUTORIAL: Tutorial;
  readonly tutorialTenant: (overrides: { apis: MockApi[] }) => Config;
  readonly startMockServer: (config: Config) => Promise<MockServer>;
}
