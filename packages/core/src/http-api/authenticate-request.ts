import { MissingCredentialsError } from '../errors.js';
import type { AccessTokenVerifier } from '../validation/access-token-verifier.js';
import type { BearerRequest } from '../validation/bearer-token.js';
import type { VerifiedAccessToken } from '../validation/verified-access-token.js';

/**
 * Authenticates a request for an adapter. With `optional`, a request without any credentials
 * passes as anonymous (`undefined`), while a present but bad token still fails: an optional
 * route must not accept forged tokens as "anonymous".
 *
 * @throws {BearerError}
 */
export async function authenticateRequest(
  verifier: AccessTokenVerifier,
  request: BearerRequest,
  optional: boolean,
): Promise<VerifiedAccessToken | undefined> {
  try {
    return await verifier.authenticate(request);
  } catch (error) {
    if (optional && error instanceof MissingCredentialsError) return undefined;
    throw error;
  }
}
