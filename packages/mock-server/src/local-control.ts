import { randomBytes } from 'node:crypto';
import type {
  EnrolledAuthenticator,
  MfaMessage,
  MockServerControl,
  RequestLogEntry,
  RotatedSigningKey,
} from './control.js';
import { validateFault } from './fault-queue.js';
import {
  enrolledAuthenticators,
  mfaOf,
  newAuthenticator,
  newRecoveryCode,
} from './mfa-authenticators.js';
import {
  childPath,
  expectObject,
  isOneOf,
  optionalBoolean,
  rejectUnknownKeys,
  requireString,
  type JsonObject,
} from './option-reader.js';
import type { ResolvedAuthenticator, ResolvedUser } from './resolved-config.js';
import type { ServerState } from './server-state.js';
import { createSigningKey } from './signing-keys.js';
import {
  EMAIL_PATTERN,
  MIN_TOTP_SECRET_BYTES,
  PHONE_NUMBER_PATTERN,
  TOTP_SECRET_PATTERN,
} from './tenant-options.js';
import { decodeBase32 } from './totp.js';
import {
  validateApi,
  validateClient,
  validateConnection,
  validateIssuer,
  validateSigningKeyConfig,
  validateUser,
} from './validate-config.js';

const AUTHENTICATOR_TYPES = ['otp', 'sms', 'voice', 'email', 'push', 'recovery-code'] as const;

/** An optional string option that, when given, must match `pattern`. */
function optionalMatching(
  input: JsonObject,
  key: string,
  pattern: { source: string; message: string } | undefined,
): string | undefined {
  if (input[key] === undefined) return undefined;
  const value = requireString(input, key, 'authenticator');
  if (pattern !== undefined && !new RegExp(pattern.source, 'u').test(value)) {
    throw new TypeError(`"${childPath('authenticator', key)}" ${pattern.message}`);
  }
  return value;
}

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

  async enrolAuthenticator(
    connection: string,
    email: string,
    authenticator: unknown,
  ): Promise<EnrolledAuthenticator> {
    const user = this.#state.directory.requireUser(connection, email);
    const input = expectObject(authenticator, 'authenticator');
    const { type } = input;
    if (!isOneOf(type, AUTHENTICATOR_TYPES)) {
      throw new TypeError(`"authenticator.type" must be one of: ${AUTHENTICATOR_TYPES.join(', ')}`);
    }
    let added: ResolvedAuthenticator;
    switch (type) {
      case 'otp': {
        rejectUnknownKeys(input, ['type', 'secret'], 'authenticator');
        const base32 = optionalMatching(input, 'secret', TOTP_SECRET_PATTERN);
        const secret = base32 === undefined ? randomBytes(20) : decodeBase32(base32);
        if (secret === undefined || secret.length < MIN_TOTP_SECRET_BYTES) {
          throw new TypeError(`"authenticator.secret" ${TOTP_SECRET_PATTERN.message}`);
        }
        added = newAuthenticator('otp', { secret }, true);
        break;
      }
      case 'sms':
      case 'voice': {
        rejectUnknownKeys(input, ['type', 'phoneNumber'], 'authenticator');
        requireString(input, 'phoneNumber', 'authenticator');
        const address = optionalMatching(input, 'phoneNumber', PHONE_NUMBER_PATTERN);
        added = newAuthenticator(type, { address }, true);
        break;
      }
      case 'email': {
        rejectUnknownKeys(input, ['type', 'email'], 'authenticator');
        const address = optionalMatching(input, 'email', EMAIL_PATTERN) ?? user.email;
        added = newAuthenticator('email', { address }, true);
        break;
      }
      case 'push': {
        rejectUnknownKeys(input, ['type', 'name'], 'authenticator');
        added = newAuthenticator(
          'push',
          { name: optionalMatching(input, 'name', undefined) },
          true,
        );
        break;
      }
      case 'recovery-code': {
        rejectUnknownKeys(input, ['type', 'code'], 'authenticator');
        const mfa = mfaOf(user, true);
        mfa.recoveryCodes.push(optionalMatching(input, 'code', undefined) ?? newRecoveryCode());
        mfa.recoveryCodesActive = true;
        return enrolledAuthenticators(user)[0]!;
      }
    }
    mfaOf(user, true).authenticators.push(added);
    return enrolledAuthenticators(user).find((view) => view.id === added.id)!;
  }

  async authenticators(connection: string, email: string): Promise<EnrolledAuthenticator[]> {
    return enrolledAuthenticators(this.#state.directory.requireUser(connection, email));
  }

  async mfaMessages(connection: string, email: string): Promise<MfaMessage[]> {
    const user = this.#state.directory.requireUser(connection, email);
    return this.#state.mfaOob.messages(user.userId);
  }

  async approvePush(connection: string, email: string): Promise<void> {
    this.#pendingPush(connection, email).status = 'approved';
  }

  async denyPush(connection: string, email: string): Promise<void> {
    this.#pendingPush(connection, email).status = 'denied';
  }

  #pendingPush(connection: string, email: string) {
    const user = this.#state.directory.requireUser(connection, email);
    const push = this.#state.mfaOob.latestPendingPush(user.userId);
    if (push === undefined) throw new TypeError('The user has no pending push notification');
    return push;
  }

  async setIssuer(issuer: string): Promise<void> {
    this.#state.issuer = validateIssuer(issuer, 'issuer');
  }

  async setCustomDomainIssuer(issuer: string): Promise<void> {
    const { customDomain } = this.#state;
    if (customDomain === undefined) {
      throw new TypeError('The server has no custom domain: start it with "customDomain": true');
    }
    customDomain.issuer = validateIssuer(issuer, 'issuer');
  }

  async reset(): Promise<void> {
    this.#state.reset();
  }
}
