import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type {
  ApiSigningAlgorithm,
  ClientAuthMethod,
  Compatibility,
  MfaFactor,
  ProofOfPossessionPolicy,
  SigningAlgorithm,
  TokenProfile,
} from './config.js';

/** An {@link ApiConfig} with every default applied. */
export interface ResolvedApi {
  identifier: string;
  scopes: string[];
  allowOfflineAccess: boolean;
  rbac: boolean;
  addPermissionsInAccessToken: boolean;
  tokenProfile: TokenProfile;
  tokenLifetime: number;
  proofOfPossession: ProofOfPossessionPolicy;
  signingAlgorithm: ApiSigningAlgorithm;
  /**
   * The "Signing Secret" of an HS256 API as a secret `KeyObject` (which `inspect` and
   * `JSON.stringify` do not reveal); `undefined` for an RS256 API.
   */
  signingSecret: KeyObject | undefined;
}

/** A {@link ClientConfig} with every default applied. */
export interface ResolvedClient {
  clientId: string;
  clientSecret: string | undefined;
  tokenEndpointAuthMethod: ClientAuthMethod;
  grantTypes: string[];
  trustForwardedFor: boolean;
  idTokenLifetime: number;
  refreshToken: {
    rotation: 'rotating' | 'non-rotating';
    reuseInterval: number;
    lifetime: number;
    idleLifetime: number;
  };
  requireProofOfPossession: boolean;
  tlsClientCertificateBoundAccessTokens: boolean;
}

/** The kinds of MFA authenticator a user can have (recovery codes are kept apart). */
export type AuthenticatorKind = 'otp' | 'sms' | 'voice' | 'email' | 'push';

/** One enrolled (or, `active: false`, associated but not yet confirmed) authenticator. */
export interface ResolvedAuthenticator {
  /** Auth0's form: `totp|dev_…`, `sms|dev_…`, `voice|dev_…`, `email|dev_…`, `push|dev_…`. */
  readonly id: string;
  readonly kind: AuthenticatorKind;
  /** Confirmed: usable for challenges. */
  active: boolean;
  /** The TOTP secret (`otp`). */
  readonly secret: Buffer | undefined;
  /** The phone number (`sms`, `voice`) or email address (`email`). */
  readonly address: string | undefined;
  /** The device's name (`push`). */
  readonly name: string | undefined;
}

/** A user's MFA state: configured, then changed at run time by enrolments and recovery codes. */
export interface ResolvedMfa {
  required: boolean;
  authenticators: ResolvedAuthenticator[];
  recoveryCodes: string[];
  /** `false` while the codes come from an enrolment not yet confirmed. */
  recoveryCodesActive: boolean;
  /** The id of the recovery-code authenticator, `recovery-code|dev_…`. */
  readonly recoveryCodeId: string;
}

/** A {@link UserConfig} with every default applied. */
export interface ResolvedUser {
  email: string;
  password: string;
  username: string | undefined;
  userId: string;
  name: string;
  nickname: string;
  picture: string | undefined;
  emailVerified: boolean;
  /** `undefined`: not configured; the server fills in its start time. */
  updatedAt: number | undefined;
  permissions: Record<string, string[]>;
  mfa: ResolvedMfa | undefined;
  blocked: boolean;
}

/** A {@link ConnectionConfig} with every default applied. */
export interface ResolvedConnection {
  name: string;
  users: ResolvedUser[];
}

/** A {@link RuleConfig} with every default applied. */
export interface ResolvedRule {
  name: string;
  connection: string | undefined;
  clientId: string | undefined;
  user: string | undefined;
  deny: string | undefined;
  accessTokenClaims: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
  scope: string[] | undefined;
}

/** A {@link SigningKeyConfig} with every default applied. */
export interface ResolvedSigningKeyConfig {
  alg: SigningAlgorithm;
  kid: string | undefined;
  privateJwk: JWK | undefined;
}

/** A {@link TenantConfig} with every default applied. */
export interface ResolvedTenant {
  issuer: string | undefined;
  customDomainIssuer: string | undefined;
  defaultDirectory: string | undefined;
  defaultAudience: string | undefined;
  apis: ResolvedApi[];
  clients: ResolvedClient[];
  connections: ResolvedConnection[];
  rules: ResolvedRule[];
  signingKeys: ResolvedSigningKeyConfig[];
  bruteForce: { enabled: boolean; threshold: number; lockoutSeconds: number | null };
  rateLimit: { limit: number; windowSeconds: number } | undefined;
  userinfoRateLimit: { limit: number; windowSeconds: number } | undefined;
  compatibility: Compatibility;
  updatedAtFormat: 'iso8601' | 'epoch-seconds';
  mfaPolicy: 'never' | 'always';
  mfaTokenLifetime: number;
  mfaFactors: MfaFactor[];
  mfaOobCodeLifetime: number;
  mfaPushPollInterval: number;
  dpop: { requireNonce: boolean; nonceLifetime: number };
  mfaOnAcrValues: boolean;
}

/** A {@link MockServerConfig} with every default applied. */
export interface ResolvedServerConfig {
  tenant: ResolvedTenant;
  host: string;
  port: number;
  controlApi: boolean;
  /** The custom domain listener's port, when it is on. */
  customDomainPort: number | undefined;
}
