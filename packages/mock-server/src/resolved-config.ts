import type { JWK } from 'jose';
import type { ClientAuthMethod, Compatibility, SigningAlgorithm, TokenProfile } from './config.js';

/** An {@link ApiConfig} with every default applied. */
export interface ResolvedApi {
  identifier: string;
  scopes: string[];
  allowOfflineAccess: boolean;
  rbac: boolean;
  addPermissionsInAccessToken: boolean;
  tokenProfile: TokenProfile;
  tokenLifetime: number;
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
  };
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
  mfa:
    | {
        required: boolean;
        totpSecret: Buffer | undefined;
        recoveryCodes: string[];
      }
    | undefined;
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
}

/** A {@link MockServerConfig} with every default applied. */
export interface ResolvedServerConfig {
  tenant: ResolvedTenant;
  host: string;
  port: number;
  controlApi: boolean;
}
