import type { JWK } from 'jose';

/**
 * A JWS algorithm the mock can sign with. Auth0 tenants sign with `RS256`; the others exist so
 * that token validators can be tested against every algorithm they claim to support.
 */
export type SigningAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

/**
 * The shape of access tokens issued for an API.
 *
 * - `auth0`: Auth0's default profile (`typ: JWT`, `azp` and `gty` claims).
 * - `rfc9068`: the RFC 9068 profile (`typ: at+jwt`, `client_id` and `jti` claims in place of `azp`
 *   and `gty`), Auth0's "RFC 9068" token dialect.
 */
export type TokenProfile = 'auth0' | 'rfc9068';

/**
 * Whether an API takes sender-constrained (DPoP-bound) access tokens, as Auth0's "Token
 * Sender-Constraining" setting of an API ("Configure Sender Constraining"):
 *
 * - `none`: not configured. A token request with a DPoP proof still has its proof checked, but
 *   gets a Bearer token; a client that requires proof of possession gets none.
 * - `allowed`: a request with a valid DPoP proof gets a DPoP-bound token, one without a Bearer
 *   token.
 * - `required`: only DPoP-bound tokens are issued; a request without a proof is refused.
 */
export type ProofOfPossessionPolicy = 'none' | 'allowed' | 'required';

/**
 * How an API's access tokens are signed: Auth0's API setting "Signing Algorithm".
 *
 * - `RS256`: with the tenant's signing key, published in the JWKS (the first of
 *   {@link TenantConfig.signingKeys}: RS256 unless configured otherwise).
 * - `HS256`: HMAC-SHA256 with the API's "Signing Secret" ({@link ApiConfig.signingSecret}), which
 *   the API shares; no `kid` (Auth0 sends none for HS256). ID tokens stay signed by the tenant's key.
 *   The access tokens are for the API alone: no `/userinfo` audience even with `openid` (Auth0 adds
 *   it for RS256 APIs only), and `/userinfo` refuses them.
 */
export type ApiSigningAlgorithm = 'RS256' | 'HS256';

/** How a client authenticates at the token endpoint (Auth0's `token_endpoint_auth_method`). */
export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none';

/**
 * Which of two disagreeing sources the mock follows.
 *
 * - `observed`: what real Auth0 tenants answer, as quoted in public bug reports
 *   (client authentication failure `401 access_denied "Unauthorized"`, `403 mfa_required`).
 * - `documented`: what Auth0's documentation says (`401 invalid_client "Client authentication
 *   failed"`, `401 mfa_required`).
 */
export type Compatibility = 'observed' | 'documented';

/** An API (resource server) registered in the tenant. */
export interface ApiConfig {
  /** The API's identifier, used as the `audience` parameter and the access token's `aud`. */
  identifier: string;
  /** The scopes (permissions) the API defines. Default: `[]`. */
  scopes?: string[];
  /** Auth0's "Allow Offline Access": refresh tokens may be issued for this API. Default: `false`. */
  allowOfflineAccess?: boolean;
  /** Auth0's "Enable RBAC": granted scopes are limited to the user's permissions. Default: `false`. */
  rbac?: boolean;
  /** Auth0's "Add Permissions in the Access Token": a `permissions` claim. Default: `false`. */
  addPermissionsInAccessToken?: boolean;
  /** The access token profile. Default: `'auth0'`. */
  tokenProfile?: TokenProfile;
  /** Access token lifetime in seconds (Auth0's "Token Expiration"). Default: `86400`. */
  tokenLifetime?: number;
  /**
   * Auth0's "Token Sender-Constraining" with DPoP (RFC 9449): see {@link ProofOfPossessionPolicy}.
   * Default: `'none'`, as a new Auth0 API.
   */
  proofOfPossession?: ProofOfPossessionPolicy;
  /**
   * Auth0's "Signing Algorithm" of the API: see {@link ApiSigningAlgorithm}. Default: `'RS256'`.
   */
  signingAlgorithm?: ApiSigningAlgorithm;
  /**
   * Auth0's "Signing Secret" of the API: the HMAC key of its HS256 access tokens, used as its UTF-8
   * bytes. At least 32 characters (so at least 32 bytes: RFC 7518 section 3.2 wants a key as long
   * as the hash); required with `signingAlgorithm: 'HS256'`, refused otherwise. Never printed in
   * errors or logs. Default: none.
   */
  signingSecret?: string;
}

/** Auth0's per-application refresh token settings. */
export interface RefreshTokenSettings {
  /**
   * `rotating`: every refresh returns a new refresh token and the used one stops working; reusing
   * it revokes the whole family (reuse detection). Default: `'non-rotating'`, Auth0's default for a
   * Regular Web Application.
   */
  rotation?: 'rotating' | 'non-rotating';
  /**
   * Auth0's "Reuse Interval" (leeway), in seconds: how long a rotated token may still be used
   * without tripping reuse detection. Default: `0`.
   */
  reuseInterval?: number;
  /** Absolute lifetime of a refresh token family, in seconds. Default: `2592000` (30 days). */
  lifetime?: number;
  /**
   * Auth0's "Idle Refresh Token Lifetime", in seconds: a refresh token not exchanged for this long
   * expires; each exchange starts the period again. At most {@link lifetime} when both are given.
   * Default: `2592000` (30 days, Auth0's default).
   */
  idleLifetime?: number;
}

/** An application (OAuth client) registered in the tenant. */
export interface ClientConfig {
  /** The client's id. */
  clientId: string;
  /** The client's secret; absent for a public client. Never printed in errors or logs. */
  clientSecret?: string;
  /**
   * How the client must authenticate. Default: `'client_secret_post'` when a secret is set,
   * otherwise `'none'`.
   */
  tokenEndpointAuthMethod?: ClientAuthMethod;
  /**
   * Grant types the client may use, as Auth0 names them (`password`,
   * `http://auth0.com/oauth/grant-type/password-realm`, `refresh_token`,
   * `http://auth0.com/oauth/grant-type/mfa-otp`, ...). Default: Auth0's defaults for a new Regular
   * Web Application, `['authorization_code', 'implicit', 'refresh_token', 'client_credentials']`,
   * which do not include `password`: the seed tutorial says to add it.
   */
  grantTypes?: string[];
  /**
   * Auth0's "Trust Token Endpoint IP Header": honour `auth0-forwarded-for` when the client
   * authenticated with its secret. Default: `false`.
   */
  trustForwardedFor?: boolean;
  /** ID token lifetime in seconds (Auth0's "ID Token Expiration"). Default: `36000`. */
  idTokenLifetime?: number;
  /** Refresh token rotation and lifetime. Defaults: see {@link RefreshTokenSettings}. */
  refreshToken?: RefreshTokenSettings;
  /**
   * Auth0's "Require Sender Constraining" (`require_proof_of_possession`): a token request without
   * a DPoP proof is refused (`400 invalid_request`), and so is one for an API whose
   * {@link ApiConfig.proofOfPossession} is `none`. Default: `false`.
   */
  requireProofOfPossession?: boolean;
  /**
   * mTLS token binding (Auth0's "mTLS Token Binding" of Highly Regulated Identity; the name is RFC
   * 8705 section 3.4's client metadata): a token request received on the custom domain's listener
   * ({@link MockServerConfig.customDomain}) with a client certificate forwarded by the customer's
   * edge (`client-certificate`, verified: `client-certificate-ca-verified: SUCCESS`) gets an access
   * token bound to it, `cnf: { "x5t#S256": ... }` (RFC 8705 section 3.1). Without a certificate the
   * token is a Bearer token, unless {@link requireProofOfPossession} is on: then a request with
   * neither a certificate nor a DPoP proof is refused. Confidential clients only, as in Auth0.
   * Default: `false`.
   */
  tlsClientCertificateBoundAccessTokens?: boolean;
}

/** A user's multi-factor enrolment. */
export interface MfaEnrolment {
  /**
   * Whether this user must pass MFA on the password grant. Default: `true` (an enrolled user is
   * challenged, as with Auth0's "Always" policy).
   */
  required?: boolean;
  /** The user's TOTP secret in base32 (RFC 4648), for RFC 6238 codes. Absent: not enrolled in OTP. */
  totpSecret?: string;
  /** Single-use recovery codes. Default: `[]`. */
  recoveryCodes?: string[];
  /** Phone numbers (E.164, `+15555550100`) enrolled for SMS codes. Default: `[]`. */
  sms?: string[];
  /** Phone numbers (E.164) enrolled for voice calls. Default: `[]`. */
  voice?: string[];
  /** Email addresses enrolled for email codes. Default: `[]`. */
  email?: string[];
  /** Devices (their names) enrolled in Guardian push notifications. Default: `[]`. */
  push?: string[];
}

/**
 * A multi-factor authentication factor a tenant can enable, by the name Auth0's Management API
 * gives it (`/api/v2/guardian/factors/{name}`); Auth0's "Phone Message" factor is `sms` and
 * `voice` here.
 */
export type MfaFactor = 'otp' | 'sms' | 'voice' | 'email' | 'push-notification' | 'recovery-code';

/** A user of a database connection. */
export interface UserConfig {
  /** The user's email; also a login name. */
  email: string;
  /** The user's password. Never printed in errors or logs. */
  password: string;
  /** An alternative login name. Default: none. */
  username?: string;
  /**
   * The id after `auth0|` in `sub`. Default: 24 hex digits derived from the connection and email,
   * so it is stable across restarts.
   */
  userId?: string;
  /** `name` claim. Default: the email. */
  name?: string;
  /** `nickname` claim. Default: the part of the email before `@`. */
  nickname?: string;
  /** `picture` claim. Default: none. */
  picture?: string;
  /** `email_verified` claim. Default: `true`. */
  emailVerified?: boolean;
  /**
   * When the profile was last updated, in seconds since the epoch: the `updated_at` claim of the ID
   * token and `/userinfo` (with the `profile` scope), sent as {@link TenantConfig.updatedAtFormat}
   * says. Default: when the server started; for a user set through the control API, when it was
   * set.
   */
  updatedAt?: number;
  /** RBAC permissions per API identifier. Default: `{}`. */
  permissions?: Record<string, string[]>;
  /** MFA enrolment. Default: none (not enrolled, not required). */
  mfa?: MfaEnrolment;
  /** Blocked by an administrator: logins fail with `401 unauthorized "user is blocked"`. Default: `false`. */
  blocked?: boolean;
}

/** A user directory (Auth0 database connection), usable as a `realm`. */
export interface ConnectionConfig {
  /** The connection's name, e.g. `Username-Password-Authentication`. */
  name: string;
  /** Its users. Default: `[]`. */
  users?: UserConfig[];
}

/**
 * A declarative stand-in for an Auth0 rule (see the seed's "Customize tokens"): it runs after
 * authentication on every token issuance whose conditions all match, in order.
 */
export interface RuleConfig {
  /** A name, for error messages. */
  name: string;
  /** Only for this connection. Default: every connection. */
  connection?: string;
  /** Only for this client. Default: every client. */
  clientId?: string;
  /** Only for the user with this email. Default: every user. */
  user?: string;
  /** Deny with `403 access_denied` and this message. Default: no denial. */
  deny?: string;
  /** Namespaced claims added to the access token (`context.accessToken[...]`). Default: `{}`. */
  accessTokenClaims?: Record<string, unknown>;
  /** Namespaced claims added to the ID token (`context.idToken[...]`). Default: `{}`. */
  idTokenClaims?: Record<string, unknown>;
  /** Replaces the access token's scope (`context.accessToken.scope = [...]`). Default: unchanged. */
  scope?: string[];
}

/** A signing key; the first configured key signs, the others are only published. */
export interface SigningKeyConfig {
  /** Algorithm. Default: `'RS256'`. */
  alg?: SigningAlgorithm;
  /** Key id. Default: the RFC 7638 thumbprint of the public key. */
  kid?: string;
  /** A fixed private key as a JWK. Default: a key generated at start. Never printed. */
  privateJwk?: JWK;
}

/** Auth0's brute-force protection. */
export interface BruteForceConfig {
  /** Default: `true`. */
  enabled?: boolean;
  /** Consecutive failures per (user, IP) before the block, 1 to 100. Default: `10`. */
  threshold?: number;
  /**
   * How long a block lasts, in seconds of the mock's clock. Default: `null`, the block lasts until
   * the control API clears it or the server is reset (Auth0 keeps it until the user unblocks).
   */
  lockoutSeconds?: number | null;
}

/**
 * A fixed-window rate limit: on `POST /oauth/token` per end-user IP ({@link TenantConfig.rateLimit}),
 * on `/userinfo` per user ({@link TenantConfig.userinfoRateLimit}).
 */
export interface RateLimitConfig {
  /** Requests allowed per window. */
  limit: number;
  /** Window length in seconds of the mock's clock. */
  windowSeconds: number;
}

/** The tenant's DPoP settings (RFC 9449) for the proofs its endpoints receive. */
export interface DpopConfig {
  /**
   * Require a server-provided nonce in every DPoP proof (RFC 9449 section 8): a proof without a
   * current one is answered `400 use_dpop_nonce` with a fresh nonce in the `DPoP-Nonce` header,
   * and every token endpoint answer carries one. Default: `false`.
   */
  requireNonce?: boolean;
  /**
   * How long a nonce is accepted, in seconds of the mock's clock: a nonce belongs to a period of
   * this length and is accepted in that period and the next, so for one to two lifetimes.
   * Default: `300`.
   */
  nonceLifetime?: number;
}

/** The tenant: everything Auth0 would hold in its dashboard. */
export interface TenantConfig {
  /**
   * The JSON Schema of a JSON configuration file, for editors
   * (`./node_modules/@ropkit/mock-server/schema/tenant.schema.json`). Ignored.
   */
  $schema?: string;
  /**
   * The issuer, `https://TENANT/`: an absolute URL with path `/`. It is never taken from the Host
   * header. Default: the server's own URL with a trailing slash.
   */
  issuer?: string;
  /**
   * The issuer of the tenant's custom domain, `https://login.example.com/`, for requests received
   * on the custom domain's listener ({@link MockServerConfig.customDomain}). Default: that
   * listener's own URL with a trailing slash.
   */
  customDomainIssuer?: string;
  /**
   * The tenant's "Default Directory": the connection used by `grant_type=password` without a realm.
   * Default: none, as in a new Auth0 tenant (password grants then fail with `500 server_error`).
   */
  defaultDirectory?: string;
  /** The tenant's "Default Audience", used when a request has no `audience`. Default: none. */
  defaultAudience?: string;
  /** APIs. Default: `[]`. */
  apis?: ApiConfig[];
  /** Applications. Default: `[]`. */
  clients?: ClientConfig[];
  /** Database connections and their users. Default: `[]`. */
  connections?: ConnectionConfig[];
  /** Rules, applied in order. Default: `[]`. */
  rules?: RuleConfig[];
  /** Signing keys, the first one signs. Default: `[{ alg: 'RS256' }]`, generated at start. */
  signingKeys?: SigningKeyConfig[];
  /** Brute-force protection. Defaults: see {@link BruteForceConfig}. */
  bruteForce?: BruteForceConfig;
  /** Rate limit on the token endpoint. Default: none (no limit, no `X-RateLimit-*` headers). */
  rateLimit?: RateLimitConfig;
  /**
   * Rate limit on `/userinfo`, counted per user (the token's `sub`), as Auth0 limits it per user ID
   * (Auth0: a burst of 10, then 5 a minute; `{ limit: 10, windowSeconds: 60 }` comes close).
   * Default: none (no limit, no `X-RateLimit-*` headers).
   */
  userinfoRateLimit?: RateLimitConfig;
  /** Which error forms to reproduce where the docs and real Auth0 disagree. Default: `'observed'`. */
  compatibility?: Compatibility;
  /**
   * How the `updated_at` claim is sent. `iso8601`: a date string such as
   * `"2025-01-01T00:00:00.000Z"`, as Auth0 sends it (observed, and typed so in Auth0's SDKs);
   * `epoch-seconds`: a JSON number of seconds, as OIDC Core section 5.1 specifies. Default:
   * `'iso8601'`.
   */
  updatedAtFormat?: 'iso8601' | 'epoch-seconds';
  /**
   * `always`: every user must pass MFA on the password grant (Auth0's "Always" policy);
   * `never`: only users whose {@link MfaEnrolment.required} is on. Default: `'never'`.
   */
  mfaPolicy?: 'never' | 'always';
  /** Lifetime of an `mfa_token`, in seconds. Default: `600` (Auth0: 10 minutes). */
  mfaTokenLifetime?: number;
  /**
   * The MFA factors enabled in the tenant: what users can enrol (`mfa_requirements.enroll`,
   * `/mfa/associate`) and be challenged with. Default: all of them.
   */
  mfaFactors?: MfaFactor[];
  /**
   * Lifetime of an `oob_code` (an SMS, voice or email code, a push notification, a push
   * enrolment), in seconds. Default: `300` (Auth0: 5 minutes).
   */
  mfaOobCodeLifetime?: number;
  /**
   * The polling interval of a push challenge, in seconds: polling the `mfa-oob` grant again sooner
   * answers `slow_down` and adds 5 seconds to the interval (RFC 8628 section 3.5). Default: `5`.
   */
  mfaPushPollInterval?: number;
  /** DPoP proof handling (nonces). Defaults: see {@link DpopConfig}. */
  dpop?: DpopConfig;
  /**
   * Step-up on request: a password or password-realm grant whose `acr_values` lists
   * `http://schemas.openid.net/pape/policies/2007/06/multi-factor` is answered `mfa_required`, as
   * the Action of Auth0's "Configure Step-up Authentication for Web Apps" does
   * (`if (event.transaction.acr_values.includes(MFA_URI)) api.multifactor.enable('any')`); the
   * tokens of the MFA grant that follows carry that `acr`, `amr: ["mfa"]` and the MFA's
   * `auth_time`. `false`: `acr_values` is ignored, as in a tenant without that Action.
   * Default: `true`.
   */
  mfaOnAcrValues?: boolean;
}

/** Everything {@link startMockServer} accepts: the tenant plus where and how to listen. */
export interface MockServerConfig extends TenantConfig {
  /** Address to bind. Default: `'127.0.0.1'`. */
  host?: string;
  /** Port to bind; `0` picks a free port. Default: `0`. */
  port?: number;
  /** Serve the control API under `/__ropkit/`. Default: `false`. */
  controlApi?: boolean;
  /**
   * Also answer as the tenant's custom domain: a second listener on `host`, whose requests are
   * served under {@link TenantConfig.customDomainIssuer} (discovery, `iss` of the tokens it issues,
   * DPoP `htu`, `/userinfo`), with the same tenant state (users, keys, refresh tokens, MFA).
   * Default: `false`.
   */
  customDomain?: boolean;
  /** The custom domain listener's port; `0` picks a free port. Default: `0`. */
  customDomainPort?: number;
}

/**
 * Returns its argument, typed: a convenience for writing tenant configurations with editor help.
 *
 * @example
 * ```ts
 * const tenant = defineTenant({ defaultDirectory: 'Username-Password-Authentication', ... });
 * ```
 */
export function defineTenant<T extends MockServerConfig>(config: T): T {
  return config;
}
