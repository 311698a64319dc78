import { randomBytes } from 'node:crypto';
import type { RefreshLock } from '@ropkit/core';

/**
 * Compare-and-delete, then wake the waiters: a holder whose lock expired and was taken by
 * another instance must not delete that instance's lock (a plain DEL would).
 */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  redis.call('publish', ARGV[2], '1')
  return 1
end
return 0`;

/** Compare-and-extend, for the same reason. */
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

/** What a lock needs from the store: one Redis call each, under the store's timeout policy. */
export interface LockCommands {
  tryAcquire(name: string, token: string, ttlMs: number): Promise<boolean>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * Takes the refresh lock `name` (`SET name token NX PX ttl`) with a random token only this holder
 * knows. `undefined` when another holder has it.
 */
export async function acquireLock(
  commands: LockCommands,
  name: string,
  channel: string,
  ttlMs: number,
): Promise<RefreshLock | undefined> {
  const token = randomBytes(16).toString('base64url');
  if (!(await commands.tryAcquire(name, token, ttlMs))) return undefined;
  return new RedisRefreshLock(commands, name, channel, token, ttlMs);
}

/**
 * A held lock. It extends itself every third of its TTL while held, so a refresh slowed by
 * retries keeps it, while a crashed holder (no more extensions) loses it after one TTL.
 */
class RedisRefreshLock implements RefreshLock {
  readonly #commands: LockCommands;
  readonly #name: string;
  readonly #channel: string;
  readonly #token: string;
  readonly #timer: NodeJS.Timeout;
  #released = false;

  constructor(commands: LockCommands, name: string, channel: string, token: string, ttlMs: number) {
    this.#commands = commands;
    this.#name = name;
    this.#channel = channel;
    this.#token = token;
    this.#timer = setInterval(
      () => {
        this.#commands
          .eval(EXTEND, [this.#name], [this.#token, String(ttlMs)])
          .then((extended) => {
            // Lost (expired and taken over): stop; the refresh in progress still completes.
            if (extended !== 1) clearInterval(this.#timer);
          })
          .catch(() => undefined);
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
    this.#timer.unref();
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    // Unreleased, it expires after its TTL: nothing more to do on failure.
    await this.#commands
      .eval(RELEASE, [this.#name], [this.#token, this.#channel])
      .catch(() => undefined);
  }
}
