import {
  TokenClient,
  type MfaGrantParameters,
  type MfaPushPoll,
  type PasswordGrantParameters,
  type RecoveryCodeSignIn,
  type RefreshParameters,
  type TokenSet,
} from '@ropkit/core';

/**
 * A {@link TokenClient} that keeps what the token endpoint answered to each grant, as the client
 * read it: before the token manager merges it with what it had. A refresh answer without a
 * refresh token shows as one without (the manager keeps the old one), so each step prints what
 * the server sent, never the merged set. The answers hold tokens: they are only read to be shown
 * masked or shortened.
 */
export class RecordingTokenClient extends TokenClient {
  #last: TokenSet | undefined;
  #polls: Array<MfaPushPoll['status']> = [];

  /**
   * The token endpoint's last successful answer.
   *
   * @throws {Error} when no grant has succeeded yet.
   */
  lastAnswer(): TokenSet {
    if (this.#last === undefined) throw new Error('No token response has been received yet');
    return this.#last;
  }

  /** The outcome of every push poll so far, oldest first (`waitForMfaPush` polls through it). */
  get pushPolls(): ReadonlyArray<MfaPushPoll['status']> {
    return this.#polls;
  }

  override async password(parameters: PasswordGrantParameters): Promise<TokenSet> {
    return this.#keep(await super.password(parameters));
  }

  override async refresh(parameters: RefreshParameters): Promise<TokenSet> {
    return this.#keep(await super.refresh(parameters));
  }

  override async mfaOtp(parameters: MfaGrantParameters & { otp: string }): Promise<TokenSet> {
    return this.#keep(await super.mfaOtp(parameters));
  }

  override async mfaOob(
    parameters: MfaGrantParameters & { oobCode: string; bindingCode: string },
  ): Promise<TokenSet> {
    return this.#keep(await super.mfaOob(parameters));
  }

  override async mfaPushPoll(
    parameters: MfaGrantParameters & { oobCode: string },
  ): Promise<MfaPushPoll> {
    const poll = await super.mfaPushPoll(parameters);
    this.#polls.push(poll.status);
    if (poll.status === 'approved') this.#keep(poll.tokens);
    return poll;
  }

  override async mfaRecoveryCode(
    parameters: MfaGrantParameters & { recoveryCode: string },
  ): Promise<RecoveryCodeSignIn> {
    const answer = await super.mfaRecoveryCode(parameters);
    this.#keep(answer.tokens);
    return answer;
  }

  #keep(tokens: TokenSet): TokenSet {
    this.#last = tokens;
    return tokens;
  }
}
