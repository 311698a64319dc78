import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { MfaMessage } from './control.js';
import type { OobChannel } from './mfa-authenticators.js';

/**
 * An out-of-band verification in progress: a code sent by SMS, voice or email (answered with the
 * `binding_code`), or a push notification (approved or denied on the device), from a challenge
 * or from an enrolment (`/mfa/associate`).
 */
export interface OobTransaction {
  readonly oobCode: string;
  readonly userId: string;
  /** The `mfa_token` it belongs to; `undefined` for an enrolment started with an access token. */
  readonly mfaToken: string | undefined;
  readonly authenticatorId: string;
  readonly channel: OobChannel;
  /** The code sent (SMS, voice, email); `undefined` for push, which has no binding code. */
  readonly bindingCode: string | undefined;
  readonly purpose: 'challenge' | 'enrolment';
  /** Epoch seconds of the mock clock. */
  readonly expiresAt: number;
  /** A push's state: the device approves or denies it. */
  status: 'pending' | 'approved' | 'denied';
  /** Seconds a poller must wait between two `mfa-oob` requests (grows on `slow_down`). */
  intervalSeconds: number;
  /** When the `mfa-oob` grant last asked about it, epoch ms of the mock clock. */
  lastPolledMs: number | undefined;
  readonly createdMs: number;
}

/** What creating a transaction needs; the store fills in the code, the state and the times. */
export type NewOobTransaction = Pick<
  OobTransaction,
  'userId' | 'mfaToken' | 'authenticatorId' | 'channel' | 'bindingCode' | 'purpose'
> & { readonly address: string | undefined };

/**
 * The `oob_code`s handed out, and what the user's phone or mailbox received: the messages a test
 * reads through the control API, as a person would read an SMS.
 */
export class MfaOobStore {
  readonly #clock: Clock;
  #transactions = new Map<string, OobTransaction>();
  #messages: Array<MfaMessage & { readonly userId: string }> = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Starts a transaction and, for SMS, voice and email, "sends" its code. */
  create(
    transaction: NewOobTransaction,
    lifetimeSeconds: number,
    pollIntervalSeconds: number,
  ): OobTransaction {
    const { address, ...fields } = transaction;
    const created: OobTransaction = {
      ...fields,
      oobCode: randomBytes(32).toString('base64url'),
      expiresAt: this.#clock.nowSeconds() + lifetimeSeconds,
      status: 'pending',
      intervalSeconds: pollIntervalSeconds,
      lastPolledMs: undefined,
      createdMs: this.#clock.nowMs(),
    };
    this.#transactions.set(created.oobCode, created);
    const { channel, bindingCode } = created;
    if (channel !== 'auth0' && bindingCode !== undefined && address !== undefined) {
      this.#messages.push({
        userId: created.userId,
        channel,
        to: address,
        code: bindingCode,
        oobCode: created.oobCode,
        purpose: created.purpose,
        at: created.createdMs,
      });
    }
    return created;
  }

  /** A transaction by its `oob_code`. */
  get(oobCode: string): OobTransaction | undefined {
    return this.#transactions.get(oobCode);
  }

  /** Ends a transaction (its grant succeeded, or it expired). */
  delete(oobCode: string): void {
    this.#transactions.delete(oobCode);
  }

  /** The user's newest push (challenge or enrolment) that is pending and not expired. */
  latestPendingPush(userId: string): OobTransaction | undefined {
    const now = this.#clock.nowSeconds();
    return [...this.#transactions.values()]
      .filter(
        (transaction) =>
          transaction.userId === userId &&
          transaction.channel === 'auth0' &&
          transaction.status === 'pending' &&
          now < transaction.expiresAt,
      )
      .at(-1);
  }

  /** What the user received, oldest first. */
  messages(userId: string): MfaMessage[] {
    return this.#messages
      .filter((message) => message.userId === userId)
      .map(({ userId: _userId, ...message }) => message);
  }

  /** Forgets every transaction and message. */
  reset(): void {
    this.#transactions = new Map();
    this.#messages = [];
  }
}
