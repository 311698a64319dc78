import { nonNegative, rejectUnknownOptions } from '../option-checks.js';
import { parseUrlOption } from '../http/url-policy.js';
import { isAsymmetricAlgorithm, type AsymmetricAlgorithm } from '../validation/algorithms.js';
import type { RemoteKeySetLimits } from '../validation/remote-key-set.js';
import { DEFAULT_CLOCK_TOLERANCE, resolveKeySetLimits } from '../validation/verifier-options.js';

/**
 * A signature algorithm an ID token may be accepted with: an asymmetric one, verified with the
 * issuer's key set, or `HS256`, keyed with the client secret (OpenID Connect Core 1.0 section
 * 10.1; Auth0's "HS256" signing option).
 */
export type IdTokenAlgorithm = AsymmetricAlgorithm | 'HS256';

/**
 * How the token client validates the ID tokens of its token responses (OpenID Connect Core 1.0
 * section 3.1.3.7) before it returns them.
 */
export interface IdTokenOptions {
  /**
   * Accepted signature algorithms. Default `['RS256']` (Auth0's default). `none` is always
   * refused. `['HS256']` (alone: never beside an asymmetric algorithm, RFC 8725 section 3.1)
   * verifies with the client secret, which must then be given and be at least 32 bytes long.
   */
  algorithms?: readonly IdTokenAlgorithm[];
  /** Clock skew allowed for `exp`, `iat` and `nbf`, in seconds. Default `5`. */
  clockTolerance?: number;
  /** Limits of the issuer's key set, as the access-token verifier's `keySet`. */
  keySet?: Partial<RemoteKeySetLimits>;
  /** The key set URL. Default: discovered from `issuer` (`/.well-known/openid-configuration`). */
  jwksUri?: string | URL;
}

/** {@link IdTokenOptions} checked, every default filled in. */
export interface ResolvedIdTokenOptions {
  /** Asymmetric algorithms only, or exactly `['HS256']`. */
  algorithms: readonly IdTokenAlgorithm[];
  clockTolerance: number;
  keySet: RemoteKeySetLimits;
  jwksUri: URL | undefined;
}

const KNOWN = new Set(['algorithms', 'clockTolerance', 'keySet', 'jwksUri']);

/** What the checks of `idToken` need from the rest of the client's options. */
interface ClientContext {
  issuer: string | undefined;
  clientSecret: string | undefined;
  /** The default `scope`, joined. */
  scope: string | undefined;
  allowInsecureHttp: boolean;
}

/**
 * Checks the `idToken` option of the token client. `false` turns validation off: ID tokens are
 * then dropped from token sets, never returned unverified.
 *
 * @throws {TypeError} naming the option, never its value.
 */
export function resolveIdTokenOptions(
  value: IdTokenOptions | false | undefined,
  client: ClientContext,
): ResolvedIdTokenOptions | false {
  if (value === false) return false;
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError('"idToken" must be false or an object');
  }
  const options: IdTokenOptions = value ?? {};
  rejectUnknownOptions(options, KNOWN, 'idToken');
  // OpenID Connect Core 1.0 section 3.1.3.7 step 2: `iss` must equal the issuer, so without one
  // no ID token can be validated; asking for `openid` by default would fail every sign-in.
  if (client.issuer === undefined && client.scope?.split(' ').includes('openid') === true) {
    throw new TypeError(
      'The default "scope" asks for openid, but ID tokens cannot be validated without "issuer": give "issuer" (https://YOUR_DOMAIN/), or "idToken: false" to drop ID tokens',
    );
  }
  const algorithms = options.algorithms ?? ['RS256'];
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('"idToken.algorithms" must be a non-empty array');
  }
  const symmetric = algorithms.filter((alg) => alg === 'HS256');
  for (const alg of algorithms) {
    if (alg !== 'HS256' && !isAsymmetricAlgorithm(alg)) {
      throw new TypeError(
        '"idToken.algorithms" may list asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA, Ed25519) or "HS256"; "none" is refused',
      );
    }
  }
  if (symmetric.length > 0 && symmetric.length !== algorithms.length) {
    // RFC 8725 section 3.1: with both, a token could be "signed" with HS256 keyed by a public key.
    throw new TypeError('"idToken.algorithms" must not list "HS256" beside asymmetric algorithms');
  }
  if (symmetric.length > 0 && client.clientSecret === undefined) {
    throw new TypeError('"idToken.algorithms" "HS256" needs "clientSecret" (the HMAC key)');
  }
  return {
    algorithms: Object.freeze([...new Set(algorithms)]),
    clockTolerance: nonNegative(
      options.clockTolerance,
      'idToken.clockTolerance',
      DEFAULT_CLOCK_TOLERANCE,
      'seconds',
    ),
    keySet: resolveKeySetLimits(options.keySet, 'idToken.keySet'),
    jwksUri:
      options.jwksUri === undefined
        ? undefined
        : parseUrlOption(options.jwksUri, 'idToken.jwksUri', client.allowInsecureHttp),
  };
}
