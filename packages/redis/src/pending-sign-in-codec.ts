import { isPendingSignIn, type PendingSignIn } from '@ropkit/core';
import { TokenDecryptionError } from './redis-store-errors.js';

/** A pending sign-in as JSON, before encryption. */
export function encodePendingSignIn(pending: PendingSignIn): string {
  return JSON.stringify({ mfaToken: pending.mfaToken, expiresAt: pending.expiresAt });
}

/** The pending sign-in from decrypted JSON, checked: it may come from another package version. */
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
  return Object.freeze({ mfaToken: value.mfaToken, expiresAt: value.expiresAt });
}
