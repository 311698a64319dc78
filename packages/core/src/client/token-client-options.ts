import type { Dispatcher } from 'undici';
import { DpopHandle } from '../dpop/dpop-handle.js';
import { DpopProofSigner, type DpopKeyOptions } from '../dpop/dpop-proof-signer.js';
import { parseUrlOption } from '../http/url-policy.js';
import { optionalBoolean, positive, rejectUnknownOptions } from '../option-checks.js';
import { isScopeToken } from '../validation/scopes.js';
import type { ClientAuthenticationMethod } from './client-authentication.js';
import {
  resolveIdTokenOptions,
  type IdTokenOptions,
  type ResolvedIdTokenOptions,
} from './id-token-options.js';

/** Options of {@link TokenClient}. */
export interface TokenClientOptions {
  /**
   * The issuer, `https://YOUR_DOMAIN/`: endpoints are discovered from its
   * `/.well-known/openid-configuration`. Give this or `tokenEndpoint`.
   */
  issuer?: string;
  /** The token endpoint, `https://YOUR_DOMAIN/oauth/token`; skips discovery. */
  tokenEndpoint?: string | URL;
  /** The revocation endpoint (RFC 7009). Default: discovered, or `oauth/revoke` beside the token endpoint. */
  revocationEndpoint?: string | URL;
  /** The MFA challenge endpoint. Default: discovered, or `mfa/challenge` beside the token endpoint. */
  mfaChallengeEndpoint?: string | URL;
  /**
   * The UserInfo endpoint (OpenID Connect Core 1.0 section 5.3). Default: discovered
   * (`userinfo_endpoint`), or `userinfo` beside the token endpoint's directory
   * (`https://YOUR_DOMAIN/userinfo`).
   */
  userinfoEndpoint?: string | URL;
  /** Your application's Client ID. */
  clientId: string;
  /** Your application's Client Secret; omit for a public client. */
  clientSecret?: string;
  /**
   * How the client authenticates. Default: `client_secret_post` with a secret (Auth0's default
   * for regular web apps), `none` without.
   */
  clientAuthentication?: ClientAuthenticationMethod;
  /** Default `audience` of password grants: your API identifier. Default: none. */
  audience?: string;
  /** Default `scope` of password grants, e.g. `'openid offline_access read:sample'`. Default: none. */
  scope?: string | readonly string[];
  /**
   * Validation of the ID tokens in token responses (OpenID Connect Core 1.0 section 3.1.3.7),
   * before any token set is returned: see {@link IdTokenOptions}. Default: on, `RS256`, the key
   * set discovered from `issuer` (which is then needed to accept an ID token). `false`: ID tokens
   * are not validated and are dropped from token sets, never returned unverified.
   */
  idToken?: IdTokenOptions | false;
  /** Time allowed for one request, in milliseconds. Default `10000`. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. Default `65536`. */
  maxResponseBytes?: number;
  /** Lifetime assumed when `expires_in` is missing, zero, negative or not a number, in seconds. Default `60`. */
  defaultExpiresIn?: number;
  /** Upper bound on `expires_in`, in seconds. Default `2592000` (30 days). */
  maxExpiresIn?: number;
  /** Allow `http:` endpoints on non-loopback hosts. Default `false`. */
  allowInsecureHttp?: boolean;
  /** undici dispatcher for every request (proxies, custom TLS). Default: undici's global one. */
  dispatcher?: Dispatcher;
  /**
   * DPoP (RFC 9449): bind the tokens to a key this client holds, so that a stolen access or
   * refresh token is useless without it. Default `false`: Bearer tokens, no proofs, and an answer
   * with `token_type` `DPoP` is refused (this client could not prove possession to use it).
   *
   * `true` generates an ES256 key pair in memory (one per client, for every session); `{
   * privateKey, alg }` signs with your key (a `KeyObject` or a private JWK; `alg` one of `ES256`,
   * `ES384`, `ES512`, `RS256`, `PS256`, `EdDSA`, by default the key's own, see
   * {@link DpopKeyOptions}), `{ alg }` generates a key for that algorithm. Every token request
   * (the grants, refresh, revocation) then carries a `DPoP` proof; a `DPoP` answer is kept as
   * such (`tokenType: 'DPoP'`) and sent with a proof by `createAuthorizedFetch`,
   * `bearerTokenInterceptor` and `userinfo`; a `Bearer` answer (a server that does not bind) is
   * accepted as before. Server nonces (`DPoP-Nonce`, `use_dpop_nonce`) are followed, with one
   * retry at most.
   *
   * A generated key lives as long as the process: replicas sharing a token store (such as
   * `@ropkit/redis`) must all be given the same `privateKey`, since access tokens are bound to the
   * key, and so is the refresh token of a public client (RFC 9449 section 5): another key cannot
   * use or refresh them.
   */
  dpop?: boolean | DpopKeyOptions;
  /** Current time in milliseconds; for tests (and DPoP proofs' `iat`). Default `Date.now`. */
  clock?: () => number;
  /**
   * Waits `ms` milliseconds between the polls of `waitForMfaPush`, rejecting when `signal`
   * aborts; for tests (with `clock`). Default: a timer.
   */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** Options after validation. */
export interface ResolvedTokenClientOptions {
  issuer: string | undefined;
  tokenEndpoint: URL | undefined;
  revocationEndpoint: URL | undefined;
  mfaChallengeEndpoint: URL | undefined;
  userinfoEndpoint: URL | undefined;
  clientId: string;
  clientSecret: string | undefined;
  clientAuthentication: ClientAuthenticationMethod;
  audience: string | undefined;
  scope: string | undefined;
  /** `false`: ID tokens are dropped unverified. */
  idToken: ResolvedIdTokenOptions | false;
  timeoutMs: number;
  maxResponseBytes: number;
  defaultExpiresIn: number;
  maxExpiresIn: number;
  allowInsecureHttp: boolean;
  dispatcher: Dispatcher | undefined;
  /** The DPoP key and nonces; `undefined` when DPoP is off. */
  dpop: DpopHandle | undefined;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

const KNOWN = new Set([
  'issuer',
  'tokenEndpoint',
  'revocationEndpoint',
  'mfaChallengeEndpoint',
  'userinfoEndpoint',
  'clientId',
  'clientSecret',
  'clientAuthentication',
  'audience',
  'scope',
  'idToken',
  'timeoutMs',
  'maxResponseBytes',
  'defaultExpiresIn',
  'maxExpiresIn',
  'allowInsecureHttp',
  'dispatcher',
  'dpop',
  'clock',
  'sleep',
]);

const DPOP_KNOWN = new Set(['privateKey', 'alg']);

/** Joins scopes into the space-delimited form, checking each (RFC 6749 section 3.3). */
export function scopeParameter(
  scope: string | readonly string[] | undefined,
  what: string,
): string | undefined {
  if (scope === undefined) return undefined;
  const list = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : scope;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && isScopeToken(s))) {
    throw new TypeError(`"${what}" must be scope-tokens separated by spaces, or an array of them`);
  }
  return list.length === 0 ? undefined : list.join(' ');
}

/**
 * Validates token client options. Messages name the option, never its value: a secret passed in
 * the wrong place must not end up in a log.
 *
 * @throws {TypeError}
 */
export function resolveTokenClientOptions(options: TokenClientOptions): ResolvedTokenClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Token client options must be an object');
  }
  rejectUnknownOptions(options, KNOWN, 'token client');
  const allowInsecureHttp = optionalBoolean(options.allowInsecureHttp, 'allowInsecureHttp', false);

  if (options.issuer === undefined && options.tokenEndpoint === undefined) {
    throw new TypeError('Give "issuer" (for discovery) or "tokenEndpoint"');
  }
  let issuer: string | undefined;
  if (options.issuer !== undefined) {
    if (typeof options.issuer !== 'string') throw new TypeError('"issuer" must be a URL string');
    parseUrlOption(options.issuer, 'issuer', allowInsecureHttp);
    issuer = options.issuer;
  }
  const url = (value: string | URL | undefined, name: string) =>
    value === undefined ? undefined : parseUrlOption(value, name, allowInsecureHttp);

  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new TypeError('"clientId" must be a non-empty string');
  }
  const clientSecret = options.clientSecret;
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === '')) {
    throw new TypeError('"clientSecret" must be a non-empty string when given');
  }
  const clientAuthentication =
    options.clientAuthentication ?? (clientSecret === undefined ? 'none' : 'client_secret_post');
  if (!['client_secret_post', 'client_secret_basic', 'none'].includes(clientAuthentication)) {
    throw new TypeError(
      '"clientAuthentication" must be "client_secret_post", "client_secret_basic" or "none"',
    );
  }
  if (clientAuthentication !== 'none' && clientSecret === undefined) {
    throw new TypeError(`"clientAuthentication" "${clientAuthentication}" needs "clientSecret"`);
  }
  if (clientAuthentication === 'none' && clientSecret !== undefined) {
    throw new TypeError(
      '"clientAuthentication" "none" is for public clients: remove "clientSecret"',
    );
  }
  if (
    options.audience !== undefined &&
    (typeof options.audience !== 'string' || options.audience === '')
  ) {
    throw new TypeError('"audience" must be a non-empty string');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('"clock" must be a function returning milliseconds since the epoch');
  }
  if (options.sleep !== undefined && typeof options.sleep !== 'function') {
    throw new TypeError('"sleep" must be a function (milliseconds, signal) returning a promise');
  }
  if (
    options.dispatcher !== undefined &&
    (typeof options.dispatcher !== 'object' || typeof options.dispatcher.dispatch !== 'function')
  ) {
    throw new TypeError('"dispatcher" must be an undici Dispatcher');
  }
  const defaultExpiresIn = positive(options.defaultExpiresIn, 'defaultExpiresIn', 60, 'seconds');
  const maxExpiresIn = positive(options.maxExpiresIn, 'maxExpiresIn', 2_592_000, 'seconds');
  if (defaultExpiresIn > maxExpiresIn) {
    throw new TypeError('"defaultExpiresIn" must not be larger than "maxExpiresIn"');
  }
  const scope = scopeParameter(options.scope, 'scope');
  const clock = options.clock ?? Date.now;
  return {
    issuer,
    tokenEndpoint: url(options.tokenEndpoint, 'tokenEndpoint'),
    revocationEndpoint: url(options.revocationEndpoint, 'revocationEndpoint'),
    mfaChallengeEndpoint: url(options.mfaChallengeEndpoint, 'mfaChallengeEndpoint'),
    userinfoEndpoint: url(options.userinfoEndpoint, 'userinfoEndpoint'),
    clientId: options.clientId,
    clientSecret,
    clientAuthentication,
    audience: options.audience,
    scope,
    idToken: resolveIdTokenOptions(options.idToken, {
      issuer,
      clientSecret,
      scope,
      allowInsecureHttp,
    }),
    timeoutMs: positive(options.timeoutMs, 'timeoutMs', 10_000, 'milliseconds'),
    maxResponseBytes: positive(options.maxResponseBytes, 'maxResponseBytes', 65_536, 'bytes'),
    defaultExpiresIn,
    maxExpiresIn,
    allowInsecureHttp,
    dispatcher: options.dispatcher,
    dpop: resolveDpop(options.dpop, clock),
    clock,
    sleep: options.sleep ?? abortableSleep,
  };
}

/**
 * The `dpop` option: `undefined` (off) for `false` or nothing, else the client's DPoP handle.
 *
 * @throws {TypeError} naming `dpop` (never the key) when it is neither a boolean nor a valid
 *   `{ privateKey?, alg? }`.
 */
function resolveDpop(value: unknown, clock: () => number): DpopHandle | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return new DpopHandle(new DpopProofSigner({}, clock));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('"dpop" must be true, false or { privateKey?, alg? }');
  }
  rejectUnknownOptions(value, DPOP_KNOWN, 'dpop');
  return new DpopHandle(new DpopProofSigner(value, clock));
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  const aborted = () => {
    const reason: unknown = signal?.reason;
    return reason instanceof Error ? reason : new Error('The wait was aborted');
  };
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
