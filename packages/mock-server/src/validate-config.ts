import { createHash, createSecretKey } from 'node:crypto';
import type {
  ApiConfig,
  BruteForceConfig,
  ClientConfig,
  ConnectionConfig,
  DpopConfig,
  MfaEnrolment,
  MockServerConfig,
  RateLimitConfig,
  RefreshTokenSettings,
  RuleConfig,
  SigningKeyConfig,
  TenantConfig,
  UserConfig,
} from './config.js';
import { childPath, rejectDuplicates } from './option-reader.js';
import { readObject, type WithDefaults } from './option-spec.js';
import { newAuthenticator, recoveryCodeId } from './mfa-authenticators.js';
import type {
  ResolvedApi,
  ResolvedAuthenticator,
  ResolvedClient,
  ResolvedConnection,
  ResolvedRule,
  ResolvedServerConfig,
  ResolvedSigningKeyConfig,
  ResolvedTenant,
  ResolvedUser,
} from './resolved-config.js';
import {
  API_OPTIONS,
  BRUTE_FORCE_OPTIONS,
  CLIENT_OPTIONS,
  CONNECTION_OPTIONS,
  DPOP_OPTIONS,
  ISSUER_PATTERN,
  MFA_OPTIONS,
  MIN_TOTP_SECRET_BYTES,
  RATE_LIMIT_OPTIONS,
  REFRESH_TOKEN_OPTIONS,
  RULE_OPTIONS,
  SERVER_OPTIONS,
  SIGNING_KEY_OPTIONS,
  TENANT_OPTIONS,
  TOTP_SECRET_PATTERN,
  USER_OPTIONS,
} from './tenant-options.js';
import { decodeBase32 } from './totp.js';

// Shapes, types, ranges and defaults come from the option descriptions in tenant-options.ts (the
// same ones the JSON Schema is generated from). Arrays are copied, so that a caller changing its
// configuration object later does not change a running server. What follows adds what a schema
// cannot say:
// defaults computed from other options, the issuer's canonical form, a TOTP secret's decoded
// length, unique ids across a list and cross-references between sections.

/** Checks an issuer: absolute http(s) URL, canonical, path `/` (Auth0's `https://TENANT/`). */
export function validateIssuer(value: unknown, path: string): string {
  const message = `"${path}" ${ISSUER_PATTERN.message}`;
  if (typeof value !== 'string') throw new TypeError(message);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(message);
  }
  const valid =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    url.href === value;
  if (!valid) throw new TypeError(message);
  return value;
}

/**
 * The signing secret of an HS256 API as a secret `KeyObject`: required with HS256, refused with
 * RS256 (an option that would be ignored is a mistake). Messages name the option, never the secret.
 */
function readSigningSecret(
  api: { signingAlgorithm: 'RS256' | 'HS256'; signingSecret?: string | undefined },
  path: string,
): ResolvedApi['signingSecret'] {
  const where = childPath(path, 'signingSecret');
  if (api.signingAlgorithm !== 'HS256') {
    if (api.signingSecret !== undefined) {
      throw new TypeError(`"${where}" must be absent unless signingAlgorithm is "HS256"`);
    }
    return undefined;
  }
  if (api.signingSecret === undefined) {
    throw new TypeError(`"${where}" is required when signingAlgorithm is "HS256"`);
  }
  return createSecretKey(Buffer.from(api.signingSecret, 'utf8'));
}

/** Validates one API and applies its defaults. */
export function validateApi(value: unknown, path: string): ResolvedApi {
  const api = readObject<ApiConfig, typeof API_OPTIONS>(API_OPTIONS, value, path);
  return {
    identifier: api.identifier,
    scopes: [...api.scopes],
    allowOfflineAccess: api.allowOfflineAccess,
    rbac: api.rbac,
    addPermissionsInAccessToken: api.addPermissionsInAccessToken,
    tokenProfile: api.tokenProfile,
    tokenLifetime: api.tokenLifetime,
    proofOfPossession: api.proofOfPossession,
    signingAlgorithm: api.signingAlgorithm,
    signingSecret: readSigningSecret(api, path),
  };
}

function readRefreshToken(
  value: RefreshTokenSettings | undefined,
  path: string,
): ResolvedClient['refreshToken'] {
  const refresh = readObject<RefreshTokenSettings, typeof REFRESH_TOKEN_OPTIONS>(
    REFRESH_TOKEN_OPTIONS,
    value ?? {},
    path,
  );
  if (value?.idleLifetime !== undefined && refresh.idleLifetime > refresh.lifetime) {
    // Auth0: "The Idle Refresh Token Lifetime can not exceed the Maximum Refresh Token Lifetime."
    throw new TypeError(`"${childPath(path, 'idleLifetime')}" must not exceed "lifetime"`);
  }
  return {
    rotation: refresh.rotation,
    reuseInterval: refresh.reuseInterval,
    lifetime: refresh.lifetime,
    idleLifetime: refresh.idleLifetime,
  };
}

/** Validates one client and applies its defaults. */
export function validateClient(value: unknown, path: string): ResolvedClient {
  const client = readObject<ClientConfig, typeof CLIENT_OPTIONS>(CLIENT_OPTIONS, value, path);
  const { clientSecret } = client;
  const tokenEndpointAuthMethod =
    client.tokenEndpointAuthMethod ?? (clientSecret === undefined ? 'none' : 'client_secret_post');
  if (tokenEndpointAuthMethod !== 'none' && clientSecret === undefined) {
    throw new TypeError(
      `"${childPath(path, 'clientSecret')}" is required when tokenEndpointAuthMethod is "${tokenEndpointAuthMethod}"`,
    );
  }
  if (tokenEndpointAuthMethod === 'none' && clientSecret !== undefined) {
    throw new TypeError(
      `"${childPath(path, 'clientSecret')}" must be absent when tokenEndpointAuthMethod is "none" (a public client)`,
    );
  }
  if (client.tlsClientCertificateBoundAccessTokens && tokenEndpointAuthMethod === 'none') {
    // Auth0, "Token Binding": "mTLS Token Binding is supported only for confidential clients."
    throw new TypeError(
      `"${childPath(path, 'tlsClientCertificateBoundAccessTokens')}" needs a confidential client: Auth0 binds tokens to certificates for confidential clients only`,
    );
  }
  return {
    clientId: client.clientId,
    clientSecret,
    tokenEndpointAuthMethod,
    grantTypes: [...client.grantTypes],
    trustForwardedFor: client.trustForwardedFor,
    idTokenLifetime: client.idTokenLifetime,
    refreshToken: readRefreshToken(client.refreshToken, childPath(path, 'refreshToken')),
    requireProofOfPossession: client.requireProofOfPossession,
    tlsClientCertificateBoundAccessTokens: client.tlsClientCertificateBoundAccessTokens,
  };
}

/** The default user id: stable across restarts, 24 hex digits like Auth0's database user ids. */
function defaultUserId(connection: string, email: string): string {
  return createHash('sha256')
    .update(`${connection}\0${email.toLowerCase()}`)
    .digest('hex')
    .slice(0, 24);
}

function readMfa(
  value: MfaEnrolment | undefined,
  path: string,
  userId: string,
): ResolvedUser['mfa'] {
  if (value === undefined) return undefined;
  const mfa = readObject<MfaEnrolment, typeof MFA_OPTIONS>(MFA_OPTIONS, value, path);
  const authenticators: ResolvedAuthenticator[] = [];
  // Ids derive from the user and the position, so they are the same after a restart.
  const seed = (kind: string, index: number) => `${userId}\0${kind}\0${index}`;
  if (mfa.totpSecret !== undefined) {
    // The pattern admits only base32 characters; the decoded length is checked here.
    const secret = decodeBase32(mfa.totpSecret);
    if (secret === undefined || secret.length < MIN_TOTP_SECRET_BYTES) {
      throw new TypeError(`"${childPath(path, 'totpSecret')}" ${TOTP_SECRET_PATTERN.message}`);
    }
    authenticators.push(newAuthenticator('otp', { secret }, true, seed('otp', 0)));
  }
  for (const kind of ['sms', 'voice', 'email'] as const) {
    mfa[kind].forEach((address, index) => {
      authenticators.push(newAuthenticator(kind, { address }, true, seed(kind, index)));
    });
  }
  mfa.push.forEach((name, index) => {
    authenticators.push(newAuthenticator('push', { name }, true, seed('push', index)));
  });
  return {
    required: mfa.required,
    authenticators,
    recoveryCodes: [...mfa.recoveryCodes],
    recoveryCodesActive: true,
    recoveryCodeId: recoveryCodeId(userId),
  };
}

/**
 * Validates one user of `connection` and applies its defaults. `updatedAt` stays `undefined` when
 * not given: the server fills in its start time, or the time the control API set the user.
 */
export function validateUser(value: unknown, path: string, connection: string): ResolvedUser {
  const user = readObject<UserConfig, typeof USER_OPTIONS>(USER_OPTIONS, value, path);
  const { email } = user;
  const userId = user.userId ?? defaultUserId(connection, email);
  return {
    email,
    password: user.password,
    username: user.username,
    userId,
    name: user.name ?? email,
    nickname: user.nickname ?? email.split('@')[0] ?? email,
    picture: user.picture,
    emailVerified: user.emailVerified,
    updatedAt: user.updatedAt,
    permissions: structuredClone(user.permissions ?? {}),
    mfa: readMfa(user.mfa, childPath(path, 'mfa'), userId),
    blocked: user.blocked,
  };
}

/** Validates one connection and its users. */
export function validateConnection(value: unknown, path: string): ResolvedConnection {
  const connection = readObject<ConnectionConfig, typeof CONNECTION_OPTIONS>(
    CONNECTION_OPTIONS,
    value,
    path,
  );
  const { name } = connection;
  const usersPath = childPath(path, 'users');
  const users = connection.users.map((user, index) =>
    validateUser(user, childPath(usersPath, index), name),
  );
  rejectLoginNameClashes(users, usersPath);
  return { name, users };
}

/** Two users of one connection must not share a login name (email or username) or a user id. */
export function rejectLoginNameClashes(users: readonly ResolvedUser[], path: string): void {
  const loginNames = users.flatMap((user) =>
    user.username === undefined
      ? [user.email.toLowerCase()]
      : [user.email.toLowerCase(), user.username.toLowerCase()],
  );
  rejectDuplicates(loginNames, path, 'login name');
  rejectDuplicates(
    users.map((user) => user.userId),
    path,
    'userId',
  );
}

/** Validates one rule. */
export function validateRule(value: unknown, path: string): ResolvedRule {
  const rule = readObject<RuleConfig, typeof RULE_OPTIONS>(RULE_OPTIONS, value, path);
  return {
    name: rule.name,
    connection: rule.connection,
    clientId: rule.clientId,
    user: rule.user,
    deny: rule.deny,
    accessTokenClaims: rule.accessTokenClaims ?? {},
    idTokenClaims: rule.idTokenClaims ?? {},
    scope: rule.scope === undefined ? undefined : [...rule.scope],
  };
}

/** Validates one signing key configuration; the key itself is checked when it is imported. */
export function validateSigningKeyConfig(value: unknown, path: string): ResolvedSigningKeyConfig {
  const key = readObject<SigningKeyConfig, typeof SIGNING_KEY_OPTIONS>(
    SIGNING_KEY_OPTIONS,
    value,
    path,
  );
  return { alg: key.alg, kid: key.kid, privateJwk: key.privateJwk };
}

function readRateLimit(
  value: RateLimitConfig | undefined,
  path: string,
): ResolvedTenant['rateLimit'] {
  if (value === undefined) return undefined;
  const rateLimit = readObject<RateLimitConfig, typeof RATE_LIMIT_OPTIONS>(
    RATE_LIMIT_OPTIONS,
    value,
    path,
  );
  return { limit: rateLimit.limit, windowSeconds: rateLimit.windowSeconds };
}

/**
 * Validates a tenant configuration (typed, or JSON from a file, an environment variable or the
 * control API) and applies every default. Throws a `TypeError` naming the first bad option. A
 * top-level `$schema` (a JSON config's pointer to its schema) is ignored.
 */
export function validateTenant(value: unknown): ResolvedTenant {
  return resolveTenant(readObject<TenantConfig, typeof TENANT_OPTIONS>(TENANT_OPTIONS, value, ''));
}

/** The tenant's sections, checked and with their static defaults, resolved. */
function resolveTenant(tenant: WithDefaults<TenantConfig, typeof TENANT_OPTIONS>): ResolvedTenant {
  const signingKeys = tenant.signingKeys.map((key, index) =>
    validateSigningKeyConfig(key, childPath('signingKeys', index)),
  );
  const bruteForce = readObject<BruteForceConfig, typeof BRUTE_FORCE_OPTIONS>(
    BRUTE_FORCE_OPTIONS,
    tenant.bruteForce ?? {},
    'bruteForce',
  );
  const dpop = readObject<DpopConfig, typeof DPOP_OPTIONS>(DPOP_OPTIONS, tenant.dpop ?? {}, 'dpop');
  const resolved: ResolvedTenant = {
    issuer: tenant.issuer === undefined ? undefined : validateIssuer(tenant.issuer, 'issuer'),
    customDomainIssuer:
      tenant.customDomainIssuer === undefined
        ? undefined
        : validateIssuer(tenant.customDomainIssuer, 'customDomainIssuer'),
    defaultDirectory: tenant.defaultDirectory,
    defaultAudience: tenant.defaultAudience,
    apis: tenant.apis.map((api, index) => validateApi(api, childPath('apis', index))),
    clients: tenant.clients.map((client, index) =>
      validateClient(client, childPath('clients', index)),
    ),
    connections: tenant.connections.map((connection, index) =>
      validateConnection(connection, childPath('connections', index)),
    ),
    rules: tenant.rules.map((rule, index) => validateRule(rule, childPath('rules', index))),
    // An empty list means the default, as an absent one does.
    signingKeys:
      signingKeys.length > 0
        ? signingKeys
        : [{ alg: 'RS256', kid: undefined, privateJwk: undefined }],
    bruteForce: {
      enabled: bruteForce.enabled,
      threshold: bruteForce.threshold,
      lockoutSeconds: bruteForce.lockoutSeconds,
    },
    rateLimit: readRateLimit(tenant.rateLimit, 'rateLimit'),
    userinfoRateLimit: readRateLimit(tenant.userinfoRateLimit, 'userinfoRateLimit'),
    compatibility: tenant.compatibility,
    updatedAtFormat: tenant.updatedAtFormat,
    mfaPolicy: tenant.mfaPolicy,
    mfaTokenLifetime: tenant.mfaTokenLifetime,
    mfaFactors: [...tenant.mfaFactors],
    mfaOobCodeLifetime: tenant.mfaOobCodeLifetime,
    mfaPushPollInterval: tenant.mfaPushPollInterval,
    dpop: { requireNonce: dpop.requireNonce, nonceLifetime: dpop.nonceLifetime },
    mfaOnAcrValues: tenant.mfaOnAcrValues,
  };
  checkReferences(resolved);
  return resolved;
}

/** Cross-references between sections: every name used must exist, every id must be unique. */
function checkReferences(tenant: ResolvedTenant): void {
  rejectDuplicates(
    tenant.apis.map((api) => api.identifier),
    'apis',
    'identifier',
  );
  rejectDuplicates(
    tenant.clients.map((client) => client.clientId),
    'clients',
    'clientId',
  );
  rejectDuplicates(
    tenant.connections.map((connection) => connection.name),
    'connections',
    'name',
  );
  rejectDuplicates(
    tenant.signingKeys.flatMap((key) => (key.kid === undefined ? [] : [key.kid])),
    'signingKeys',
    'kid',
  );
  const connectionNames = new Set(tenant.connections.map((connection) => connection.name));
  const apis = new Map(tenant.apis.map((api) => [api.identifier, api]));
  const clientIds = new Set(tenant.clients.map((client) => client.clientId));
  if (tenant.defaultDirectory !== undefined && !connectionNames.has(tenant.defaultDirectory)) {
    throw new TypeError(`"defaultDirectory" names no connection in "connections"`);
  }
  if (tenant.defaultAudience !== undefined && !apis.has(tenant.defaultAudience)) {
    throw new TypeError(`"defaultAudience" names no API in "apis"`);
  }
  tenant.connections.forEach((connection, connectionIndex) => {
    connection.users.forEach((user, userIndex) => {
      checkPermissions(user, `connections[${connectionIndex}].users[${userIndex}]`, apis);
    });
  });
  tenant.rules.forEach((rule, index) => {
    if (rule.connection !== undefined && !connectionNames.has(rule.connection)) {
      throw new TypeError(`"rules[${index}].connection" names no connection in "connections"`);
    }
    if (rule.clientId !== undefined && !clientIds.has(rule.clientId)) {
      throw new TypeError(`"rules[${index}].clientId" names no client in "clients"`);
    }
  });
}

/** A user's permissions must name configured APIs and scopes those APIs define. */
export function checkPermissions(
  user: ResolvedUser,
  path: string,
  apis: ReadonlyMap<string, ResolvedApi>,
): void {
  for (const [identifier, permissions] of Object.entries(user.permissions)) {
    const api = apis.get(identifier);
    if (api === undefined) {
      throw new TypeError(
        `"${path}.permissions" names API "${identifier}", which is not in "apis"`,
      );
    }
    for (const permission of permissions) {
      if (!api.scopes.includes(permission)) {
        throw new TypeError(
          `"${path}.permissions" gives "${permission}", which API "${identifier}" does not define`,
        );
      }
    }
  }
}

/**
 * Validates a {@link MockServerConfig}: the tenant plus host, port, control API switch and the
 * custom domain's listener.
 */
export function validateServerConfig(value: unknown): ResolvedServerConfig {
  const config = readObject<MockServerConfig, typeof SERVER_OPTIONS>(SERVER_OPTIONS, value, '');
  const tenant = resolveTenant(config);
  if (!config.customDomain) {
    // Options of a listener that is off would be ignored: say so rather than let a typo pass.
    if (config.customDomainPort !== 0) {
      throw new TypeError('"customDomainPort" needs "customDomain": true');
    }
    if (tenant.customDomainIssuer !== undefined) {
      throw new TypeError('"customDomainIssuer" needs "customDomain": true');
    }
  } else if (config.customDomainPort !== 0 && config.customDomainPort === config.port) {
    throw new TypeError('"customDomainPort" must differ from "port"');
  }
  return {
    tenant,
    host: config.host,
    port: config.port,
    controlApi: config.controlApi,
    customDomainPort: config.customDomain ? config.customDomainPort : undefined,
  };
}
