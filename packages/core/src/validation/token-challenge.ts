import type { ChallengeSchemes } from '../errors.js';
import type { VerifiedAccessToken } from './verified-access-token.js';

/**
 * The challenge schemes of a verified token's verifier, when DPoP is on: a route requirement that
 * refuses the token (`insufficient_scope`, a claim check) answers with the same schemes, its
 * error on the scheme the token came with (RFC 9449 section 7.1).
 */
const SCHEMES = new WeakMap<VerifiedAccessToken, ChallengeSchemes>();

/** Records `schemes` for `token`; only verifiers with DPoP on do. */
export function rememberSchemes(token: VerifiedAccessToken, schemes: ChallengeSchemes): void {
  SCHEMES.set(token, schemes);
}

/** The schemes `token`'s verifier challenges with; `undefined`: `Bearer` alone. */
export function schemesOf(token: VerifiedAccessToken): ChallengeSchemes | undefined {
  return SCHEMES.get(token);
}
