import type {
  AccessTokenVerifierOptions,
  AsymmetricAlgorithm,
  RemoteKeySetLimits,
  ScopeSource,
  TokenClientOptions,
  TokenLocation,
  TokenStore,
  VerifierAlgorithm,
} from '@ropkit/core';

/**
 * Where a test app keeps its sessions when the kit runs two instances of it behind one "load
 * balancer": each app wraps this in its session library's store interface. Values are the session
 * library's own data, kept as they are.
 */
export interface SharedSessionStore {
  /** The data of session `id`, or `undefined`. */
  get(id: string): Promise<unknown>;
  /** Replaces the data of session `id`. */
  set(id: string, data: unknown): Promise<void>;
  /** Forgets session `id`. */
  destroy(id: string): Promise<void>;
}

/** One of several issuers (`verifier.issuer` as a list): its identifier and its key set URL. */
export interface KitIssuer {
  /** Compared to `iss` as an exact string. */
  issuer: string;
  /** This issuer's own key set: its tokens are checked with these keys only. */
  jwksUri: string;
}

/**
 * DPoP (RFC 9449), as the kit gives it to the apps its DPoP scenarios start (the default app has
 * none: DPoP off, `Bearer` only):
 * - `mode`: `allowed` (`Bearer` and `DPoP`; a DPoP-bound token must come with the `DPoP` scheme
 *   and a proof) or `required` (`DPoP` only);
 * - `algorithms`: the proof algorithms accepted, the `algs` of the `DPoP` challenge;
 * - `iatWindow`: how long after its `iat` a proof is accepted, in seconds;
 * - `iatLeeway`: how far ahead of the clock a proof's `iat` may be, in seconds;
 * - `nonce`: when given, proofs must carry a nonce the server provided (section 9), derived from
 *   `secret` (at least 32 bytes).
 */
export interface KitDpopOptions {
  mode: 'allowed' | 'required';
  algorithms: readonly AsymmetricAlgorithm[];
  iatWindow: number;
  iatLeeway: number;
  nonce?: { secret: string };
}

/**
 * Certificate-bound access tokens (RFC 8705), as the kit gives them to the apps its `mtls-*`
 * scenarios start (the default app has none): the app sits behind a TLS-terminating proxy that
 * forwards the client certificate in `certificateHeader` (`Client-Cert`), as RFC 9440 section 2
 * has it (`:<base64 DER>:`) or URL-encoded PEM (nginx's `$ssl_client_escaped_cert`). The kit
 * talks plain HTTP and plays that proxy.
 */
export interface KitMtlsOptions {
  certificateHeader: string;
}

/**
 * What the routes of the `step-up` capability require (RFC 9470), fixed as `read:sample` is for
 * `GET /api/private-scoped`:
 * - `GET /api/step-up`: the token's `acr` is `KIT_STEP_UP.acr` (ropkit:
 *   `requireStepUp({ acrValues: [acr] })`);
 * - `GET /api/recent`: its `auth_time` at most `KIT_STEP_UP.maxAge` seconds old (ropkit:
 *   `requireStepUp({ maxAge })`).
 *
 * Both answer `{"sub": ...}` when served, and 401 `insufficient_user_authentication` otherwise,
 * the challenge carrying `acr_values` or `max_age` (RFC 9470 section 3).
 */
export const KIT_STEP_UP = Object.freeze({
  /** The OpenID Provider Authentication Policy Extension's multi-factor policy. */
  acr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
  /** Seconds. */
  maxAge: 300,
} as const);

/**
 * The protected routes' verifier settings. Written as ropkit's `AccessTokenVerifierOptions` (so a
 * ropkit adapter passes them as they are), with every setting a scenario depends on given
 * explicitly, so an adapter built on another library can honour each with that library's option:
 *
 * | setting             | kit's value                                 | scenarios                      |
 * | ------------------- | ------------------------------------------- | ------------------------------ |
 * | `issuer`            | the mock server's, with `/`                 | every token scenario           |
 * | `audience`          | `https://api.example.com`                   | every token scenario           |
 * | `jwksUri`           | the mock server's key set URL               | every token scenario           |
 * | `algorithms`        | `['RS256']`; hs-* apps: `['HS256']`         | jwt-03, jwt-04, jwt-05, hs-*   |
 * | `realm`             | `'api'`                                     | bearer-08, bearer-16, dpop-20  |
 * | `clockTolerance`    | `5` (seconds)                               | jwt-12, jwt-13, jwt-14, jwt-15 |
 * | `maxTokenSize`      | `8192` (bytes)                              | jwt-19                         |
 * | `scopeSources`      | `['scope', 'permissions']`                  | scope-05                       |
 * | `tokenLocations`    | `['header']`                                | bearer-07, bearer-08           |
 * | `keySet.cooldownMs` | `500` (ms; keys-03 sets 10 000)             | keys-01, keys-03, iss-04       |
 * | `issuer` as a list  | iss-* apps: two `{ issuer, jwksUri }`       | iss-01 to iss-04               |
 * | `dpop`              | absent (off); dpop-* apps: below            | dpop-01 to dpop-23             |
 * | `dpop.mode`         | `'allowed'`; dpop-19, dpop-20: `'required'` | dpop-01 to dpop-23             |
 * | `dpop.algorithms`   | `['ES256', 'PS256']`                        | dpop-20                        |
 * | `dpop.iatWindow`    | `300` (seconds)                             | dpop-06, dpop-08               |
 * | `dpop.iatLeeway`    | `30` (seconds)                              | dpop-07                        |
 * | `dpop.nonce`        | dpop-22, dpop-23: `{ secret }`              | dpop-22, dpop-23               |
 * | `secret`            | hs-* apps: 64 characters, no `jwksUri`      | hs-01 to hs-06                 |
 * | `publicKey`         | static-* apps: a PEM, no `jwksUri`          | static-01 to static-04         |
 * | `mtls`              | absent; mtls-* apps: {@link KitMtlsOptions} | mtls-01 to mtls-05             |
 *
 * `issuer` is a string with `jwksUri`, except in the apps the `iss-*` scenarios start (an adapter
 * declaring the `issuers` capability), where it is a list of {@link KitIssuer} (the tenant domain
 * and its custom domain, or another server) and `jwksUri` is absent, and in the apps of the `hs-*`
 * and `static-*` scenarios (`hs256`, `static-key`), where `secret` or `publicKey` replaces
 * `jwksUri`. {@link soleIssuerOf} reads the one issuer and key set of an adapter that declares
 * none of those, {@link keySourceOf} the issuer and its key set, secret or public key of one that
 * declares no `issuers`, {@link issuersOf} the list. `dpop` is given only to the apps the
 * `dpop-*` scenarios start (an adapter declaring `dpop`; `nonce` only with `dpop-nonce`), `mtls`
 * only to those of the `mtls-*` scenarios (`mtls`).
 */
export type KitVerifierOptions = Omit<
  AccessTokenVerifierOptions,
  'issuer' | 'jwksUri' | 'dpop' | 'secret' | 'publicKey' | 'mtls' | 'algorithms'
> & {
  audience: string;
  /** Asymmetric ones, but `['HS256']` beside `secret`. */
  algorithms: readonly VerifierAlgorithm[];
  realm: string;
  clockTolerance: number;
  maxTokenSize: number;
  scopeSources: readonly ScopeSource[];
  tokenLocations: readonly TokenLocation[];
  keySet: Partial<RemoteKeySetLimits> & { cooldownMs: number };
  /** DPoP; absent: off (the `Bearer` scheme only). */
  dpop?: KitDpopOptions;
  /**
   * The API's HMAC secret (64 ASCII characters) instead of a key set, with `algorithms`
   * `['HS256']` and no `jwksUri`; absent but in the apps of the `hs-*` scenarios.
   */
  secret?: string;
  /**
   * One RSA public key (a PEM, SPKI) instead of a key set, with no `jwksUri`; absent but in the
   * apps of the `static-*` scenarios.
   */
  publicKey?: string;
  /** Certificate-bound tokens read from a proxy's header; absent: none. */
  mtls?: KitMtlsOptions;
} & (
    | { issuer: string; jwksUri: string }
    | { issuer: readonly KitIssuer[]; jwksUri?: never }
    | { issuer: string; jwksUri?: never }
  );

/** Every accepted issuer with its key set URL: the one of `issuer` and `jwksUri`, or the list. */
export function issuersOf(verifier: KitVerifierOptions): KitIssuer[] {
  return typeof verifier.issuer === 'string'
    ? [soleIssuerOf(verifier)]
    : verifier.issuer.map(({ issuer, jwksUri }) => ({ issuer, jwksUri }));
}

/**
 * The one issuer of verifier options and where its keys come from: its key set (`jwksUri`), or
 * the `secret` or `publicKey` given instead (the apps of the `hs-*` and `static-*` scenarios).
 */
export type KitKeySource =
  | { issuer: string; jwksUri: string; secret?: undefined; publicKey?: undefined }
  | { issuer: string; jwksUri?: undefined; secret: string; publicKey?: undefined }
  | { issuer: string; jwksUri?: undefined; secret?: undefined; publicKey: string };

/**
 * The issuer of verifier options with one issuer, and its key set URL, secret or public key: what
 * an adapter declaring `hs256` or `static-key` but not `issuers` reads its options with.
 *
 * @throws {TypeError} when `verifier.issuer` is a list.
 */
export function keySourceOf(verifier: KitVerifierOptions): KitKeySource {
  const { issuer, secret, publicKey } = verifier;
  if (typeof issuer === 'string' && secret !== undefined) return { issuer, secret };
  if (typeof issuer === 'string' && publicKey !== undefined) return { issuer, publicKey };
  return soleIssuerOf(verifier);
}

/**
 * The issuer and key set URL of verifier options with one issuer and its key set: what an adapter
 * that declares none of the `issuers`, `hs256` and `static-key` capabilities is always given.
 *
 * @throws {TypeError} when `verifier.issuer` is a list, or `secret` or `publicKey` replaces the key
 *   set.
 */
export function soleIssuerOf(verifier: KitVerifierOptions): KitIssuer {
  if (typeof verifier.issuer !== 'string') {
    throw new TypeError(
      'verifier.issuer is a list: only an adapter declaring the "issuers" capability is given one',
    );
  }
  if (verifier.jwksUri === undefined) {
    const [option, capability] =
      verifier.secret === undefined ? ['publicKey', 'static-key'] : ['secret', 'hs256'];
    throw new TypeError(
      `verifier.${option} replaces the key set: only an adapter declaring the "${capability}" capability is given one`,
    );
  }
  return { issuer: verifier.issuer, jwksUri: verifier.jwksUri };
}

/**
 * What every adapter's test app is started with. The same options give the same routes in every
 * framework, so one list of requests can be replayed against all of them and compared byte for
 * byte. An adapter must honour every option it is given: a scenario whose option is ignored
 * tests nothing.
 */
export interface TestAppOptions {
  /**
   * Settings of the protected routes' verifier (see {@link KitVerifierOptions}): pass each to the
   * adapter's verifier (a ropkit adapter passes the object as it is).
   */
  verifier: KitVerifierOptions;
  /** Password login (and the downstream API call) settings; without it those routes answer 404. */
  login?: {
    client: TokenClientOptions;
    /** Default connection for the password-realm grant. */
    realm?: string;
    /** Send the end user's IP as auth0-forwarded-for. Default `false`. */
    forwardUserIp?: boolean;
    /** The URL `GET /call-api` fetches with the session's access token. */
    downstreamUrl?: string;
    /**
     * The token store of the app's token manager, when the kit wants to see inside it or share it
     * between two instances. Default: the adapter's own (process memory).
     */
    store?: TokenStore;
    /**
     * The sign-in engine's clock, in milliseconds since the epoch: the time of an MFA step's
     * lifetime, of the push polling interval and of the ID token's `exp` and `iat` checks (ropkit:
     * `passwordLogin`'s `clock`, which its token client and manager share). The kit moves it
     * forward together with the mock server's, so a scenario lets an interval pass without
     * waiting for it, and the tokens the mock server issues afterwards are not "from the future".
     * Default: the engine's own (`Date.now`).
     */
    clock?: () => number;
  };
  /**
   * Sessions shared with another instance of the app: its session library keeps them in `store`
   * and signs its cookies with `secret`. Default: the app's own, in memory, with a fresh secret.
   */
  sessions?: { store: SharedSessionStore; secret: string };
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
 * - `GET /api/step-up`: the token's `acr` must be {@link KIT_STEP_UP}'s, and `GET /api/recent`:
 *   its `auth_time` at most 300 s old (the `step-up` capability, RFC 9470);
 * - `POST /login` (form or JSON `username`, `password`, optional `realm`): the login answer;
 * - `POST /login/otp` (`otp`): the same, finishing an MFA step;
 * - `POST /login/challenge` (`factor`), `/login/oob` (`binding_code`), `/login/push`,
 *   `/login/recovery` (`recovery_code`), `/login/enroll` (`factor`, `phone_number`): the other
 *   second-factor steps (the `mfa` capability), mounted at core's `LOGIN_ROUTE_PATHS`;
 * - `GET /call-api`: calls `downstreamUrl` with the session's token; relays status and body; a
 *   session that is not signed in gets the adapter's error answer (401 `login_required`);
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
