import type { JWTHeaderParameters } from 'jose';
import {
  BearerError,
  InvalidTokenError,
  KeySetUnavailableError,
  challengeWith,
} from '../errors.js';
import {
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
} from './algorithms.js';
import { verifyHmac } from './jws-hmac.js';
import { StaticKeySet, type VerificationKeys } from './static-key-set.js';
import { checkCertificateBinding } from './certificate-binding.js';
import {
  bearerTokenStart,
  extractAccessToken,
  soleAuthorizationHeader,
  type BearerRequest,
} from './bearer-token.js';
import {
  JwsFormatError,
  decodeCompactJws,
  decodeJsonSegment,
  type CompactJws,
} from './compact-jws.js';
import { dpopAuthentication } from './dpop-authentication.js';
import {
  ClaimError,
  checkRegisteredClaims,
  registeredClaimRules,
  type ClaimFailure,
  type RegisteredClaimRules,
} from './jwt-claims.js';
import {
  JwsSignatureError,
  verifyWithKeySet,
  type VerifiedJws,
} from './jws-key-set-verification.js';
import { issuerKeySet } from './issuer-key-set.js';
import {
  KeySetUnavailableCause,
  UnknownKeyError,
  UnusableKeyError,
  type KeySetEntry,
} from './remote-key-set.js';
import { rememberSchemes } from './token-challenge.js';
import { grantedScopes } from './scopes.js';
import { normalizeTyp, TOKEN_PROFILES } from './token-profile.js';
import type { AccessTokenPayload, VerifiedAccessToken } from './verified-access-token.js';
import { VerifiedTokenCache, type CacheEntry } from './verified-token-cache.js';
import {
  resolveVerifierOptions,
  type AccessTokenVerifierOptions,
  type ResolvedVerifierOptions,
} from './verifier-options.js';

/** Verifies bearer access tokens; create one per API at start-up and share it. */
export interface AccessTokenVerifier {
  /** The options in effect, defaults filled in. */
  readonly options: Readonly<ResolvedVerifierOptions>;
  /**
   * Verifies a token string: the token alone. A DPoP-bound token needs its proof checked too:
   * {@link authenticate} does that.
   *
   * @throws {InvalidTokenError} any failure of the token (401).
   * @throws {KeySetUnavailableError} no key set to decide with (503).
   */
  verify(token: string): Promise<VerifiedAccessToken>;
  /**
   * Extracts the token from a request (RFC 6750 section 2; with `dpop`, RFC 9449 section 7),
   * verifies it, and with DPoP on checks its proof and binding.
   *
   * @throws {BearerError} `missing_credentials`, `invalid_request`, `invalid_dpop_proof`,
   *   `use_dpop_nonce`, `temporarily_unavailable`, or as {@link verify}.
   */
  authenticate(request: BearerRequest): Promise<VerifiedAccessToken>;
  /**
   * The verified token of a request when it can be answered synchronously from the verified-token
   * cache: one bearer token in the Authorization header (and in no other enabled location), seen
   * and verified before, still within `exp`/`nbf`, its key still in a current key set; with DPoP
   * on, an unbound token, the `Bearer` scheme allowed and no `DPoP` header. Otherwise
   * `undefined`, and the request needs {@link authenticate} (which also gives every error). Never
   * throws, allocates no promise: for adapters whose framework can go on synchronously.
   */
  authenticateCached(request: BearerRequest): VerifiedAccessToken | undefined;
}

/**
 * Creates a verifier for the access tokens an API receives.
 *
 * @example
 * ```ts
 * const verifier = createAccessTokenVerifier({
 *   issuer: 'https://YOUR_DOMAIN/',
 *   audience: 'YOUR_API_IDENTIFIER',
 * });
 * const { payload, scopes } = await verifier.verify(token);
 * ```
 * @throws {TypeError} when an option is invalid.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const {
    audience,
    algorithms,
    clockTolerance,
    maxTokenSize,
    maxTokenLifetime,
    realm,
    clock,
    claimCheck,
    scopeSources,
  } = resolved;
  const profile = TOKEN_PROFILES[resolved.tokenProfile];
  const allowedAlgorithms = new Set<string>(algorithms);
  const cache =
    resolved.cacheMaxEntries > 0
      ? new VerifiedTokenCache<VerifiedAccessToken>(resolved.cacheMaxEntries)
      : undefined;
  /** Each accepted issuer's own key set and claim rules: nothing is shared across issuers. */
  const issuers = new Map<string, IssuerContext>();
  const { staticKey } = resolved;
  // A static public key (or a secret: its key set never answers) is shared by every issuer.
  const staticKeys =
    staticKey === undefined
      ? undefined
      : { keySet: new StaticKeySet(staticKey.key), deadline: () => performance.now() };
  /** With `secret`: the HMAC key, the only one (RFC 8725 section 3.1: no key set beside it). */
  const secretKey = staticKey?.type === 'secret' ? staticKey.key : undefined;
  /** What an HMAC-verified token is cached with: the configured secret is never withdrawn. */
  const secretEntry: KeySetEntry | undefined =
    secretKey === undefined
      ? undefined
      : Object.freeze({
          kid: undefined,
          kty: 'oct',
          crv: undefined,
          alg: undefined,
          key: secretKey,
          withdrawn: false,
          verificationKey: () => undefined,
        });
  for (const { issuer, jwksUri } of resolved.issuers) {
    issuers.set(issuer, {
      issuer,
      ...(staticKeys ??
        issuerKeySet({
          issuer,
          jwksUri,
          limits: resolved.keySet,
          dispatcher: resolved.dispatcher,
          allowInsecureHttp: resolved.allowInsecureHttp,
          clock,
        })),
      claimRules: registeredClaimRules({
        issuer,
        audience,
        clockTolerance,
        requiredClaims: profile.requiredClaims,
      }),
    });
  }
  /** The issuer when there is one: no `iss` is read before the signature. */
  const soleIssuer = issuers.size === 1 ? issuers.values().next().value : undefined;
  const dpop =
    resolved.dpop === undefined ? undefined : dpopAuthentication(resolved.dpop, realm, clock);
  /** Bearer requests may be answered from the cache before the DPoP rules run. */
  const bearerAllowed = resolved.dpop === undefined || resolved.dpop.mode === 'allowed';

  /** The key set a verified token's key belongs to. */
  function keySetOf(result: VerifiedAccessToken): VerificationKeys | undefined {
    return (soleIssuer ?? issuers.get(result.issuer))?.keySet;
  }

  /** The issuer a verified token came from. */
  function contextOf(result: VerifiedAccessToken): IssuerContext | undefined {
    return soleIssuer ?? issuers.get(result.issuer);
  }

  const invalid = (description: string, cause?: unknown): InvalidTokenError =>
    new InvalidTokenError(description, { realm, cause });

  function verify(token: string): Promise<VerifiedAccessToken> {
    try {
      if (typeof token !== 'string') throw invalid('Token is malformed');
      // Characters outside ASCII count once here and more in bytes; every valid token is ASCII.
      if (token.length > maxTokenSize) throw invalid('Token is larger than allowed');
      const nowMs = clock();
      if (cache !== undefined) {
        const hit = cache.get(token, Math.floor(nowMs / 1000), clockTolerance);
        // Past the key set's max age a hit waits, as any verification, for a fresh set.
        const context = hit === undefined ? undefined : contextOf(hit.result);
        if (hit !== undefined && context !== undefined) {
          return context.keySet.isCurrent(nowMs)
            ? hit.settled
            : verifyOnceCurrent(context, token, nowMs);
        }
      }
      return verifyUncached(token, nowMs);
    } catch (error) {
      return Promise.reject(translateError(error));
    }
  }

  /** The key set is past its max age: wait for it, then decide as if the request came now. */
  async function verifyOnceCurrent(
    context: IssuerContext,
    token: string,
    nowMs: number,
  ): Promise<VerifiedAccessToken> {
    try {
      await context.keySet.ensureCurrent(context.deadline());
    } catch (error) {
      throw translateError(error);
    }
    const hit = cache?.get(token, Math.floor(nowMs / 1000), clockTolerance);
    return hit === undefined ? verifyUncached(token, nowMs) : hit.result;
  }

  /** Full verification; synchronous up to the returned promise when the key is at hand. */
  function verifyUncached(token: string, nowMs: number): Promise<VerifiedAccessToken> {
    let jws: CompactJws;
    try {
      jws = decodeCompactJws(token, allowedAlgorithms);
    } catch (error) {
      return Promise.reject(translateError(error));
    }
    const { header } = jws;
    try {
      const alg = checkHeader(header);
      const context = soleIssuer ?? issuerOf(jws);
      if (secretKey !== undefined && secretEntry !== undefined) {
        if (!isHmacAlgorithm(alg)) throw invalid('Token algorithm is not allowed');
        const payload = verifyHmac(jws, alg, secretKey);
        return Promise.resolve(
          finish(token, { header, payload, key: secretEntry }, nowMs, context),
        );
      }
      if (!isAsymmetricAlgorithm(alg)) throw invalid('Token algorithm is not allowed');
      const kid = header['kid'];
      const outcome = verifyWithKeySet(
        jws,
        typeof kid === 'string' ? kid : undefined,
        alg,
        context.keySet,
        nowMs,
        context.deadline,
      );
      if (outcome instanceof Promise) {
        return outcome.then(
          (verified) => finish(token, verified, nowMs, context),
          (error: unknown) => Promise.reject(translateError(error)),
        );
      }
      return Promise.resolve(finish(token, outcome, nowMs, context));
    } catch (error) {
      return Promise.reject(translateError(error));
    }
  }

  /**
   * With several issuers, the one the token's `iss` names, read before its signature is checked
   * (the signature then decides, with that issuer's keys only). An issuer not configured is
   * refused here, without a fetch.
   */
  function issuerOf(jws: CompactJws): IssuerContext {
    const iss = decodeJsonSegment(jws.payload)?.['iss'];
    const context = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (context === undefined) throw invalid("Token claim 'iss' is not accepted");
    return context;
  }

  /** Claims, profile rules, claim check; caches the result. */
  function finish(
    token: string,
    verified: VerifiedJws,
    nowMs: number,
    context: IssuerContext,
  ): VerifiedAccessToken {
    const { header, payload, key } = verified;
    try {
      checkRegisteredClaims(payload, context.claimRules, nowMs);
    } catch (error) {
      throw translateError(error);
    }
    const exp = checkClaims(payload, nowMs / 1000);
    if (!isAccessTokenPayload(payload) || !isHeader(header)) throw invalid('Token is malformed');
    if (claimCheck !== undefined && !runClaimCheck(payload, header)) {
      throw invalid('Token rejected by a claim check');
    }
    const result: VerifiedAccessToken = Object.freeze({
      token,
      header: Object.freeze(header),
      payload: Object.freeze(payload),
      scopes: scopesOf(payload),
      realm,
      issuer: context.issuer,
    });
    if (dpop !== undefined) {
      // The scheme a later requirement's challenge carries its error on: a bound token's is DPoP.
      rememberSchemes(result, dpop.schemes(isBound(payload) ? 'DPoP' : 'Bearer'));
    }
    if (cache !== undefined) {
      const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined;
      cache.set(token, { result, exp, nbf, key });
    }
    return result;
  }

  /**
   * The granted scopes, frozen. Tokens of one client carry the same `scope` string over and over:
   * its parse is kept (bounded), and every result with that string shares one frozen array.
   */
  const parsedScopes = new Map<string, readonly string[]>();
  function scopesOf(payload: Readonly<Record<string, unknown>>): readonly string[] {
    const scope = payload['scope'];
    if (scopeSources.length !== 1 || scopeSources[0] !== 'scope' || typeof scope !== 'string') {
      return Object.freeze(grantedScopes(payload, scopeSources));
    }
    let scopes = parsedScopes.get(scope);
    if (scopes === undefined) {
      scopes = Object.freeze(grantedScopes(payload, scopeSources));
      if (parsedScopes.size >= 256) parsedScopes.clear();
      parsedScopes.set(scope, scopes);
    }
    return scopes;
  }

  function runClaimCheck(payload: AccessTokenPayload, header: JWTHeaderParameters): boolean {
    try {
      return claimCheck?.(payload, header) === true;
    } catch (cause) {
      throw invalid('Token rejected by a claim check', cause);
    }
  }

  /** Header rules checked before any key is looked up, so a bad header costs no fetch. */
  function checkHeader(
    header: Readonly<Record<string, unknown>>,
  ): AsymmetricAlgorithm | HmacAlgorithm {
    const { alg, typ, kid } = header;
    // RFC 8725 section 3.1: only the configured algorithms; never "none", and HMAC only with a
    // configured secret (then nothing asymmetric).
    if (!(isAsymmetricAlgorithm(alg) || isHmacAlgorithm(alg)) || !allowedAlgorithms.has(alg)) {
      throw invalid('Token algorithm is not allowed');
    }
    // RFC 9068 section 4 / RFC 8725 section 3.11: explicit typing keeps other JWTs (ID tokens,
    // logout tokens) from being accepted as access tokens.
    if (typeof typ !== 'string' || normalizeTyp(typ) !== profile.typ) {
      throw invalid('Token type is not allowed');
    }
    if (kid !== undefined && typeof kid !== 'string') throw invalid('Token is malformed');
    return alg;
  }

  /**
   * Gaps jose leaves open, closed here: `exp` required and finite (JSON's 1e400 parses to
   * Infinity), `iat` not in the future, a bounded lifetime, string-typed claims.
   * Returns `exp`.
   */
  function checkClaims(payload: Readonly<Record<string, unknown>>, nowSeconds: number): number {
    const { exp, iat, nbf } = payload;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw invalid("Token claim 'exp' is malformed");
    }
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw invalid("Token claim 'iat' is malformed");
    }
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) {
      throw invalid("Token claim 'nbf' is malformed");
    }
    if (iat > nowSeconds + clockTolerance) throw invalid('Token was issued in the future');
    if (exp - iat > maxTokenLifetime) throw invalid('Token lifetime is longer than allowed');
    for (const claim of profile.stringClaims) {
      const value = payload[claim];
      if (value !== undefined && typeof value !== 'string') {
        throw invalid(`Token claim '${claim}' is malformed`);
      }
    }
    return exp;
  }

  function translateError(error: unknown): BearerError {
    if (error instanceof InvalidTokenError || error instanceof KeySetUnavailableError) return error;
    if (error instanceof KeySetUnavailableCause) {
      return new KeySetUnavailableError('The signing keys are unavailable', {
        realm,
        cause: error,
      });
    }
    if (error instanceof UnusableKeyError) {
      return new KeySetUnavailableError('The signing key is unusable', { realm, cause: error });
    }
    if (error instanceof UnknownKeyError) return invalid('Token signing key is unknown', error);
    if (error instanceof JwsSignatureError) return invalid('Token signature is invalid', error);
    if (error instanceof JwsFormatError && error.reason === 'algorithm') {
      return invalid('Token algorithm is not allowed', error);
    }
    if (error instanceof ClaimError) return invalid(describeClaimFailure(error), error);
    return invalid('Token is malformed', error);
  }

  /**
   * The only place a token can be (the `Authorization` header alone): only then can a request be
   * answered from the cache before the extraction rules run.
   */
  const headerOnly = resolved.tokenLocations.size === 1 && resolved.tokenLocations.has('header');

  /**
   * The cache entry for a request's token, when the request can be answered from it now: one
   * bearer token in the one Authorization header, cached, within `exp`/`nbf`, its key in a current
   * key set. Allocates nothing (see `VerifiedTokenCache.getAt`).
   */
  function cachedEntry(request: BearerRequest): CacheEntry<VerifiedAccessToken> | undefined {
    if (cache === undefined || !headerOnly || !bearerAllowed) return undefined;
    const value = soleAuthorizationHeader(request);
    if (value === undefined) return undefined;
    const start = bearerTokenStart(value);
    if (start === undefined || value.length - start > maxTokenSize) return undefined;
    const nowMs = clock();
    const hit = cache.getAt(value, start, Math.floor(nowMs / 1000), clockTolerance);
    if (hit === undefined || keySetOf(hit.result)?.isCurrent(nowMs) !== true) return undefined;
    // Only an unbound token (no `cnf`: neither DPoP nor certificate binding, RFC 9449 section
    // 7, RFC 8705 section 3), and with DPoP on only a plain Bearer request: the rest need rules.
    if (hit.result.payload.cnf !== undefined) return undefined;
    if (dpop !== undefined && request.headers['dpop'] !== undefined) return undefined;
    return hit;
  }

  const extractOptions = { realm, locations: resolved.tokenLocations, dpop: dpop !== undefined };

  return {
    options: Object.freeze(resolved),
    verify,
    authenticate(request: BearerRequest): Promise<VerifiedAccessToken> {
      // A cache hit: the same settled promise every time, no extraction rules re-run (a cached
      // token passed them all).
      const hit = cachedEntry(request);
      if (hit !== undefined) return hit.settled;
      let extracted;
      try {
        extracted = extractAccessToken(request, extractOptions);
      } catch (error) {
        if (dpop !== undefined && error instanceof BearerError) {
          challengeWith(error, dpop.schemes(undefined));
        }
        return Promise.reject(error);
      }
      const verified =
        dpop === undefined
          ? verify(extracted.token)
          : dpop.authenticate(request, extracted, verify);
      // RFC 8705 section 3: a certificate-bound token needs the request's client certificate.
      return verified.then((result) =>
        result.payload.cnf === undefined
          ? result
          : checkCertificateBinding(request, result, resolved.mtlsCertificateHeader),
      );
    },
    authenticateCached(request: BearerRequest): VerifiedAccessToken | undefined {
      return cachedEntry(request)?.result;
    },
  };
}

/** One accepted issuer's key set, deadline and claim rules. */
interface IssuerContext {
  readonly issuer: string;
  readonly keySet: VerificationKeys;
  readonly deadline: () => number;
  readonly claimRules: RegisteredClaimRules;
}

/** A token bound to a DPoP key (RFC 9449 section 6.1): its `cnf` names a `jkt`. */
function isBound(payload: Readonly<Record<string, unknown>>): boolean {
  const cnf = payload['cnf'];
  return cnf !== undefined && (typeof cnf !== 'object' || cnf === null || 'jkt' in cnf);
}

/** The descriptions jose's errors were answered with, kept word for word. */
function describeClaimFailure(error: ClaimError): string {
  const { claim, failure } = error;
  // jose reported every `nbf` failure (a non-number included) as the token not being valid yet.
  if (claim === 'nbf') return 'Token is not yet valid';
  const described: Record<ClaimFailure, string> = {
    missing: `Token claim '${claim}' is missing`,
    malformed: `Token claim '${claim}' is malformed`,
    unexpected: `Token claim '${claim}' is not accepted`,
    expired: 'Token has expired',
    not_yet_valid: 'Token is not yet valid',
  };
  return described[failure];
}

/**
 * The claims an access token's type promises, after {@link checkRegisteredClaims} and the
 * profile's checks: `iss` the issuer, `exp` and `iat` numbers, `nbf` a number if present, the
 * profile's string claims strings. Other members (`permissions` included) are as the token sent
 * them, as with jose's `jwtVerify<AccessTokenPayload>`.
 */
function isAccessTokenPayload(payload: Record<string, unknown>): payload is AccessTokenPayload {
  return typeof payload['exp'] === 'number' && typeof payload['iat'] === 'number';
}

/** A JOSE header whose `alg`, `typ` and `kid` passed {@link decodeCompactJws} and checkHeader. */
function isHeader(header: Record<string, unknown>): header is JWTHeaderParameters {
  return typeof header['alg'] === 'string';
}
