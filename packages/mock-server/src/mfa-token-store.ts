import { randomBytes } from 'node:crypto';
import { Auth0Errors } from './auth0-errors.js';
import type { Clock } from './clock.js';

/** A password grant waiting for its second factor. */
export interface MfaTransaction {
  readonly clientId: string;
  readonly userId: string;
  readonly connection: string;
  readonly audience: string | undefined;
  readonly requestedScopes: readonly string[];
  readonly grantedScopes: readonly string[];
  readonly expiresAt: number;
}

/** `mfa_token`s handed out with `mfa_required`, each good for one MFA grant until it expires. */
export class MfaTokenStore {
  readonly #clock: Clock;
  #transactions = new Map<string, MfaTransaction>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Stores a transaction and returns its `mfa_token`. */
  create(transaction: Omit<MfaTransaction, 'expiresAt'>, lifetimeSeconds: number): string {
    const token = randomBytes(32).toString('base64url');
    this.#transactions.set(token, {
      ...transaction,
      expiresAt: this.#clock.nowSeconds() + lifetimeSeconds,
    });
    return token;
  }

  /**
   * The transaction of `token`; when `clientId` is given it must be the client that started it.
   * Throws Auth0's `Malformed mfa_token` or `mfa_token is expired`.
   */
  get(token: string, clientId?: string): MfaTransaction {
    const transaction = this.#transactions.get(token);
    if (
      transaction === undefined ||
      (clientId !== undefined && transaction.clientId !== clientId)
    ) {
      throw Auth0Errors.malformedMfaToken();
    }
    if (this.#clock.nowSeconds() >= transaction.expiresAt) {
      this.#transactions.delete(token);
      throw Auth0Errors.expiredMfaToken();
    }
    return transaction;
  }

  /** Ends a transaction once its grant succeeded: an `mfa_token` works once. */
  consume(token: string): void {
    this.#transactions.delete(token);
  }

  /** Forgets every transaction. */
  reset(): void {
    this.#transactions = new Map();
  }
}
