import type { TokenClientOptions } from '../client/token-client-options.js';
import type { AccessTokenVerifierOptions } from '../validation/verifier-options.js';

/**
 * What every adapter's test app (its `./conformance` export) is started with. The same options
 * give the same routes in every framework, so one list of requests can be replayed against all
 * of them and compared byte for byte.
 */
export interface TestAppOptions {
  /** Options of the protected routes' verifier. */
  verifier: AccessTokenVerifierOptions;
  /** Password login (and the downstream API call) settings; without it those routes answer 404. */
  login?: {
    client: TokenClientOptions;
    /** Default connection for the password-realm grant. */
    realm?: string;
    /** Send the end user's IP as auth0-forwarded-for. Default `false`. */
    forwardUserIp?: boolean;
    /** The URL `GET /call-api` fetches with the session's access token. */
    downstreamUrl?: string;
  };
  /**
   * Take the client IP from `X-Forwarded-For` (the framework's own trust-proxy setting), so a
   * test can act as several end users. Default `false`.
   */
  trustProxy?: boolean;
}

/**
 * The routes of a test app (Auth0's API quickstart routes plus the login flow):
 * - `GET /api/public`: 200, no token needed;
 * - `GET /api/private`: any valid token; 200 `{"sub": ...}`;
 * - `GET /api/private-scoped`: needs `read:sample` (all-of);
 * - `GET /api/any-scope`: needs `read:sample` or `write:sample` (any-of);
 * - `GET /api/optional`: token optional; 200 `{"sub": ... | null}`; a bad token still fails;
 * - `POST /login` (form or JSON `username`, `password`, optional `realm`): a
 *   {@link LoginOutcome} as JSON, with {@link LOGIN_OUTCOME_STATUS};
 * - `POST /login/otp` (`otp`): the same, finishing an MFA step;
 * - `GET /call-api`: calls `downstreamUrl` with the session's token; relays status and body;
 * - `POST /logout`: 204.
 */
export interface TestApp {
  /** Base URL on 127.0.0.1, without trailing slash. */
  url: string;
  /** Stops the app and its servers. */
  close(): Promise<void>;
}

/** Starts an adapter's test app on 127.0.0.1 with an ephemeral port. */
export type StartTestApp = (options: TestAppOptions) => Promise<TestApp>;
