/**
 * The registered claims of RFC 7519 section 4.1 that every JWT profile checks, exactly as jose 6's
 * `jwtVerify` checks them (its `validateClaimsSet`), so that replacing jose's verification with
 * `node:crypto` changes no verdict: the same order, the same comparisons, `now` in whole seconds.
 * Profile rules on top (finite numbers, `iat` not in the future, a bounded lifetime, claim types,
 * `nonce` for ID tokens, ...) belong to the profile.
 */

/** What a claim failed on. */
export type ClaimFailure =
  /** A required claim is absent. */
  | 'missing'
  /** Present with the wrong JSON type (`exp`, `nbf`, `iat` not numbers). */
  | 'malformed'
  /** `iss` or `aud` is not one of the expected values. */
  | 'unexpected'
  /** `exp` is past (RFC 7519 section 4.1.4). */
  | 'expired'
  /** `nbf` is in the future (RFC 7519 section 4.1.5). */
  | 'not_yet_valid';

/** A registered claim refused; `claim` is a fixed name, never a value from the token. */
export class ClaimError extends Error {
  override readonly name = 'ClaimError';
  readonly claim: string;
  readonly failure: ClaimFailure;

  constructor(claim: string, failure: ClaimFailure) {
    super(`JWT claim "${claim}" is ${failure.replaceAll('_', ' ')}`);
    this.claim = claim;
    this.failure = failure;
  }
}

/** The expectations of {@link checkRegisteredClaims}; build once with {@link registeredClaimRules}. */
export interface RegisteredClaimRules {
  /** The one accepted `iss`, compared as an exact string. */
  readonly issuer: string;
  /** `aud` (a string, or an array of anything) must contain at least one of these. */
  readonly audience: readonly string[];
  /** Seconds of skew allowed for `exp` and `nbf`. */
  readonly clockTolerance: number;
  /** Claims that must be present, in the order they are checked. */
  readonly presence: readonly string[];
}

/**
 * Rules for {@link checkRegisteredClaims}. jose checks presence in a fixed order (`iss`, `aud`,
 * then the required claims from last to first, each once); so does this, so that a token missing
 * several claims is described by the same one.
 */
export function registeredClaimRules(options: {
  issuer: string;
  audience: readonly string[];
  clockTolerance: number;
  requiredClaims: readonly string[];
}): RegisteredClaimRules {
  const presence = [...new Set([...options.requiredClaims, 'aud', 'iss'].toReversed())];
  return Object.freeze({
    issuer: options.issuer,
    audience: Object.freeze([...options.audience]),
    clockTolerance: options.clockTolerance,
    presence: Object.freeze(presence),
  });
}

/**
 * RFC 7519 sections 4.1.1 to 4.1.6: presence, `iss`, `aud`, then the types of `iat` and `nbf`,
 * `nbf` against now, the type of `exp`, `exp` against now. `nowMs` is floored to whole seconds,
 * as jose does: expired when `exp <= now - tolerance`, not yet valid when `nbf > now + tolerance`.
 *
 * @throws {ClaimError} at the first claim that fails.
 */
export function checkRegisteredClaims(
  claims: Readonly<Record<string, unknown>>,
  rules: RegisteredClaimRules,
  nowMs: number,
): void {
  for (const claim of rules.presence) {
    if (!Object.hasOwn(claims, claim)) throw new ClaimError(claim, 'missing');
  }
  if (claims['iss'] !== rules.issuer) throw new ClaimError('iss', 'unexpected');
  if (!audienceMatches(claims['aud'], rules.audience)) throw new ClaimError('aud', 'unexpected');
  const now = Math.floor(nowMs / 1000);
  const tolerance = rules.clockTolerance;
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== 'number') throw new ClaimError('iat', 'malformed');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') throw new ClaimError('nbf', 'malformed');
    if (nbf > now + tolerance) throw new ClaimError('nbf', 'not_yet_valid');
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') throw new ClaimError('exp', 'malformed');
    if (exp <= now - tolerance) throw new ClaimError('exp', 'expired');
  }
}

/**
 * RFC 7519 section 4.1.3: a string `aud` must be one of the expected values; an array must
 * contain one (its other members may be anything). Any other type matches nothing.
 */
function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  if (typeof aud === 'string') return expected.includes(aud);
  if (Array.isArray(aud)) return expected.some((value) => aud.includes(value));
  return false;
}
