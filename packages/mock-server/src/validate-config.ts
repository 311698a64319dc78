import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { DEFAULT_CLIENT_GRANT_TYPES, KNOWN_GRANT_TYPES } from './grant-types.js';
import {
  childPath,
  expectObject,
  optionalBoolean,
  optionalChoice,
  optionalInteger,
  optionalObjectArray,
  optionalString,
  optionalStringArray,
  rejectDuplicates,
  rejectUnknownKeys,
  requireString,
  type JsonObject,
} from './option-reader.js';
import type {
  ResolvedApi,
  ResolvedClient,
  ResolvedConnection,
  ResolvedRule,
  ResolvedServerConfig,
  ResolvedSigningKeyConfig,
  ResolvedTenant,
  ResolvedUser,
} from './resolved-config.js';
import { decodeBase32 } from './totp.js';

const ONE_DAY = 86_400;
const THIRTY_DAYS = 2_592_000;
const TEN_YEARS = 315_360_000;

/** RFC 4226 section 4, R6: the shared secret must be at least 128 bits. */
const MIN_TOTP_SECRET_BYTES = 16;

/**
 * Auth0 requires custom claims to be namespaced (the seed: "must conform to a namespaced format to
 * avoid possible collisions with standard OIDC claims"), as a URL such as `http://foo/bar`.
 */
const NAMESPACED_CLAIM = /^https?:\/\/\S+$/;

/** Checks an issuer: absolute http(s) URL, canonical, path `/` (Auth0's `https://TENANT/`). */
export function validateIssuer(value: unknown, path: string): string {
  const message = `"${path}" must be an absolute http(s) URL with path "/" and nothing after it, like "https://tenant.example/"`;
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

/** Validates one API and applies its defaults. */
export function validateApi(value: unknown, path: string): ResolvedApi {
  const api = expectObject(value, path);
  rejectUnknownKeys(
    api,
    [
      'identifier',
      'scopes',
      'allowOfflineAccess',
      'rbac',
      'addPermissionsInAccessToken',
      'tokenProfile',
      'tokenLifetime',
    ],
    path,
  );
  const scopes = optionalStringArray(api, 'scopes', path, []);
  rejectDuplicates(scopes, childPath(path, 'scopes'), 'scope');
  for (const scope of scopes) {
    if (/\s/.test(scope))
      throw new TypeError(`"${childPath(path, 'scopes')}" has a scope with a space`);
  }
  return {
    identifier: requireString(api, 'identifier', path),
    scopes,
    allowOfflineAccess: optionalBoolean(api, 'allowOfflineAccess', path, false),
    rbac: optionalBoolean(api, 'rbac', path, false),
    addPermissionsInAccessToken: optionalBoolean(api, 'addPermissionsInAccessToken', path, false),
    tokenProfile: optionalChoice(api, 'tokenProfile', path, ['auth0', 'rfc9068'], 'auth0'),
    tokenLifetime: optionalInteger(api, 'tokenLifetime', path, {
      min: 1,
      max: THIRTY_DAYS,
      fallback: ONE_DAY,
      unit: 'seconds',
    }),
  };
}

/** Validates one client and applies its defaults. */
export function validateClient(value: unknown, path: string): ResolvedClient {
  const client = expectObject(value, path);
  rejectUnknownKeys(
    client,
    [
      'clientId',
      'clientSecret',
      'tokenEndpointAuthMethod',
      'grantTypes',
      'trustForwardedFor',
      'idTokenLifetime',
      'refreshToken',
    ],
    path,
  );
  const clientSecret = optionalString(client, 'clientSecret', path);
  const tokenEndpointAuthMethod = optionalChoice(
    client,
    'tokenEndpointAuthMethod',
    path,
    ['client_secret_post', 'client_secret_basic', 'none'],
    clientSecret === undefined ? 'none' : 'client_secret_post',
  );
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
  const grantTypes = optionalStringArray(client, 'grantTypes', path, DEFAULT_CLIENT_GRANT_TYPES);
  grantTypes.forEach((grantType, index) => {
    if (!KNOWN_GRANT_TYPES.includes(grantType)) {
      throw new TypeError(
        `"${childPath(childPath(path, 'grantTypes'), index)}" is not an Auth0 grant type; expected one of: ${KNOWN_GRANT_TYPES.join(', ')}`,
      );
    }
  });
  const refreshPath = childPath(path, 'refreshToken');
  const refresh =
    client['refreshToken'] === undefined ? {} : expectObject(client['refreshToken'], refreshPath);
  rejectUnknownKeys(refresh, ['rotation', 'reuseInterval', 'lifetime'], refreshPath);
  return {
    clientId: requireString(client, 'clientId', path),
    clientSecret,
    tokenEndpointAuthMethod,
    grantTypes,
    trustForwardedFor: optionalBoolean(client, 'trustForwardedFor', path, false),
    idTokenLifetime: optionalInteger(client, 'idTokenLifetime', path, {
      min: 1,
      max: THIRTY_DAYS,
      fallback: 36_000,
      unit: 'seconds',
    }),
    refreshToken: {
      rotation: optionalChoice(
        refresh,
        'rotation',
        refreshPath,
        ['rotating', 'non-rotating'],
        'non-rotating',
      ),
      reuseInterval: optionalInteger(refresh, 'reuseInterval', refreshPath, {
        min: 0,
        max: ONE_DAY,
        fallback: 0,
        unit: 'seconds',
      }),
      lifetime: optionalInteger(refresh, 'lifetime', refreshPath, {
        min: 1,
        max: TEN_YEARS,
        fallback: THIRTY_DAYS,
        unit: 'seconds',
      }),
    },
  };
}

/** The default user id: stable across restarts, 24 hex digits like Auth0's database user ids. */
function defaultUserId(connection: string, email: string): string {
  return createHash('sha256')
    .update(`${connection}\0${email.toLowerCase()}`)
    .digest('hex')
    .slice(0, 24);
}

function readPermissions(user: JsonObject, path: string): Record<string, string[]> {
  const where = childPath(path, 'permissions');
  if (user['permissions'] === undefined) return {};
  const permissions = expectObject(user['permissions'], where);
  const result: Record<string, string[]> = {};
  for (const api of Object.keys(permissions)) {
    result[api] = optionalStringArray(permissions, api, where, []);
  }
  return result;
}

function readMfa(user: JsonObject, path: string): ResolvedUser['mfa'] {
  if (user['mfa'] === undefined) return undefined;
  const where = childPath(path, 'mfa');
  const mfa = expectObject(user['mfa'], where);
  rejectUnknownKeys(mfa, ['required', 'totpSecret', 'recoveryCodes'], where);
  const secretText = optionalString(mfa, 'totpSecret', where);
  let totpSecret: Buffer | undefined;
  if (secretText !== undefined) {
    totpSecret = decodeBase32(secretText);
    if (totpSecret === undefined || totpSecret.length < MIN_TOTP_SECRET_BYTES) {
      throw new TypeError(
        `"${childPath(where, 'totpSecret')}" must be base32 (RFC 4648) encoding at least ${MIN_TOTP_SECRET_BYTES} bytes (RFC 4226 section 4)`,
      );
    }
  }
  return {
    required: optionalBoolean(mfa, 'required', where, true),
    totpSecret,
    recoveryCodes: optionalStringArray(mfa, 'recoveryCodes', where, []),
  };
}

/** Validates one user of `connection` and applies its defaults. */
export function validateUser(value: unknown, path: string, connection: string): ResolvedUser {
  const user = expectObject(value, path);
  rejectUnknownKeys(
    user,
    [
      'email',
      'password',
      'username',
      'userId',
      'name',
      'nickname',
      'picture',
      'emailVerified',
      'permissions',
      'mfa',
      'blocked',
    ],
    path,
  );
  const email = requireString(user, 'email', path);
  const userId = optionalString(user, 'userId', path) ?? defaultUserId(connection, email);
  if (userId.includes('|')) {
    throw new TypeError(
      `"${childPath(path, 'userId')}" must not contain "|" (sub is "auth0|<userId>")`,
    );
  }
  return {
    email,
    password: requireString(user, 'password', path),
    username: optionalString(user, 'username', path),
    userId,
    name: optionalString(user, 'name', path) ?? email,
    nickname: optionalString(user, 'nickname', path) ?? email.split('@')[0] ?? email,
    picture: optionalString(user, 'picture', path),
    emailVerified: optionalBoolean(user, 'emailVerified', path, true),
    permissions: readPermissions(user, path),
    mfa: readMfa(user, path),
    blocked: optionalBoolean(user, 'blocked', path, false),
  };
}

/** Validates one connection and its users. */
export function validateConnection(value: unknown, path: string): ResolvedConnection {
  const connection = expectObject(value, path);
  rejectUnknownKeys(connection, ['name', 'users'], path);
  const name = requireString(connection, 'name', path);
  const users = optionalObjectArray(connection, 'users', path, (item, itemPath) =>
    validateUser(item, itemPath, name),
  );
  rejectLoginNameClashes(users, childPath(path, 'users'));
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

function readClaims(rule: JsonObject, key: string, path: string): Record<string, unknown> {
  if (rule[key] === undefined) return {};
  const where = childPath(path, key);
  const claims = expectObject(rule[key], where);
  for (const name of Object.keys(claims)) {
    if (!NAMESPACED_CLAIM.test(name)) {
      throw new TypeError(
        `"${where}" has claim "${name}", which is not namespaced: custom claims must be URLs such as "http://foo/bar"`,
      );
    }
  }
  return claims;
}

/** Validates one rule. */
export function validateRule(value: unknown, path: string): ResolvedRule {
  const rule = expectObject(value, path);
  rejectUnknownKeys(
    rule,
    [
      'name',
      'connection',
      'clientId',
      'user',
      'deny',
      'accessTokenClaims',
      'idTokenClaims',
      'scope',
    ],
    path,
  );
  return {
    name: requireString(rule, 'name', path),
    connection: optionalString(rule, 'connection', path),
    clientId: optionalString(rule, 'clientId', path),
    user: optionalString(rule, 'user', path),
    deny: optionalString(rule, 'deny', path),
    accessTokenClaims: readClaims(rule, 'accessTokenClaims', path),
    idTokenClaims: readClaims(rule, 'idTokenClaims', path),
    scope: rule['scope'] === undefined ? undefined : optionalStringArray(rule, 'scope', path, []),
  };
}

/** Validates one signing key configuration; the key itself is checked when it is imported. */
export function validateSigningKeyConfig(value: unknown, path: string): ResolvedSigningKeyConfig {
  const key = expectObject(value, path);
  rejectUnknownKeys(key, ['alg', 'kid', 'privateJwk'], path);
  const privateJwk =
    key['privateJwk'] === undefined
      ? undefined
      : (expectObject(key['privateJwk'], childPath(path, 'privateJwk')) as JWK);
  return {
    alg: optionalChoice(key, 'alg', path, ['RS256', 'PS256', 'ES256', 'EdDSA'], 'RS256'),
    kid: optionalString(key, 'kid', path),
    privateJwk,
  };
}

function readBruteForce(tenant: JsonObject): ResolvedTenant['bruteForce'] {
  const path = 'bruteForce';
  const bruteForce = tenant[path] === undefined ? {} : expectObject(tenant[path], path);
  rejectUnknownKeys(bruteForce, ['enabled', 'threshold', 'lockoutSeconds'], path);
  return {
    enabled: optionalBoolean(bruteForce, 'enabled', path, true),
    // Auth0's brute-force threshold is settable from 1 to 100, default 10.
    threshold: optionalInteger(bruteForce, 'threshold', path, { min: 1, max: 100, fallback: 10 }),
    lockoutSeconds:
      bruteForce['lockoutSeconds'] === null || bruteForce['lockoutSeconds'] === undefined
        ? null
        : optionalInteger(bruteForce, 'lockoutSeconds', path, {
            min: 1,
            max: TEN_YEARS,
            fallback: 1,
            unit: 'seconds',
          }),
  };
}

function readRateLimit(tenant: JsonObject): ResolvedTenant['rateLimit'] {
  const path = 'rateLimit';
  if (tenant[path] === undefined) return undefined;
  const rateLimit = expectObject(tenant[path], path);
  rejectUnknownKeys(rateLimit, ['limit', 'windowSeconds'], path);
  if (rateLimit['limit'] === undefined || rateLimit['windowSeconds'] === undefined) {
    throw new TypeError('"rateLimit" needs both "limit" and "windowSeconds"');
  }
  return {
    limit: optionalInteger(rateLimit, 'limit', path, { min: 1, max: 1_000_000_000, fallback: 1 }),
    windowSeconds: optionalInteger(rateLimit, 'windowSeconds', path, {
      min: 1,
      max: ONE_DAY,
      fallback: 1,
      unit: 'seconds',
    }),
  };
}

/** The keys of {@link TenantConfig}. */
export const TENANT_KEYS = [
  'issuer',
  'defaultDirectory',
  'defaultAudience',
  'apis',
  'clients',
  'connections',
  'rules',
  'signingKeys',
  'bruteForce',
  'rateLimit',
  'compatibility',
  'mfaPolicy',
  'mfaTokenLifetime',
] as const;

/** The keys {@link MockServerConfig} adds to the tenant's. */
const SERVER_KEYS = ['host', 'port', 'controlApi'] as const;

/**
 * Validates a tenant configuration (typed, or JSON from a file, an environment variable or the
 * control API) and applies every default. Throws a `TypeError` naming the first bad option.
 */
export function validateTenant(value: unknown, extraKeys: readonly string[] = []): ResolvedTenant {
  const tenant = expectObject(value, 'config');
  rejectUnknownKeys(tenant, [...TENANT_KEYS, ...extraKeys], '');
  const signingKeys = optionalObjectArray(tenant, 'signingKeys', '', validateSigningKeyConfig);
  const resolved: ResolvedTenant = {
    issuer: tenant['issuer'] === undefined ? undefined : validateIssuer(tenant['issuer'], 'issuer'),
    defaultDirectory: optionalString(tenant, 'defaultDirectory', ''),
    defaultAudience: optionalString(tenant, 'defaultAudience', ''),
    apis: optionalObjectArray(tenant, 'apis', '', validateApi),
    clients: optionalObjectArray(tenant, 'clients', '', validateClient),
    connections: optionalObjectArray(tenant, 'connections', '', validateConnection),
    rules: optionalObjectArray(tenant, 'rules', '', validateRule),
    signingKeys:
      signingKeys.length > 0
        ? signingKeys
        : [{ alg: 'RS256', kid: undefined, privateJwk: undefined }],
    bruteForce: readBruteForce(tenant),
    rateLimit: readRateLimit(tenant),
    compatibility: optionalChoice(
      tenant,
      'compatibility',
      '',
      ['observed', 'documented'],
      'observed',
    ),
    mfaPolicy: optionalChoice(tenant, 'mfaPolicy', '', ['never', 'always'], 'never'),
    mfaTokenLifetime: optionalInteger(tenant, 'mfaTokenLifetime', '', {
      min: 1,
      max: ONE_DAY,
      fallback: 600,
      unit: 'seconds',
    }),
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

/** Validates a {@link MockServerConfig}: the tenant plus host, port and control API switch. */
export function validateServerConfig(value: unknown): ResolvedServerConfig {
  const tenant = validateTenant(value, SERVER_KEYS);
  const config = expectObject(value, 'config');
  return {
    tenant,
    host: optionalString(config, 'host', '') ?? '127.0.0.1',
    port: optionalInteger(config, 'port', '', { min: 0, max: 65_535, fallback: 0 }),
    controlApi: optionalBoolean(config, 'controlApi', '', false),
  };
}
