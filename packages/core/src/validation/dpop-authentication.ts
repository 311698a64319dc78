import {
  BearerError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  MissingCredentialsError,
  TemporarilyUnavailableError,
  UseDpopNonceError,
  challengeWith,
  type ChallengeSchemes,
} from '../errors.js';
import { dpopProofHeader, type BearerRequest, type ExtractedToken } from './bearer-token.js';
import { isJsonObject } from './compact-jws.js';
import { dpopNonces } from './dpop-nonce.js';
import type { ResolvedDpopOptions } from './dpop-options.js';
import { DpopProofError, createDpopProofChecker } from './dpop-proof.js';
import { requestHtu } from './dpop-request-url.js';
import type { VerifiedAccessToken } from './verified-access-token.js';

/** What a DPoP-aware verifier adds to a request's authentication, after the token is extracted. */
export interface DpopAuthentication {
  /** The challenge schemes of errors for a request that used `used`. */
  schemes(used: ChallengeSchemes['used']): ChallengeSchemes;
  /**
   * Verifies the token with `verify`, then applies RFC 9449 section 7: a bound token needs the
   * `DPoP` scheme and a valid proof of its key, an unbound one the `Bearer` scheme.
   *
   * @throws {BearerError} with this verifier's challenge schemes.
   */
  authenticate(
    request: BearerRequest,
    extracted: ExtractedToken,
    verify: (token: string) => Promise<VerifiedAccessToken>,
  ): Promise<VerifiedAccessToken>;
}

/**
 * The resource server's half of DPoP (RFC 9449 sections 4.3, 7, 9 and 11.1), for a verifier
 * whose `dpop` option is on. `realm` and `clock` are the verifier's.
 */
export function dpopAuthentication(
  options: ResolvedDpopOptions,
  realm: string,
  clock: () => number,
): DpopAuthentication {
  const nonces =
    options.nonce === undefined
      ? undefined
      : dpopNonces(options.nonce.secret, options.nonce.lifetime);
  const checkProof = createDpopProofChecker(options, nonces);
  const bearer = options.mode === 'allowed';
  const bySchemeUsed = {
    Bearer: Object.freeze({ algs: options.algorithms, bearer, used: 'Bearer' as const }),
    DPoP: Object.freeze({ algs: options.algorithms, bearer, used: 'DPoP' as const }),
    none: Object.freeze({ algs: options.algorithms, bearer, used: undefined }),
  };
  const schemes = (used: ChallengeSchemes['used']): ChallengeSchemes =>
    bySchemeUsed[used ?? 'none'];

  async function authenticate(
    request: BearerRequest,
    extracted: ExtractedToken,
    verify: (token: string) => Promise<VerifiedAccessToken>,
  ): Promise<VerifiedAccessToken> {
    const { token, scheme } = extracted;
    // Section 7.1: with DPoP required, a Bearer request has no credentials this API accepts.
    if (scheme === 'Bearer' && !bearer) throw new MissingCredentialsError({ realm });
    const { proof, repeated } = dpopProofHeader(request);
    const anyProof = proof !== undefined || repeated;
    if (scheme === 'Bearer' && anyProof) {
      throw new InvalidRequestError('A DPoP proof came with the Bearer scheme', { realm });
    }
    if (scheme === 'DPoP' && !anyProof) {
      throw new InvalidRequestError('The DPoP scheme came without a DPoP proof', { realm });
    }
    const verified = await verify(token);
    const jkt = boundKey(verified);
    if (scheme === 'Bearer') {
      // Section 7.2: a bound token presented as a bearer token is refused.
      if (jkt !== undefined) {
        throw new InvalidTokenError('DPoP-bound token was sent with the Bearer scheme', { realm });
      }
      return verified;
    }
    if (jkt === undefined) throw new InvalidTokenError('Token is not DPoP-bound', { realm });
    // Section 4.3 step 1: one DPoP header.
    if (proof === undefined) {
      throw new InvalidDpopProofError('More than one DPoP proof', { realm });
    }
    const nowMs = clock();
    const htu = requestHtu(
      {
        target: request.originalUrl,
        host: headerValue(request.headers['host']),
        secure: request.secure === true,
      },
      options.publicOrigin,
    );
    if (htu === undefined) {
      throw new InvalidDpopProofError("DPoP proof claim 'htu' does not match the request", {
        realm,
      });
    }
    let checked;
    try {
      checked = checkProof({ proof, method: request.method ?? '', htu, accessToken: token, nowMs });
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      if (error.reason === 'nonce' && nonces !== undefined) {
        throw new UseDpopNonceError(nonces.current(nowMs), { realm });
      }
      throw new InvalidDpopProofError(error.message, { realm });
    }
    // Section 7.1 (figure 16): the proof's key is not the one the token is bound to.
    if (checked.jkt !== jkt)
      throw new InvalidTokenError('Token is bound to another DPoP key', { realm });
    let firstUse: boolean;
    try {
      firstUse = await options.replayStore.claim(checked.replayKey, checked.expiresAtMs);
    } catch (cause) {
      throw new TemporarilyUnavailableError('The DPoP replay store is unavailable', {
        realm,
        cause,
      });
    }
    // Section 11.1: a proof is accepted once.
    if (!firstUse) throw new InvalidDpopProofError('DPoP proof was used before', { realm });
    return verified;
  }

  return {
    schemes,
    authenticate(request, extracted, verify) {
      return authenticate(request, extracted, verify).catch((error: unknown) => {
        throw error instanceof BearerError
          ? challengeWith(error, schemes(extracted.scheme))
          : error;
      });
    },
  };
}

/**
 * The `cnf.jkt` a token is bound to (RFC 9449 section 6.1), or `undefined` for an unbound token.
 *
 * @throws {InvalidTokenError} a `cnf` that is not an object, or a `jkt` that is not a string.
 */
function boundKey(verified: VerifiedAccessToken): string | undefined {
  const cnf: unknown = verified.payload['cnf'];
  if (cnf === undefined) return undefined;
  if (!isJsonObject(cnf)) {
    throw new InvalidTokenError("Token claim 'cnf' is malformed", { realm: verified.realm });
  }
  const { jkt } = cnf;
  if (jkt === undefined) return undefined;
  if (typeof jkt !== 'string' || jkt === '') {
    throw new InvalidTokenError("Token claim 'cnf.jkt' is malformed", { realm: verified.realm });
  }
  return jkt;
}

function headerValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
