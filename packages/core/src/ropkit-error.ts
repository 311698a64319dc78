import type { BearerErrorCode } from './errors.js';
import type { TokenErrorCode } from './client/token-errors.js';

/**
 * Every error code ropkit raises, as one union (as jose's `JOSEErrorCode`): the resource server's
 * ({@link BearerErrorCode}) and the token client's ({@link TokenErrorCode}).
 */
export type RopkitErrorCode = BearerErrorCode | TokenErrorCode;

/**
 * Base class of every error ropkit raises on purpose: `switch (error.code)`. Messages and fields
 * never hold a secret (password, client secret, token, mfa_token), in any encoding. Bad options
 * are plain `TypeError`s, thrown when the object is created.
 */
export abstract class RopkitError extends Error {
  abstract readonly code: RopkitErrorCode;

  override get name(): string {
    return this.constructor.name;
  }
}
