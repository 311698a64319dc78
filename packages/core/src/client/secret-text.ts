import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret your application must show to its user once, and never log: a new recovery code, the
 * secret and QR code URI of an authenticator app being enrolled. `reveal()` gives the text;
 * `String()`, template literals, `JSON.stringify` and `util.inspect` give `[redacted]`, so a
 * result logged by mistake does not leak it.
 *
 * @example
 * ```ts
 * const { tokens, recoveryCode } = await client.mfaRecoveryCode({ mfaToken, recoveryCode: typed });
 * if (recoveryCode !== undefined) showOnce(recoveryCode.reveal()); // the old code no longer works
 * ```
 */
export class SecretText {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string' || value === '') {
      throw new TypeError('A SecretText must be a non-empty string');
    }
    this.#value = value;
  }

  /** The secret itself: show it to the user, never to a log. */
  reveal(): string {
    return this.#value;
  }

  /** `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** `[redacted]`. */
  toJSON(): string {
    return REDACTED;
  }

  /** `SecretText [redacted]`. */
  [inspect.custom](): string {
    return `SecretText ${REDACTED}`;
  }
}
