import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { ResolvedClient } from './resolved-config.js';

/** What a refresh token stands for: the authorization it can renew. */
export interface RefreshGrant {
  readonly clientId: string;
  readonly userId: string;
  readonly connection: string;
  readonly audience: string | undefined;
  /** The scopes of the original grant (before rules); a refresh may ask for a subset. */
  readonly scopes: readonly string[];
}

interface Family {
  readonly grant: RefreshGrant;
  readonly expiresAt: number;
  revoked: boolean;
}

interface StoredToken {
  readonly familyId: string;
  /** When rotation replaced this token (mock clock, seconds); unset while it is the newest. */
  consumedAt: number | undefined;
}

/** The outcome of revoking a token (RFC 7009). */
export type RevocationOutcome = 'revoked' | 'unknown' | 'other-client';

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Refresh tokens kept in state, grouped in families: every token obtained by rotating another
 * belongs to the first one's family. Reusing a rotated token outside the reuse interval revokes
 * the family (reuse detection, RFC 9700 section 4.14.2; Auth0 "Refresh Token Rotation").
 */
export class RefreshTokenStore {
  readonly #clock: Clock;
  #tokens = new Map<string, StoredToken>();
  #families = new Map<string, Family>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Starts a family for `grant` and returns its first token. */
  issue(grant: RefreshGrant, lifetimeSeconds: number): string {
    const familyId = newToken();
    this.#families.set(familyId, {
      grant,
      expiresAt: this.#clock.nowSeconds() + lifetimeSeconds,
      revoked: false,
    });
    return this.#addToken(familyId);
  }

  /**
   * Uses `token` on behalf of `client`: `check` runs on the grant first and may throw, leaving the
   * token unused. Returns the grant, and the replacement token when the client rotates refresh
   * tokens. Returns `undefined` for a token that is unknown, expired, revoked, another client's,
   * or reused (which also revokes its family).
   */
  use(
    token: string,
    client: ResolvedClient,
    check: (grant: RefreshGrant) => void,
  ): { grant: RefreshGrant; replacement: string | undefined } | undefined {
    const stored = this.#tokens.get(token);
    if (stored === undefined) return undefined;
    const family = this.#families.get(stored.familyId);
    const now = this.#clock.nowSeconds();
    if (family === undefined || family.revoked || now >= family.expiresAt) return undefined;
    if (family.grant.clientId !== client.clientId) return undefined;
    const { rotation, reuseInterval } = client.refreshToken;
    if (rotation === 'non-rotating') {
      check(family.grant);
      return { grant: family.grant, replacement: undefined };
    }
    if (stored.consumedAt !== undefined && now - stored.consumedAt >= reuseInterval) {
      // A rotated token came back after its reuse interval: assume it was stolen.
      family.revoked = true;
      return undefined;
    }
    check(family.grant);
    stored.consumedAt ??= now;
    return { grant: family.grant, replacement: this.#addToken(stored.familyId) };
  }

  /** Revokes the family of `token` if `clientId` owns it (RFC 7009 section 2.1). */
  revoke(token: string, clientId: string): RevocationOutcome {
    const stored = this.#tokens.get(token);
    const family = stored === undefined ? undefined : this.#families.get(stored.familyId);
    if (family === undefined) return 'unknown';
    if (family.grant.clientId !== clientId) return 'other-client';
    family.revoked = true;
    return 'revoked';
  }

  /** Forgets every token. */
  reset(): void {
    this.#tokens = new Map();
    this.#families = new Map();
  }

  #addToken(familyId: string): string {
    const token = newToken();
    this.#tokens.set(token, { familyId, consumedAt: undefined });
    return token;
  }
}
