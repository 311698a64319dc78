import { randomBytes } from 'node:crypto';
import type { Authentication } from './authentication-claims.js';
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
  /**
   * The thumbprint of the DPoP key the family is bound to (RFC 9449 section 5: a public client's
   * refresh token obtained with a proof); `undefined` when not bound.
   */
  readonly jkt: string | undefined;
  /**
   * The authentication the family stems from: a refresh is no authentication, so its tokens keep
   * this `auth_time` (OIDC Core section 12.2), `acr` and `amr`.
   */
  readonly authentication: Authentication;
}

interface Family {
  readonly grant: RefreshGrant;
  /** The absolute expiry, fixed at issuance (Auth0: "determined at issuance"). */
  readonly expiresAt: number;
  /** When a token of the family was issued or last exchanged: the idle lifetime counts from it. */
  lastActiveAt: number;
  /** The token whose rotation was the latest: the only one the reuse interval lets back in. */
  previous: string | undefined;
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
 * belongs to the first one's family. Reusing a rotated token revokes the family (reuse
 * detection, RFC 9700 section 4.14.2; Auth0 "Refresh Token Rotation"), except the immediately
 * previous token within the reuse interval (Auth0: "Only the previous token can be reused; if the
 * second-to-last refresh token is exchanged, breach detection is triggered"). A family expires
 * at its absolute lifetime, or when no token of it was exchanged for the idle lifetime (Auth0
 * "Configure Refresh Token Expiration": the idle period "is renewed each time the refresh token
 * is exchanged").
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
    const now = this.#clock.nowSeconds();
    this.#families.set(familyId, {
      grant,
      expiresAt: now + lifetimeSeconds,
      lastActiveAt: now,
      previous: undefined,
      revoked: false,
    });
    return this.#addToken(familyId);
  }

  /**
   * Uses `token` on behalf of `client`: `check` runs on the grant first and may throw, leaving the
   * token unused. Returns the grant, and the replacement token when the client rotates refresh
   * tokens. Returns `undefined` for a token that is unknown, expired (absolute or idle, by the
   * client's current `idleLifetime`), revoked, another client's, or reused (which also revokes
   * its family).
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
    const { rotation, reuseInterval, idleLifetime } = client.refreshToken;
    if (now >= family.lastActiveAt + idleLifetime) return undefined;
    if (rotation === 'non-rotating') {
      check(family.grant);
      family.lastActiveAt = now;
      return { grant: family.grant, replacement: undefined };
    }
    if (
      stored.consumedAt !== undefined &&
      (token !== family.previous || now - stored.consumedAt >= reuseInterval)
    ) {
      // A rotated token came back after its reuse interval, or an older one than the previous:
      // assume it was stolen.
      family.revoked = true;
      return undefined;
    }
    check(family.grant);
    if (stored.consumedAt === undefined) {
      stored.consumedAt = now;
      family.previous = token;
    }
    family.lastActiveAt = now;
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
