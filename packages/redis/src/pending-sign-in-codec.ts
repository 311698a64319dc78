import { isPendingSignIn, normalizePendingSignIn, type PendingSignIn } from '@ropkit/core';
import { TokenDecryptionError } from './redis-store-errors.js';

/**
 * A pending sign-in as JSON, before encryption: its known fields only (the mfa_token, the step's
 * mode and factors, the oob_code of a code or push sent with the push polling interval, and an
 * enrolment with its first recovery code), all of it sealed by the caller.
 */
export function encodePendingSignIn(pending: PendingSignIn): string {
  return JSON.stringify(normalizePendingSignIn(pending));
}

/**
 * The pending sign-in from decrypted JSON, checked: it may come from another package version. A
 * record of before the MFA steps grew (`mfaToken` and `expiresAt` only) still decodes.
 */
export function decodePendingSignIn(json: string): PendingSignIn {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new TokenDecryptionError('The stored sign-in step is not valid JSON', { cause: error });
  }
  if (!isPendingSignIn(value)) {
    throw new TokenDecryptionError('The stored sign-in step does not have the expected fields');
  }
  return normalizePendingSignIn(value);
}
