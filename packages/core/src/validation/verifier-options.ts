import type { JWTHeaderParameters } from 'jose';
import type { Dispatcher } from 'undici';
import { isValidRealm } from './challenge.js';
import {
  nonNegative,
  optionalBoolean,
  positive,
  positiveInteger,
  rejectUnknownOptions,
} from '../option-checks.js';
import { parseUrlOption } from '../http/url-policy.js';
import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  type HmacAlgorithm,
  type VerifierAlgorithm,
} from './algorithms.js';
import { HMAC_DIGESTS } from './jws-hmac.js';
import { bindVerificationKey } from './jws-signature.js';
import { defaultAlgorithmOf, importPublicKey, type PublicKeyOption } from './static-key-set.js';
import type { TokenLocation } from './bearer-token.js';
import { resolveDpopOptions, type DpopOptions, type ResolvedDpopOptions } from './dpop-options.js';
import type { RemoteKeySetLimits } from './remote-key-set.js';
import type { ScopeSource } from './scopes.js';
import type { TokenProfile } from './token-profile.js';
import type { AccessTokenPayload } from './verified-access-token.js';

/** A custom check of a verified token; return `false` to reject it with `invalid_token`. */
export type ClaimCheck = (
  payload: Readonly<AccessTokenPayload>,
  header: Readonly<JWTHeaderParameters>,
) => boolean;

/**
 * One of several accepted issuers: its identifier, and its key set URL when it is not to be
 * discovered.
 */
export interface IssuerEntry {
  /** Compared to `iss` as an exact string, as `issuer` is. */
  issuer: string;
  /** This issuer's key set URL. Default: discovered from the issuer. */
  jwksUri?: string | URL;
}

/** Options of {@link createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /**
   * The issuer, compared to `iss` as an exact string: the trailing slash counts. For Auth0,
   * `https://YOUR_DOMAIN/`. Several issuers (a custom domain and the tenant domain, during a
   * migration): a list of them, each a string or an {@link IssuerEntry}; each has its own
   * discovery and key set, a token's `iss` chooses one before any key is looked up, and a token
   * from another issuer is refused without a fetch.
   */
  issuer: string | readonly (string | IssuerEntry)[];
  /** The API identifier(s): the token's `aud` must contain at least one. */
  audience: string | readonly string[];
  /**
   * The key set URL, with one issuer (several issuers: each {@link IssuerEntry}'s `jwksUri`).
   * Default: discovered from the issuer (`/.well-known/openid-configuration`, then RFC 8414
   * `/.well-known/oauth-authorization-server`).
   */
  jwksUri?: string | URL;
  /** DPoP (RFC 9449): sender-constrained tokens. Default: off (`Bearer` only). */
  dpop?: DpopOptions | false;
  /**
   * Accepted signature algorithms. Default `['RS256']` (with `publicKey`: the key's own, such as
   * `ES256`; with `secret`: `['HS256']`). `none` is refused; HMAC only with `secret`.
   */
  algorithms?: readonly VerifierAlgorithm[];
  /**
   * The API's HMAC signing secret, for an Auth0 API set to sign with HS256: at least as many bytes
   * as the hash (32 for HS256). A string (UTF-8), bytes, or a secret `KeyObject`. With it, the
   * verifier accepts HMAC algorithms only, and takes no key set, discovery or `publicKey`: a public
   * key can never serve as an HMAC secret (RFC 8725 sections 3.1 and 3.5). Never in an error, a
   * log or `options`' inspection. Default: none.
   */
  secret?: string | Uint8Array | KeyObject;
  /**
   * One public key to verify with (a PEM, a public JWK or a public `KeyObject`), instead of a key
   * set: no discovery, no fetch. For air-gapped services and tests. Default: none.
   */
  publicKey?: PublicKeyOption;
  /**
   * Certificate-bound tokens (RFC 8705 section 3): a token with `cnf["x5t#S256"]` is accepted only
   * with the client certificate it names. By default the certificate of the request's TLS
   * connection; behind a proxy that terminates TLS, the header it puts the certificate in
   * (`certificateHeader`: RFC 9440's `Client-Cert` form `:<base64 DER>:`, or a URL-encoded PEM as
   * nginx's `$ssl_client_escaped_cert`), read only when configured. Unbound tokens pass as before.
   */
  mtls?: { certificateHeader?: string };
  /** Token shape. Default `'auth0'`. */
  tokenProfile?: TokenProfile;
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds. Default `5`. */
  clockTolerance?: number;
  /** Largest token accepted, in bytes. Default `8192`. */
  maxTokenSize?: number;
  /** Largest `exp - iat` accepted, in seconds. Default `2592000` (30 days, Auth0's maximum). */
  maxTokenLifetime?: number;
  /** Extra checks run on every verified token. Default: none. */
  claimCheck?: ClaimCheck;
  /**
   * Claims granted scopes are read from. Default `['scope']`; add `'permissions'` for Auth0's
   * RBAC `permissions` array.
   */
  scopeSources?: readonly ScopeSource[];
  /** The `realm` of `WWW-Authenticate` challenges. Default `'api'`. */
  realm?: string;
  /** Where tokens may be carried (RFC 6750 section 2). Default `['header']`. */
  tokenLocations?: readonly TokenLocation[];
  /** Allow plain `http:` issuer, discovery and key set URLs on non-loopback hosts. Default `false`. */
  allowInsecureHttp?: boolean;
  /** Key set fetching limits. */
  keySet?: Partial<RemoteKeySetLimits>;
  /** Verified-token cache: `false` disables it. Default `{ maxEntries: 1000 }`. */
  cache?: false | { maxEntries?: number };
  /** undici dispatcher for discovery and key set requests. Default: undici's global one. */
  dispatcher?: Dispatcher;
  /** Current time in milliseconds; for tests. Default `Date.now`. */
  clock?: () => number;
}

/** Seconds of clock skew allowed for `exp`, `nbf` and `iat` when not configured. */
export const DEFAULT_CLOCK_TOLERANCE = 5;

/** Key set limits used when not configured. */
export const DEFAULT_KEY_SET_LIMITS: Readonly<RemoteKeySetLimits> = Object.freeze({
  timeoutMs: 5_000,
  maxBytes: 256 * 1024,
  cooldownMs: 30_000,
  maxAgeMs: 10 * 60_000,
  staleMaxAgeMs: 60 * 60_000,
});

/** An accepted issuer, checked. */
export interface ResolvedIssuer {
  readonly issuer: string;
  readonly issuerUrl: URL;
  /** `undefined`: discovered. */
  readonly jwksUri: URL | undefined;
}

/** Options after validation, with every default filled in. */
export interface ResolvedVerifierOptions {
  /** The (first) issuer. */
  issuer: string;
  issuerUrl: URL;
  /** Every accepted issuer, the first one first. */
  issuers: readonly ResolvedIssuer[];
  audience: string[];
  /** The first issuer's key set URL. */
  jwksUri: URL | undefined;
  /** DPoP, `undefined` when off. */
  dpop: ResolvedDpopOptions | undefined;
  /**
   * The key given instead of a key set: `secret` (as a secret `KeyObject`, which `inspect` and
   * JSON never show) or `publicKey`; `undefined` with a key set.
   */
  staticKey: { readonly type: 'secret' | 'public'; readonly key: KeyObject } | undefined;
  /** The lower-case header a proxy puts the client certificate in, if one is trusted. */
  mtlsCertificateHeader: string | undefined;
  algorithms: VerifierAlgorithm[];
  tokenProfile: TokenProfile;
  clockTolerance: number;
  maxTokenSize: number;
  maxTokenLifetime: number;
  claimCheck: ClaimCheck | undefined;
  scopeSources: ScopeSource[];
  realm: string;
  tokenLocations: Set<TokenLocation>;
  allowInsecureHttp: boolean;
  keySet: RemoteKeySetLimits;
  cacheMaxEntries: number;
  dispatcher: Dispatcher | undefined;
  /** The clock in effect (milliseconds). */
  clock: () => number;
}

const KNOWN_OPTIONS = new Set([
  'issuer',
  'audience',
  'jwksUri',
  'dpop',
  'secret',
  'publicKey',
  'mtls',
  'algorithms',
  'tokenProfile',
  'clockTolerance',
  'maxTokenSize',
  'maxTokenLifetime',
  'claimCheck',
  'scopeSources',
  'realm',
  'tokenLocations',
  'allowInsecureHttp',
  'keySet',
  'cache',
  'dispatcher',
  'clock',
]);

/**
 * Validates verifier options and fills in defaults.
 *
 * @throws {TypeError} with a message naming the option and what it must be.
 */
export function resolveVerifierOptions(
  options: AccessTokenVerifierOptions,
): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Verifier options must be an object');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'verifier');
  const allowInsecureHttp = optionalBoolean(options.allowInsecureHttp, 'allowInsecureHttp', false);

  const issuers = resolveIssuers(options, allowInsecureHttp);
  const [first] = issuers;
  if (first === undefined) throw new TypeError('"issuer" must name at least one issuer');

  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (
    !Array.isArray(audience) ||
    audience.length === 0 ||
    !audience.every((value) => typeof value === 'string' && value !== '')
  ) {
    throw new TypeError('"audience" must be a non-empty string or a non-empty array of them');
  }

  const staticKey = resolveStaticKey(options, issuers);
  const algorithms = resolveAlgorithms(options.algorithms, staticKey);

  const tokenProfile = options.tokenProfile ?? 'auth0';
  if (tokenProfile !== 'auth0' && tokenProfile !== 'rfc9068') {
    throw new TypeError('"tokenProfile" must be "auth0" or "rfc9068"');
  }

  const scopeSources = options.scopeSources ?? ['scope'];
  if (
    !Array.isArray(scopeSources) ||
    scopeSources.length === 0 ||
    !scopeSources.every((source) => source === 'scope' || source === 'permissions')
  ) {
    throw new TypeError('"scopeSources" must be a non-empty array of "scope" and "permissions"');
  }

  const realm = options.realm ?? 'api';
  if (typeof realm !== 'string' || !isValidRealm(realm)) {
    throw new TypeError('"realm" must be a non-empty string of printable ASCII without " or \\');
  }

  const tokenLocations = options.tokenLocations ?? ['header'];
  if (
    !Array.isArray(tokenLocations) ||
    tokenLocations.length === 0 ||
    !tokenLocations.every((where) => where === 'header' || where === 'body' || where === 'query')
  ) {
    throw new TypeError('"tokenLocations" must be a non-empty array of "header", "body", "query"');
  }

  if (options.claimCheck !== undefined && typeof options.claimCheck !== 'function') {
    throw new TypeError('"claimCheck" must be a function (payload, header) => boolean');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('"clock" must be a function returning milliseconds since the epoch');
  }
  if (
    options.dispatcher !== undefined &&
    (typeof options.dispatcher !== 'object' ||
      options.dispatcher === null ||
      typeof options.dispatcher.dispatch !== 'function')
  ) {
    throw new TypeError('"dispatcher" must be an undici Dispatcher');
  }

  const clock = options.clock ?? Date.now;
  return {
    issuer: first.issuer,
    issuerUrl: first.issuerUrl,
    issuers,
    audience: [...audience],
    jwksUri: first.jwksUri,
    dpop: resolveDpopOptions(options.dpop, clock),
    staticKey,
    mtlsCertificateHeader: resolveMtls(options.mtls),
    algorithms,
    tokenProfile,
    clockTolerance: nonNegative(
      options.clockTolerance,
      'clockTolerance',
      DEFAULT_CLOCK_TOLERANCE,
      'seconds',
    ),
    maxTokenSize: positiveInteger(options.maxTokenSize, 'maxTokenSize', 8192, 'bytes'),
    maxTokenLifetime: positive(options.maxTokenLifetime, 'maxTokenLifetime', 2_592_000, 'seconds'),
    claimCheck: options.claimCheck,
    scopeSources: [...new Set(scopeSources)],
    realm,
    tokenLocations: new Set(tokenLocations),
    allowInsecureHttp,
    keySet: resolveKeySetLimits(options.keySet),
    cacheMaxEntries: resolveCacheSize(options.cache),
    dispatcher: options.dispatcher,
    clock,
  };
}

/** `secret` or `publicKey`, checked; neither goes with a key set. */
function resolveStaticKey(
  options: AccessTokenVerifierOptions,
  issuers: readonly ResolvedIssuer[],
): ResolvedVerifierOptions['staticKey'] {
  const { secret, publicKey } = options;
  if (secret === undefined && publicKey === undefined) return undefined;
  if (secret !== undefined && publicKey !== undefined) {
    throw new TypeError(
      '"secret" and "publicKey" exclude each other: give the one the API signs with',
    );
  }
  if (issuers.some((issuer) => issuer.jwksUri !== undefined)) {
    throw new TypeError(
      `"${secret === undefined ? 'publicKey' : 'secret'}" replaces the key set: drop "jwksUri"`,
    );
  }
  if (publicKey !== undefined)
    return Object.freeze({ type: 'public', key: importPublicKey(publicKey) });
  const secretMessage = '"secret" must be a string, bytes or a secret KeyObject';
  let key: KeyObject;
  if (typeof secret === 'string') key = createSecretKey(Buffer.from(secret, 'utf8'));
  else if (secret instanceof Uint8Array) key = createSecretKey(Buffer.from(secret));
  else if (typeof secret === 'object' && secret !== null && 'symmetricKeySize' in secret) {
    if (secret.type !== 'secret') throw new TypeError(secretMessage);
    key = secret;
  } else throw new TypeError(secretMessage);
  return Object.freeze({ type: 'secret', key });
}

/**
 * `algorithms`, checked against the key source: HMAC only with a secret (and long enough for
 * each, RFC 7518 section 3.2), asymmetric ones otherwise, each usable with a static public key.
 */
function resolveAlgorithms(
  value: readonly VerifierAlgorithm[] | undefined,
  staticKey: ResolvedVerifierOptions['staticKey'],
): VerifierAlgorithm[] {
  const fallback: VerifierAlgorithm[] =
    staticKey?.type === 'secret'
      ? ['HS256']
      : staticKey === undefined
        ? ['RS256']
        : [defaultAlgorithmOf(staticKey.key)];
  const algorithms = value ?? fallback;
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('"algorithms" must be a non-empty array');
  }
  if (staticKey?.type === 'secret') {
    for (const alg of algorithms) {
      if (!isHmacAlgorithm(alg)) {
        throw new TypeError(
          '"algorithms" with "secret" may only list HS256, HS384 and HS512: never an asymmetric algorithm beside a secret (RFC 8725 section 3.1)',
        );
      }
      const { minKeyBytes } = HMAC_DIGESTS[alg satisfies HmacAlgorithm];
      if ((staticKey.key.symmetricKeySize ?? 0) < minKeyBytes) {
        throw new TypeError(
          `"secret" must be at least ${minKeyBytes} bytes for ${alg} (RFC 7518 section 3.2)`,
        );
      }
    }
    return [...new Set(algorithms)];
  }
  for (const alg of algorithms) {
    if (!isAsymmetricAlgorithm(alg)) {
      throw new TypeError(
        `"algorithms" may only list asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA, Ed25519); "none" is refused, and HMAC (HS*) needs "secret" and no key set`,
      );
    }
    if (staticKey !== undefined && bindVerificationKey(staticKey.key, alg) === undefined) {
      throw new TypeError(`"algorithms": ${alg} cannot be verified with the "publicKey" given`);
    }
  }
  return [...new Set(algorithms)];
}

function resolveMtls(value: AccessTokenVerifierOptions['mtls']): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('"mtls" must be an object { certificateHeader? }');
  }
  for (const name of Object.keys(value)) {
    if (name !== 'certificateHeader') throw new TypeError(`Unknown option "mtls.${name}"`);
  }
  const header = value.certificateHeader;
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !/^[A-Za-z0-9-]+$/.test(header)) {
    throw new TypeError('"mtls.certificateHeader" must be a header name, such as "client-cert"');
  }
  return header.toLowerCase();
}

const ISSUER_EXAMPLE = 'e.g. "https://YOUR_DOMAIN/"';

/** `issuer` (one, or a list) and `jwksUri`, checked. */
function resolveIssuers(
  options: AccessTokenVerifierOptions,
  allowInsecureHttp: boolean,
): ResolvedIssuer[] {
  const { issuer } = options;
  if (typeof issuer === 'string') {
    if (issuer === '')
      throw new TypeError(`"issuer" must be a non-empty string, ${ISSUER_EXAMPLE}`);
    const jwksUri =
      options.jwksUri === undefined
        ? undefined
        : parseUrlOption(options.jwksUri, 'jwksUri', allowInsecureHttp);
    return [
      Object.freeze({
        issuer,
        issuerUrl: parseUrlOption(issuer, 'issuer', allowInsecureHttp),
        jwksUri,
      }),
    ];
  }
  if (!Array.isArray(issuer) || issuer.length === 0) {
    throw new TypeError(
      `"issuer" must be a non-empty string (${ISSUER_EXAMPLE.slice(5)}) or a non-empty array of issuers`,
    );
  }
  if (options.jwksUri !== undefined) {
    throw new TypeError(
      '"jwksUri" goes with one issuer; with several, give each its own: { issuer, jwksUri }',
    );
  }
  const seen = new Set<string>();
  return issuer.map((entry: unknown, index) => {
    const name = `issuer[${index}]`;
    const value: unknown =
      typeof entry === 'string' ? entry : isObject(entry) ? entry['issuer'] : undefined;
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(
        `"${name}" must be a non-empty string or { issuer, jwksUri? }, ${ISSUER_EXAMPLE}`,
      );
    }
    if (isObject(entry)) {
      for (const key of Object.keys(entry)) {
        if (key !== 'issuer' && key !== 'jwksUri')
          throw new TypeError(`Unknown option "${name}.${key}"`);
      }
    }
    if (seen.has(value)) throw new TypeError(`"${name}" repeats an issuer`);
    seen.add(value);
    const jwks: unknown = isObject(entry) ? entry['jwksUri'] : undefined;
    return Object.freeze({
      issuer: value,
      issuerUrl: parseUrlOption(value, name, allowInsecureHttp),
      jwksUri:
        jwks === undefined ? undefined : parseUrlOption(jwks, `${name}.jwksUri`, allowInsecureHttp),
    });
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Validates key set limits (the `keySet` option of the verifier, and of `idToken`) and fills in
 * {@link DEFAULT_KEY_SET_LIMITS}. `option` is the option's name in messages.
 *
 * @throws {TypeError} naming the option, never its value.
 */
export function resolveKeySetLimits(
  limits: Partial<RemoteKeySetLimits> | undefined,
  option = 'keySet',
): RemoteKeySetLimits {
  if (limits === undefined) return { ...DEFAULT_KEY_SET_LIMITS };
  if (typeof limits !== 'object' || limits === null) {
    throw new TypeError(`"${option}" must be an object`);
  }
  for (const name of Object.keys(limits)) {
    if (!(name in DEFAULT_KEY_SET_LIMITS))
      throw new TypeError(`Unknown option "${option}.${name}"`);
  }
  const d = DEFAULT_KEY_SET_LIMITS;
  const ms = 'milliseconds';
  const resolved: RemoteKeySetLimits = {
    timeoutMs: positive(limits.timeoutMs, `${option}.timeoutMs`, d.timeoutMs, ms),
    maxBytes: positiveInteger(limits.maxBytes, `${option}.maxBytes`, d.maxBytes, 'bytes'),
    cooldownMs: nonNegative(limits.cooldownMs, `${option}.cooldownMs`, d.cooldownMs, ms),
    maxAgeMs: positive(limits.maxAgeMs, `${option}.maxAgeMs`, d.maxAgeMs, ms),
    staleMaxAgeMs: positive(limits.staleMaxAgeMs, `${option}.staleMaxAgeMs`, d.staleMaxAgeMs, ms),
  };
  if (resolved.staleMaxAgeMs < resolved.maxAgeMs) {
    throw new TypeError(`"${option}.staleMaxAgeMs" must not be smaller than "${option}.maxAgeMs"`);
  }
  return resolved;
}

function resolveCacheSize(cache: AccessTokenVerifierOptions['cache']): number {
  if (cache === false) return 0;
  if (cache === undefined) return 1000;
  if (typeof cache !== 'object' || cache === null) {
    throw new TypeError('"cache" must be false or { maxEntries: number }');
  }
  return positiveInteger(cache.maxEntries, 'cache.maxEntries', 1000, 'entries');
}
