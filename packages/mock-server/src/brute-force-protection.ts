import type { Clock } from './clock.js';
import type { ResolvedTenant } from './resolved-config.js';

interface Attempts {
  failures: number;
  blockedAt: number | undefined;
}

/**
 * Auth0's brute-force protection: consecutive failed logins are counted per (user, IP); at the
 * threshold that pair is blocked, even for the right password, until the block is lifted (or
 * `lockoutSeconds` of the mock's clock pass). A success resets the count.
 */
export class BruteForceProtection {
  readonly #clock: Clock;
  readonly #settings: ResolvedTenant['bruteForce'];
  #attempts = new Map<string, Attempts>();

  constructor(clock: Clock, settings: ResolvedTenant['bruteForce']) {
    this.#clock = clock;
    this.#settings = settings;
  }

  /** Whether logins as `loginName` of `connection` from `ip` are blocked. */
  isBlocked(connection: string, loginName: string, ip: string): boolean {
    if (!this.#settings.enabled) return false;
    const key = this.#key(connection, loginName, ip);
    const attempts = this.#attempts.get(key);
    if (attempts?.blockedAt === undefined) return false;
    const { lockoutSeconds } = this.#settings;
    if (
      lockoutSeconds !== null &&
      this.#clock.nowSeconds() - attempts.blockedAt >= lockoutSeconds
    ) {
      this.#attempts.delete(key);
      return false;
    }
    return true;
  }

  /** Counts a failed login; the threshold-th consecutive failure blocks the pair. */
  recordFailure(connection: string, loginName: string, ip: string): void {
    if (!this.#settings.enabled) return;
    const key = this.#key(connection, loginName, ip);
    const attempts = this.#attempts.get(key) ?? { failures: 0, blockedAt: undefined };
    attempts.failures += 1;
    if (attempts.failures >= this.#settings.threshold && attempts.blockedAt === undefined) {
      attempts.blockedAt = this.#clock.nowSeconds();
    }
    this.#attempts.set(key, attempts);
  }

  /** A successful login resets the count: only consecutive failures block. */
  recordSuccess(connection: string, loginName: string, ip: string): void {
    this.#attempts.delete(this.#key(connection, loginName, ip));
  }

  /** Lifts every block and forgets every count. */
  clear(): void {
    this.#attempts = new Map();
  }

  #key(connection: string, loginName: string, ip: string): string {
    return `${connection}\n${loginName.toLowerCase()}\n${ip}`;
  }
}
