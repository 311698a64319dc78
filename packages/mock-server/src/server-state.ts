import { BruteForceProtection } from './brute-force-protection.js';
import { Clock } from './clock.js';
import { DpopNonces } from './dpop-nonce.js';
import { DpopReplayCache } from './dpop-replay-cache.js';
import { FaultQueue } from './fault-queue.js';
import { MfaOobStore } from './mfa-oob-store.js';
import { MfaTokenStore } from './mfa-token-store.js';
import { RateLimiter } from './rate-limiter.js';
import { RefreshTokenStore } from './refresh-token-store.js';
import { RequestLog } from './request-log.js';
import type { ResolvedApi, ResolvedTenant } from './resolved-config.js';
import type { ProfileSettings } from './scopes.js';
import type { SigningKeyStore } from './signing-keys.js';
import { TenantDirectory } from './tenant-directory.js';

/** The scopes of Auth0's MFA API ("Manage Authentication Factors with Authentication API"). */
export const MFA_API_SCOPES = ['enroll', 'read:authenticators', 'remove:authenticators'] as const;

/** Access tokens for the MFA API live 10 minutes; Auth0: "This value cannot be configured". */
const MFA_API_TOKEN_LIFETIME = 600;

/**
 * Everything a running mock server holds; the endpoints and the control API share it. A tenant
 * with a custom domain has two: the tenant domain's and the custom domain's
 * ({@link ServerState.customDomain}), which share every store and differ only in the issuer their
 * requests are served under.
 */
export class ServerState {
  /** The tenant as configured (settings that the control API does not change). */
  readonly tenant: ResolvedTenant;
  readonly clock: Clock;
  readonly directory: TenantDirectory;
  readonly keys: SigningKeyStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly mfaTokens: MfaTokenStore;
  /** `oob_code`s of SMS, voice, email and push verifications, and the messages sent. */
  readonly mfaOob: MfaOobStore;
  readonly bruteForce: BruteForceProtection;
  readonly rateLimiter: RateLimiter | undefined;
  /** The `/userinfo` limit, counted per user id. */
  readonly userinfoRateLimiter: RateLimiter | undefined;
  /** When the server started, epoch seconds: the default `updated_at` of configured users. */
  readonly startedAt: number;
  readonly faults: FaultQueue;
  readonly requestLog: RequestLog;
  /** DPoP proofs accepted within their window (RFC 9449 section 11.1). */
  readonly dpopReplay: DpopReplayCache;
  /** Server-provided DPoP nonces (RFC 9449 section 8); used when `dpop.requireNonce` is on. */
  readonly dpopNonces: DpopNonces;
  /** True for the custom domain's view ({@link withIssuer}). */
  readonly isCustomDomain: boolean;
  /** The custom domain's view of this tenant, when the server listens as one. */
  customDomain: ServerState | undefined;
  #issuer: string;

  /**
   * The tenant's state under `issuer`. With `shared`, a second name for `shared`'s tenant: every
   * store is `shared`'s (see {@link withIssuer}).
   */
  constructor(tenant: ResolvedTenant, keys: SigningKeyStore, issuer: string, shared?: ServerState) {
    this.tenant = tenant;
    this.keys = keys;
    this.clock = shared?.clock ?? new Clock();
    this.directory = shared?.directory ?? new TenantDirectory(tenant);
    this.refreshTokens = shared?.refreshTokens ?? new RefreshTokenStore(this.clock);
    this.mfaTokens = shared?.mfaTokens ?? new MfaTokenStore(this.clock);
    this.mfaOob = shared?.mfaOob ?? new MfaOobStore(this.clock);
    this.bruteForce = shared?.bruteForce ?? new BruteForceProtection(this.clock, tenant.bruteForce);
    this.rateLimiter =
      shared === undefined
        ? tenant.rateLimit === undefined
          ? undefined
          : new RateLimiter(this.clock, tenant.rateLimit)
        : shared.rateLimiter;
    this.userinfoRateLimiter =
      shared === undefined
        ? tenant.userinfoRateLimit === undefined
          ? undefined
          : new RateLimiter(this.clock, tenant.userinfoRateLimit)
        : shared.userinfoRateLimiter;
    this.startedAt = shared?.startedAt ?? this.clock.nowSeconds();
    this.faults = shared?.faults ?? new FaultQueue();
    this.requestLog = shared?.requestLog ?? new RequestLog();
    this.dpopReplay = shared?.dpopReplay ?? new DpopReplayCache(this.clock);
    this.dpopNonces = shared?.dpopNonces ?? new DpopNonces(tenant.dpop.nonceLifetime);
    this.isCustomDomain = shared !== undefined;
    this.#issuer = issuer;
  }

  /**
   * The same tenant under a second issuer, as Auth0 serves a tenant with a custom domain on both
   * names: every store is shared, and what depends on the name (discovery, `iss`, the userinfo
   * and MFA API audiences, DPoP `htu`) follows `issuer`. Auth0, "Get Access Tokens": tokens are
   * issued "with the issuer (iss) claim of the domain used when requesting the token".
   */
  withIssuer(issuer: string): ServerState {
    return new ServerState(this.tenant, this.keys, issuer, this);
  }

  /** The issuer, `https://TENANT/`, with its trailing slash. */
  get issuer(): string {
    return this.#issuer;
  }

  /**
   * Changes the issuer (already validated). {@link reset} keeps it: the issuer says where the server
   * is reached (a container's mapped port), which a test reset does not change.
   */
  set issuer(issuer: string) {
    this.#issuer = issuer;
  }

  /** The userinfo URL, which is also the second audience of tokens granted `openid`. */
  get userinfoUrl(): string {
    return `${this.#issuer}userinfo`;
  }

  /** The MFA API's audience, `https://TENANT/mfa/`. */
  get mfaAudience(): string {
    return `${this.#issuer}mfa/`;
  }

  /**
   * Auth0's MFA API as an API of the tenant: the password grant may ask for its audience (and must
   * pass MFA to get it), and its tokens carry the scopes `enroll`, `read:authenticators` and
   * `remove:authenticators`. Its endpoints take Bearer tokens only, so its tokens are never
   * sender-constrained.
   */
  get mfaApi(): ResolvedApi {
    return {
      identifier: this.mfaAudience,
      scopes: [...MFA_API_SCOPES],
      allowOfflineAccess: true,
      rbac: false,
      addPermissionsInAccessToken: false,
      tokenProfile: 'auth0',
      tokenLifetime: MFA_API_TOKEN_LIFETIME,
      proofOfPossession: 'none',
      signingAlgorithm: 'RS256',
      signingSecret: undefined,
    };
  }

  /** What {@link profileClaims} needs for `updated_at`. */
  get profileSettings(): ProfileSettings {
    return { defaultUpdatedAt: this.startedAt, updatedAtFormat: this.tenant.updatedAtFormat };
  }

  /** Back to how the server started, except the issuers (see the setter). */
  reset(): void {
    this.clock.reset();
    this.directory.reset();
    this.keys.reset();
    this.refreshTokens.reset();
    this.mfaTokens.reset();
    this.mfaOob.reset();
    this.bruteForce.clear();
    this.rateLimiter?.reset();
    this.userinfoRateLimiter?.reset();
    this.faults.clear();
    this.requestLog.clear();
    this.dpopReplay.clear();
  }
}
