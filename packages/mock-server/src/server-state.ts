import { BruteForceProtection } from './brute-force-protection.js';
import { Clock } from './clock.js';
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

/** Everything a running mock server holds; the endpoints and the control API share it. */
export class ServerState {
  /** The tenant as configured (settings that the control API does not change). */
  readonly tenant: ResolvedTenant;
  readonly clock = new Clock();
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
  readonly faults = new FaultQueue();
  readonly requestLog = new RequestLog();
  #issuer: string;

  constructor(tenant: ResolvedTenant, keys: SigningKeyStore, issuer: string) {
    this.tenant = tenant;
    this.keys = keys;
    this.directory = new TenantDirectory(tenant);
    this.refreshTokens = new RefreshTokenStore(this.clock);
    this.mfaTokens = new MfaTokenStore(this.clock);
    this.mfaOob = new MfaOobStore(this.clock);
    this.bruteForce = new BruteForceProtection(this.clock, tenant.bruteForce);
    this.rateLimiter =
      tenant.rateLimit === undefined ? undefined : new RateLimiter(this.clock, tenant.rateLimit);
    this.userinfoRateLimiter =
      tenant.userinfoRateLimit === undefined
        ? undefined
        : new RateLimiter(this.clock, tenant.userinfoRateLimit);
    this.startedAt = this.clock.nowSeconds();
    this.#issuer = issuer;
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
   * `remove:authenticators`.
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
    };
  }

  /** What {@link profileClaims} needs for `updated_at`. */
  get profileSettings(): ProfileSettings {
    return { defaultUpdatedAt: this.startedAt, updatedAtFormat: this.tenant.updatedAtFormat };
  }

  /** Back to how the server started, except the issuer (see the setter). */
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
  }
}
