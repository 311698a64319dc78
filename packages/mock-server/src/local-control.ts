import type { MockServerControl, RequestLogEntry, RotatedSigningKey } from './control.js';
import { validateFault } from './fault-queue.js';
import { expectObject, optionalBoolean, rejectUnknownKeys } from './option-reader.js';
import type { ResolvedUser } from './resolved-config.js';
import type { ServerState } from './server-state.js';
import { createSigningKey } from './signing-keys.js';
import {
  validateApi,
  validateClient,
  validateConnection,
  validateIssuer,
  validateSigningKeyConfig,
  validateUser,
} from './validate-config.js';

/**
 * The in-process control handle: acts on the server's state directly. Inputs are validated as the
 * startup configuration is (so they are typed `unknown` here), and the HTTP control API, which
 * forwards JSON bodies, and in-process callers get the same errors.
 */
export class LocalControl implements MockServerControl {
  readonly #state: ServerState;

  constructor(state: ServerState) {
    this.#state = state;
  }

  /** A user set at run time without `updatedAt` was updated now. */
  #stamp(user: ResolvedUser): ResolvedUser {
    return user.updatedAt === undefined
      ? { ...user, updatedAt: this.#state.clock.nowSeconds() }
      : user;
  }

  async setUser(connection: string, user: unknown): Promise<void> {
    this.#state.directory.setUser(connection, this.#stamp(validateUser(user, 'user', connection)));
  }

  async removeUser(connection: string, email: string): Promise<void> {
    this.#state.directory.removeUser(connection, email);
  }

  async setConnection(connection: unknown): Promise<void> {
    const resolved = validateConnection(connection, 'connection');
    this.#state.directory.setConnection({
      ...resolved,
      users: resolved.users.map((user) => this.#stamp(user)),
    });
  }

  async setClient(client: unknown): Promise<void> {
    this.#state.directory.setClient(validateClient(client, 'client'));
  }

  async removeClient(clientId: string): Promise<void> {
    this.#state.directory.removeClient(clientId);
  }

  async setApi(api: unknown): Promise<void> {
    this.#state.directory.setApi(validateApi(api, 'api'));
  }

  async removeApi(identifier: string): Promise<void> {
    this.#state.directory.removeApi(identifier);
  }

  async rotateSigningKey(options: unknown = {}): Promise<RotatedSigningKey> {
    const input = expectObject(options, 'options');
    rejectUnknownKeys(input, ['alg', 'kid', 'privateJwk', 'keepPrevious'], 'options');
    const keepPrevious = optionalBoolean(input, 'keepPrevious', 'options', true);
    const { keepPrevious: _ignored, ...keyOptions } = input;
    const config = validateSigningKeyConfig(
      { alg: this.#state.keys.current.alg, ...keyOptions },
      'options',
    );
    const key = await createSigningKey(config, 'options');
    return this.#state.keys.rotate(key, keepPrevious);
  }

  async withdrawSigningKey(kid: string): Promise<void> {
    this.#state.keys.withdraw(kid);
  }

  async queueFault(fault: unknown): Promise<void> {
    this.#state.faults.add(validateFault(fault));
  }

  async clearFaults(): Promise<void> {
    this.#state.faults.clear();
  }

  async advanceClock(seconds: number): Promise<number> {
    this.#state.clock.advance(seconds);
    return this.#state.clock.nowSeconds();
  }

  async freezeClock(): Promise<number> {
    this.#state.clock.freeze();
    return this.#state.clock.nowSeconds();
  }

  async resumeClock(): Promise<number> {
    this.#state.clock.resume();
    return this.#state.clock.nowSeconds();
  }

  async now(): Promise<number> {
    return this.#state.clock.nowSeconds();
  }

  async requests(): Promise<RequestLogEntry[]> {
    return this.#state.requestLog.entries();
  }

  async clearRequests(): Promise<void> {
    this.#state.requestLog.clear();
  }

  async clearLockouts(): Promise<void> {
    this.#state.bruteForce.clear();
  }

  async setIssuer(issuer: string): Promise<void> {
    this.#state.issuer = validateIssuer(issuer, 'issuer');
  }

  async reset(): Promise<void> {
    this.#state.reset();
  }
}
