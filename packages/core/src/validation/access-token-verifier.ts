import {
  errors as joseErrors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { InvalidTokenError, KeySetUnavailableError, type BearerError } from '../errors.js';
import { isAsymmetricAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';
import { extractBearerToken, type BearerRequest } from './bearer-token.js';
import { isCompactJws } from './compact-jws.js';
import { discoverJwksUri } from './discovery.js';
import {
  KeySetUnavailableCause,
  RemoteKeySet,
  UnknownKeyError,
  type KeySetEntry,
} from './remote-key-set.js';
import { grantedScopes } from './scopes.js';
import { normalizeTyp, TOKEN_PROFILES } from './token-profile.js';
import type { AccessTokenPayload, VerifiedAccessToken } from './verified-access-token.js';
import { VerifiedTokenCache } from './verified-token-cache.js';
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
   * Verifies a token string.
   *
   * @throws {InvalidTokenError} any failure of the token (401).
   * @throws {KeySetUnavailableError} no key set to decide with (503).
   */
  verify(token: string): Promise<VerifiedAccessToken>;
  /**
   * Extracts the bearer token from a request (RFC 6750 section 2), then verifies it.
   *
   * @throws {BearerError} `missing_credentials`, `invalid_request`, or as {@link verify}.
   */
  authenticate(request: BearerRequest): Promise<VerifiedAccessToken>;
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
    issuer,
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

  const configuredJwksUri = resolved.jwksUri;
  const keySet = new RemoteKeySet(
    configuredJwksUri !== undefined
      ? () => Promise.resolve(configuredJwksUri)
      : memoizeSuccess(() =>
          discoverJwksUri(issuer, {
            dispatcher: resolved.dispatcher,
            timeoutMs: resolved.keySet.timeoutMs,
            maxBytes: resolved.keySet.maxBytes,
            allowInsecureHttp: resolved.allowInsecureHttp,
          }),
        ),
    resolved.keySet,
    resolved.dispatcher,
    clock,
  );

  const invalid = (description: string, cause?: unknown): InvalidTokenError =>
    new InvalidTokenError(description, { realm, cause });

  const joseOptions = {
    issuer,
    audience,
    algorithms: [...algorithms],
    clockTolerance,
    requiredClaims: [...profile.requiredClaims],
  };

  async function verify(token: string): Promise<VerifiedAccessToken> {
    if (typeof token !== 'string') throw invalid('Token is malformed');
    // Characters outside ASCII count once here and more in bytes; every valid token is ASCII.
    if (token.length > maxTokenSize) throw invalid('Token is larger than allowed');
    const nowMs = clock();
    const nowSeconds = nowMs / 1000;
    const cacheKey = cache === undefined ? undefined : VerifiedTokenCache.keyOf(token);
    if (cacheKey !== undefined) {
      const hit = cache?.get(cacheKey, nowSeconds, clockTolerance);
      if (hit !== undefined) return hit;
    }
    if (!isCompactJws(token)) throw invalid('Token is malformed');

    let usedKey: KeySetEntry | undefined;
    const getKey: JWTVerifyGetKey = (header) => {
      const alg = checkHeader(header);
      // Fast path without an await: a loaded, fresh set with the key already imported.
      const ready = keySet.peekKey(header.kid, alg);
      if (ready !== undefined) {
        usedKey = ready.entry;
        return ready.key;
      }
      return keySet.getKey(header.kid, alg).then(({ entry, key }) => {
        usedKey = entry;
        return key;
      });
    };

    let verified: { payload: AccessTokenPayload; protectedHeader: JWTHeaderParameters };
    try {
      verified = await jwtVerify<AccessTokenPayload>(token, getKey, {
        ...joseOptions,
        currentDate: new Date(nowMs),
      });
    } catch (error) {
      throw translateError(error);
    }
    const { payload, protectedHeader } = verified;
    const exp = checkClaims(payload, nowSeconds);
    if (claimCheck !== undefined && !runClaimCheck(payload, protectedHeader)) {
      throw invalid('Token rejected by a claim check');
    }

    const result: VerifiedAccessToken = Object.freeze({
      token,
      header: Object.freeze(protectedHeader),
      payload: Object.freeze(payload),
      scopes: Object.freeze(grantedScopes(payload, scopeSources)),
      realm,
    });
    if (cache !== undefined && cacheKey !== undefined && usedKey !== undefined) {
      const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined;
      cache.set(cacheKey, { result, exp, nbf, key: usedKey });
    }
    return result;
  }

  function runClaimCheck(payload: AccessTokenPayload, header: JWTHeaderParameters): boolean {
    try {
      return claimCheck?.(payload, header) === true;
    } catch (cause) {
      throw invalid('Token rejected by a claim check', cause);
    }
  }

  /** Header rules checked before any key is looked up, so a bad header costs no fetch. */
  function checkHeader(header: JWTHeaderParameters): AsymmetricAlgorithm {
    // RFC 8725 section 3.1: only the configured algorithms; never "none" or HMAC.
    if (!isAsymmetricAlgorithm(header.alg) || !allowedAlgorithms.has(header.alg)) {
      throw invalid('Token algorithm is not allowed');
    }
    // RFC 9068 section 4 / RFC 8725 section 3.11: explicit typing keeps other JWTs (ID tokens,
    // logout tokens) from being accepted as access tokens.
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== profile.typ) {
      throw invalid('Token type is not allowed');
    }
    if (header.kid !== undefined && typeof header.kid !== 'string') {
      throw invalid('Token is malformed');
    }
    return header.alg;
  }

  /**
   * Gaps jose leaves open, closed here: `exp` required and finite (JSON's 1e400 parses to
   * Infinity), `iat` not in the future, a bounded lifetime, string-typed claims.
   * Returns `exp`.
   */
  function checkClaims(payload: AccessTokenPayload, nowSeconds: number): number {
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
    if (error instanceof InvalidTokenError) return error;
    if (error instanceof KeySetUnavailableCause) {
      return new KeySetUnavailableError('The signing keys are unavailable', {
        realm,
        cause: error,
      });
    }
    if (error instanceof UnknownKeyError) return invalid('Token signing key is unknown', error);
    if (error instanceof joseErrors.JWTExpired) return invalid('Token has expired', error);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return invalid('Token signature is invalid', error);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) {
      return invalid('Token algorithm is not allowed', error);
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      // Claim names come from jose's fixed list or our profile, never from the token.
      if (error.claim === 'nbf') return invalid('Token is not yet valid', error);
      if (error.reason === 'missing')
        return invalid(`Token claim '${error.claim}' is missing`, error);
      if (error.reason === 'invalid')
        return invalid(`Token claim '${error.claim}' is malformed`, error);
      return invalid(`Token claim '${error.claim}' is not accepted`, error);
    }
    return invalid('Token is malformed', error);
  }

  return {
    options: Object.freeze(resolved),
    verify,
    async authenticate(request: BearerRequest): Promise<VerifiedAccessToken> {
      const token = extractBearerToken(request, { realm, locations: resolved.tokenLocations });
      return verify(token);
    },
  };
}

/** Runs `load` until it succeeds once, then returns that result forever; one call at a time. */
function memoizeSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let success: Promise<T> | undefined;
  return () => {
    if (success !== undefined) return success;
    const attempt = load();
    success = attempt;
    attempt.catch(() => {
      if (success === attempt) success = undefined;
    });
    return attempt;
  };
}
