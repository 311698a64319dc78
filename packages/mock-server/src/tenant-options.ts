import { DEFAULT_CLIENT_GRANT_TYPES, KNOWN_GRANT_TYPES } from './grant-types.js';
import type { ObjectOption, PatternRule } from './option-spec.js';

/**
 * The one description of every configuration option: `validate-config.ts` checks input against it
 * and applies its defaults, and `tenant-schema.ts` turns it into `schema/tenant.schema.json`. The
 * TypeScript interfaces in `config.ts` carry the same options with their TSDoc; a type-level test
 * keeps their keys and this description's equal.
 */

const ONE_DAY = 86_400;
const THIRTY_DAYS = 2_592_000;
const TEN_YEARS = 315_360_000;
/** Auth0's year (365.25 days): the longest idle refresh token lifetime it allows. */
const ONE_YEAR = 31_557_600;
/** 9999-12-31T23:59:59Z: the last second an ISO 8601 date with a four-digit year can show. */
const LAST_FOUR_DIGIT_YEAR_SECOND = 253_402_300_799;

/** RFC 4226 section 4, R6: the shared secret must be at least 128 bits. */
export const MIN_TOTP_SECRET_BYTES = 16;

/** The issuer's shape; `validateIssuer` also requires the canonical form (`new URL(x).href === x`). */
export const ISSUER_PATTERN: PatternRule = {
  source: '^https?://[^/?#@\\s]+/$',
  message:
    'must be an absolute http(s) URL with path "/" and nothing after it, like "https://tenant.example/"',
};

/** An E.164 phone number, as Auth0's `/mfa/associate` takes `phone_number`. */
export const PHONE_NUMBER_PATTERN: PatternRule = {
  source: '^\\+[1-9][0-9]{1,14}$',
  message: 'must be a phone number in E.164 format, like "+15555550100"',
};

/** An email address: something before and after one `@`, no whitespace. */
export const EMAIL_PATTERN: PatternRule = {
  source: '^[^@\\s]+@[^@\\s]+$',
  message: 'must be an email address',
};

/**
 * An HS256 key as long as the hash (RFC 7518 section 3.2: "A key of the same size as the hash
 * output (for instance, 256 bits for "HS256") or larger MUST be used"). Counted in characters, each
 * of which is at least one UTF-8 byte, so that the JSON Schema can say it too.
 */
export const MIN_SIGNING_SECRET_LENGTH = 32;

/** {@link ApiConfig.signingSecret}: long enough for HS256. */
export const SIGNING_SECRET_PATTERN: PatternRule = {
  source: `^[\\s\\S]{${MIN_SIGNING_SECRET_LENGTH},}$`,
  message: `must be at least ${MIN_SIGNING_SECRET_LENGTH} characters long (an HS256 key of at least 256 bits, RFC 7518 section 3.2)`,
};

/** {@link ApiSigningAlgorithm}: Auth0's "Signing Algorithm" of an API. */
export const API_SIGNING_ALGORITHMS = ['RS256', 'HS256'] as const;

/** {@link ProofOfPossessionPolicy}: Auth0's sender-constraining settings of an API. */
export const PROOF_OF_POSSESSION_POLICIES = ['none', 'allowed', 'required'] as const;

/** The MFA factors a tenant can enable ({@link MfaFactor}). */
export const MFA_FACTORS = [
  'otp',
  'sms',
  'voice',
  'email',
  'push-notification',
  'recovery-code',
] as const;

/** Base32 (RFC 4648) as `decodeBase32` reads it: any case, padding and spaces ignored. */
export const TOTP_SECRET_PATTERN: PatternRule = {
  source: '^[A-Za-z2-7=\\s]+$',
  message: `must be base32 (RFC 4648) encoding at least ${MIN_TOTP_SECRET_BYTES} bytes (RFC 4226 section 4)`,
};

/**
 * Auth0 requires custom claims to be namespaced (the seed: "must conform to a namespaced format to
 * avoid possible collisions with standard OIDC claims"), as a URL such as `http://foo/bar`.
 */
const NAMESPACED_CLAIM = {
  source: '^https?://\\S+$',
  what: 'claim',
  message: 'is not namespaced: custom claims must be URLs such as "http://foo/bar"',
} as const;

const CLAIMS = {
  type: 'map',
  keys: NAMESPACED_CLAIM,
  values: { type: 'any', description: 'The claim value (any JSON value).' },
} as const;

/** {@link ApiConfig}. */
export const API_OPTIONS = {
  type: 'object',
  title: 'ApiConfig',
  description: 'An API (resource server) registered in the tenant.',
  required: ['identifier'],
  properties: {
    identifier: {
      type: 'string',
      description: "The API's identifier: the `audience` parameter and the access token's `aud`.",
    },
    scopes: {
      type: 'array',
      description: 'The scopes (permissions) the API defines.',
      items: {
        type: 'string',
        description: 'A scope, e.g. `read:sample`.',
        pattern: { source: '^\\S+$', message: 'must be a scope without whitespace' },
      },
      uniqueItems: 'scope',
      default: [],
    },
    allowOfflineAccess: {
      type: 'boolean',
      description: 'Auth0\'s "Allow Offline Access": refresh tokens may be issued for this API.',
      default: false,
    },
    rbac: {
      type: 'boolean',
      description: 'Auth0\'s "Enable RBAC": granted scopes are limited to the user\'s permissions.',
      default: false,
    },
    addPermissionsInAccessToken: {
      type: 'boolean',
      description:
        'Auth0\'s "Add Permissions in the Access Token": a `permissions` claim listing all of the user\'s permissions.',
      default: false,
    },
    tokenProfile: {
      type: 'enum',
      description:
        'The access token profile: `auth0` (`typ: JWT`, `azp`, `gty`) or `rfc9068` (`typ: at+jwt`, `client_id`, `jti`).',
      values: ['auth0', 'rfc9068'],
      default: 'auth0',
    },
    tokenLifetime: {
      type: 'integer',
      description: 'Access token lifetime in seconds (Auth0\'s "Token Expiration").',
      minimum: 1,
      maximum: THIRTY_DAYS,
      unit: 'seconds',
      default: ONE_DAY,
    },
    proofOfPossession: {
      type: 'enum',
      description:
        'Auth0\'s "Token Sender-Constraining" with DPoP (RFC 9449): `none` (a proof is checked but the token is Bearer), `allowed` (a valid proof gets a DPoP-bound token), `required` (a request without a proof is refused).',
      values: PROOF_OF_POSSESSION_POLICIES,
      default: 'none',
    },
    signingAlgorithm: {
      type: 'enum',
      description:
        "Auth0's \"Signing Algorithm\": `RS256` (the tenant's signing key, published in the JWKS) or `HS256` (HMAC with `signingSecret`, no `kid`). ID tokens are signed by the tenant's key either way.",
      values: API_SIGNING_ALGORITHMS,
      default: 'RS256',
    },
    signingSecret: {
      type: 'string',
      description:
        'Auth0\'s "Signing Secret": the HMAC key (its UTF-8 bytes) of the API\'s HS256 access tokens, at least 32 characters. Required with `signingAlgorithm` `HS256`, refused otherwise. Never printed.',
      pattern: SIGNING_SECRET_PATTERN,
    },
  },
} as const satisfies ObjectOption;

/** {@link RefreshTokenSettings}. */
export const REFRESH_TOKEN_OPTIONS = {
  type: 'object',
  title: 'RefreshTokenSettings',
  description: "Auth0's per-application refresh token settings.",
  properties: {
    rotation: {
      type: 'enum',
      description:
        '`rotating`: every refresh returns a new refresh token and the used one stops working; reusing it revokes the whole family.',
      values: ['rotating', 'non-rotating'],
      default: 'non-rotating',
    },
    reuseInterval: {
      type: 'integer',
      description:
        'Auth0\'s "Reuse Interval", in seconds: how long a rotated token may still be used without tripping reuse detection.',
      minimum: 0,
      maximum: ONE_DAY,
      unit: 'seconds',
      default: 0,
    },
    lifetime: {
      type: 'integer',
      description: 'Absolute lifetime of a refresh token family, in seconds (default 30 days).',
      minimum: 1,
      maximum: TEN_YEARS,
      unit: 'seconds',
      default: THIRTY_DAYS,
    },
    idleLifetime: {
      type: 'integer',
      description:
        'Auth0\'s "Idle Refresh Token Lifetime", in seconds: a refresh token not exchanged for this long expires; each exchange starts the period again. At most `lifetime` (default 30 days, as Auth0).',
      minimum: 1,
      maximum: ONE_YEAR,
      unit: 'seconds',
      default: THIRTY_DAYS,
    },
  },
} as const satisfies ObjectOption;

/** {@link ClientConfig}. */
export const CLIENT_OPTIONS = {
  type: 'object',
  title: 'ClientConfig',
  description: 'An application (OAuth client) registered in the tenant.',
  required: ['clientId'],
  properties: {
    clientId: { type: 'string', description: "The client's id." },
    clientSecret: {
      type: 'string',
      description:
        "The client's secret; absent for a public client (then tokenEndpointAuthMethod must be `none`). Never printed.",
    },
    tokenEndpointAuthMethod: {
      type: 'enum',
      description:
        'How the client must authenticate. Default: `client_secret_post` when a secret is set, otherwise `none`.',
      values: ['client_secret_post', 'client_secret_basic', 'none'],
    },
    grantTypes: {
      type: 'array',
      description:
        "Grant types the client may use, as Auth0 names them. The default, Auth0's for a new Regular Web Application, does not include `password`.",
      items: {
        type: 'enum',
        description: 'A grant type as Auth0 spells it.',
        values: KNOWN_GRANT_TYPES,
        label: 'an Auth0 grant type',
      },
      default: DEFAULT_CLIENT_GRANT_TYPES,
    },
    trustForwardedFor: {
      type: 'boolean',
      description:
        'Auth0\'s "Trust Token Endpoint IP Header": honour `auth0-forwarded-for` when the client authenticated with its secret.',
      default: false,
    },
    idTokenLifetime: {
      type: 'integer',
      description: 'ID token lifetime in seconds (Auth0\'s "ID Token Expiration").',
      minimum: 1,
      maximum: THIRTY_DAYS,
      unit: 'seconds',
      default: 36_000,
    },
    refreshToken: { ...REFRESH_TOKEN_OPTIONS, description: 'Refresh token rotation and lifetime.' },
    requireProofOfPossession: {
      type: 'boolean',
      description:
        'Auth0\'s "Require Sender Constraining" (`require_proof_of_possession`): token requests without a DPoP proof are refused, and so are those for an API whose `proofOfPossession` is `none`.',
      default: false,
    },
    tlsClientCertificateBoundAccessTokens: {
      type: 'boolean',
      description:
        'mTLS token binding (RFC 8705 section 3; the name is its client metadata): a token request on the custom domain\'s listener with a verified client certificate from the edge (`client-certificate`, `client-certificate-ca-verified: SUCCESS`) gets an access token with `cnf["x5t#S256"]`. Without one, a Bearer token, or a refusal with `requireProofOfPossession`. Confidential clients only.',
      default: false,
    },
  },
} as const satisfies ObjectOption;

/** {@link MfaEnrolment}. */
export const MFA_OPTIONS = {
  type: 'object',
  title: 'MfaEnrolment',
  description: "A user's multi-factor enrolment.",
  properties: {
    required: {
      type: 'boolean',
      description: 'Whether this user must pass MFA on the password grant.',
      default: true,
    },
    totpSecret: {
      type: 'string',
      description:
        "The user's TOTP secret in base32 (RFC 4648), at least 16 bytes, for RFC 6238 codes (SHA-1, 6 digits, 30 s). Absent: not enrolled in OTP.",
      pattern: TOTP_SECRET_PATTERN,
    },
    recoveryCodes: {
      type: 'array',
      description: 'Single-use recovery codes.',
      items: { type: 'string', description: 'A recovery code.' },
      default: [],
    },
    sms: {
      type: 'array',
      description: 'Phone numbers enrolled for SMS codes (Auth0 `oob_channel` `sms`).',
      items: {
        type: 'string',
        description: 'An E.164 phone number.',
        pattern: PHONE_NUMBER_PATTERN,
      },
      default: [],
    },
    voice: {
      type: 'array',
      description: 'Phone numbers enrolled for voice calls (Auth0 `oob_channel` `voice`).',
      items: {
        type: 'string',
        description: 'An E.164 phone number.',
        pattern: PHONE_NUMBER_PATTERN,
      },
      default: [],
    },
    email: {
      type: 'array',
      description: 'Email addresses enrolled for email codes (Auth0 `oob_channel` `email`).',
      items: { type: 'string', description: 'An email address.', pattern: EMAIL_PATTERN },
      default: [],
    },
    push: {
      type: 'array',
      description:
        'Devices enrolled in Guardian push notifications (Auth0 `oob_channel` `auth0`), by name.',
      items: { type: 'string', description: "The device's name." },
      default: [],
    },
  },
} as const satisfies ObjectOption;

/** {@link UserConfig}. */
export const USER_OPTIONS = {
  type: 'object',
  title: 'UserConfig',
  description: 'A user of a database connection.',
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', description: "The user's email; also a login name." },
    password: { type: 'string', description: "The user's password. Never printed." },
    username: { type: 'string', description: 'An alternative login name.' },
    userId: {
      type: 'string',
      description:
        'The id after `auth0|` in `sub`. Default: 24 hex digits derived from the connection and email.',
      pattern: { source: '^[^|]+$', message: 'must not contain "|" (sub is "auth0|<userId>")' },
    },
    name: { type: 'string', description: '`name` claim. Default: the email.' },
    nickname: {
      type: 'string',
      description: '`nickname` claim. Default: the part of the email before `@`.',
    },
    picture: { type: 'string', description: '`picture` claim. Default: none.' },
    emailVerified: { type: 'boolean', description: '`email_verified` claim.', default: true },
    updatedAt: {
      type: 'integer',
      description:
        '`updated_at` claim (profile scope), in seconds since the epoch. Default: when the server started (a user set through the control API: when it was set).',
      minimum: 0,
      maximum: LAST_FOUR_DIGIT_YEAR_SECOND,
      unit: 'seconds since the epoch',
    },
    permissions: {
      type: 'map',
      description: 'RBAC permissions per API identifier; each must be a scope that API defines.',
      values: {
        type: 'array',
        description: 'Permissions (scopes) for this API.',
        items: { type: 'string', description: 'A scope of the API.' },
      },
    },
    mfa: { ...MFA_OPTIONS, description: 'MFA enrolment. Default: none (not enrolled).' },
    blocked: {
      type: 'boolean',
      description:
        'Blocked by an administrator: logins fail with `401 unauthorized "user is blocked"`.',
      default: false,
    },
  },
} as const satisfies ObjectOption;

/** {@link ConnectionConfig}. */
export const CONNECTION_OPTIONS = {
  type: 'object',
  title: 'ConnectionConfig',
  description: 'A user directory (Auth0 database connection), usable as a `realm`.',
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      description: "The connection's name, e.g. `Username-Password-Authentication`.",
    },
    users: { type: 'array', description: 'Its users.', items: USER_OPTIONS, default: [] },
  },
} as const satisfies ObjectOption;

/** {@link RuleConfig}. */
export const RULE_OPTIONS = {
  type: 'object',
  title: 'RuleConfig',
  description:
    'A declarative stand-in for an Auth0 rule: it runs after authentication on every token issuance whose conditions all match, in order.',
  required: ['name'],
  properties: {
    name: { type: 'string', description: 'A name, for error messages.' },
    connection: { type: 'string', description: 'Only for this connection.' },
    clientId: { type: 'string', description: 'Only for this client.' },
    user: { type: 'string', description: 'Only for the user with this email.' },
    deny: { type: 'string', description: 'Deny with `403 access_denied` and this message.' },
    accessTokenClaims: {
      ...CLAIMS,
      description:
        'Namespaced claims added to the access token, e.g. `{"http://foo/bar": "value"}`.',
    },
    idTokenClaims: { ...CLAIMS, description: 'Namespaced claims added to the ID token.' },
    scope: {
      type: 'array',
      description: "Replaces the access token's scope (and the response's `scope`).",
      items: { type: 'string', description: 'A scope.' },
    },
  },
} as const satisfies ObjectOption;

/** {@link SigningKeyConfig}. */
export const SIGNING_KEY_OPTIONS = {
  type: 'object',
  title: 'SigningKeyConfig',
  description: 'A signing key; the first configured key signs, the others are only published.',
  properties: {
    alg: {
      type: 'enum',
      description: 'The algorithm.',
      values: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      default: 'RS256',
    },
    kid: {
      type: 'string',
      description: 'Key id. Default: the RFC 7638 thumbprint of the public key.',
    },
    privateJwk: {
      type: 'map',
      description:
        'A fixed private key as a JWK (its type is checked against `alg` at start). Default: a key generated at start. Never printed.',
      values: { type: 'any', description: 'A JWK member.' },
    },
  },
} as const satisfies ObjectOption;

/** {@link BruteForceConfig}. */
export const BRUTE_FORCE_OPTIONS = {
  type: 'object',
  title: 'BruteForceConfig',
  description: "Auth0's brute-force protection.",
  properties: {
    enabled: { type: 'boolean', description: 'Whether it is on.', default: true },
    threshold: {
      type: 'integer',
      // Auth0's brute-force threshold is settable from 1 to 100, default 10.
      description: 'Consecutive failures per (user, IP) before the block.',
      minimum: 1,
      maximum: 100,
      default: 10,
    },
    lockoutSeconds: {
      type: 'integer',
      description:
        "How long a block lasts, in seconds of the mock's clock; `null`: until the control API clears it or the server is reset.",
      minimum: 1,
      maximum: TEN_YEARS,
      unit: 'seconds',
      nullable: true,
      default: null,
    },
  },
} as const satisfies ObjectOption;

/** {@link RateLimitConfig}. */
export const RATE_LIMIT_OPTIONS = {
  type: 'object',
  title: 'RateLimitConfig',
  description: "A fixed-window rate limit, timed by the mock's clock.",
  required: ['limit', 'windowSeconds'],
  properties: {
    limit: {
      type: 'integer',
      description: 'Requests allowed per window.',
      minimum: 1,
      maximum: 1_000_000_000,
    },
    windowSeconds: {
      type: 'integer',
      description: "Window length in seconds of the mock's clock.",
      minimum: 1,
      maximum: ONE_DAY,
      unit: 'seconds',
    },
  },
} as const satisfies ObjectOption;

/** {@link DpopConfig}. */
export const DPOP_OPTIONS = {
  type: 'object',
  title: 'DpopConfig',
  description: "The tenant's DPoP settings (RFC 9449) for the proofs its endpoints receive.",
  properties: {
    requireNonce: {
      type: 'boolean',
      description:
        'Require a server-provided nonce in every DPoP proof (RFC 9449 section 8): a proof without a current one is answered `400 use_dpop_nonce` with a fresh nonce in the `DPoP-Nonce` header.',
      default: false,
    },
    nonceLifetime: {
      type: 'integer',
      description:
        "How long a nonce is accepted, in seconds of the mock's clock: from one to two lifetimes (a nonce is accepted in the period it was issued and the next).",
      minimum: 1,
      maximum: ONE_DAY,
      unit: 'seconds',
      default: 300,
    },
  },
} as const satisfies ObjectOption;

/** {@link TenantConfig}. */
export const TENANT_OPTIONS = {
  type: 'object',
  title: 'TenantConfig',
  description: 'The tenant: everything Auth0 would hold in its dashboard.',
  properties: {
    $schema: {
      type: 'string',
      description:
        'The JSON Schema of this file, for editors, e.g. `./node_modules/@ropkit/mock-server/schema/tenant.schema.json`. Ignored by the server.',
    },
    issuer: {
      type: 'string',
      description:
        "The issuer, `https://TENANT/`: an absolute http(s) URL with path `/`, in canonical form. Default: the server's own URL with a trailing slash.",
      pattern: ISSUER_PATTERN,
    },
    customDomainIssuer: {
      type: 'string',
      description:
        "The issuer of the tenant's custom domain, `https://login.example.com/`, for requests received on the custom domain's listener (`customDomain`). Default: that listener's URL with a trailing slash.",
      pattern: ISSUER_PATTERN,
    },
    defaultDirectory: {
      type: 'string',
      description:
        'The connection used by `grant_type=password` without a realm. Default: none, as in a new Auth0 tenant (`500 server_error`).',
    },
    defaultAudience: {
      type: 'string',
      description: 'The API used when a request has no `audience`. Default: none.',
    },
    apis: { type: 'array', description: 'APIs.', items: API_OPTIONS, default: [] },
    clients: { type: 'array', description: 'Applications.', items: CLIENT_OPTIONS, default: [] },
    connections: {
      type: 'array',
      description: 'Database connections and their users.',
      items: CONNECTION_OPTIONS,
      default: [],
    },
    rules: {
      type: 'array',
      description: 'Rules, applied in order.',
      items: RULE_OPTIONS,
      default: [],
    },
    signingKeys: {
      type: 'array',
      description: 'Signing keys; the first one signs, all are published.',
      items: SIGNING_KEY_OPTIONS,
      default: [{ alg: 'RS256' }],
    },
    bruteForce: { ...BRUTE_FORCE_OPTIONS, description: 'Brute-force protection.' },
    rateLimit: {
      ...RATE_LIMIT_OPTIONS,
      description:
        'Rate limit on `POST /oauth/token`, per end-user IP. Default: none (no limit, no `X-RateLimit-*` headers).',
    },
    userinfoRateLimit: {
      ...RATE_LIMIT_OPTIONS,
      description:
        'Rate limit on `/userinfo`, per user (Auth0: per user ID, a burst of 10 and 5 a minute). Default: none (no limit, no `X-RateLimit-*` headers).',
    },
    compatibility: {
      type: 'enum',
      description:
        "Where Auth0's docs and real Auth0 responses disagree: `observed` (real responses) or `documented`.",
      values: ['observed', 'documented'],
      default: 'observed',
    },
    updatedAtFormat: {
      type: 'enum',
      description:
        'The `updated_at` claim: `iso8601`, a date string as Auth0 sends it (`"2025-01-01T00:00:00.000Z"`), or `epoch-seconds`, a number as OIDC Core section 5.1 specifies.',
      values: ['iso8601', 'epoch-seconds'],
      default: 'iso8601',
    },
    mfaPolicy: {
      type: 'enum',
      description:
        '`always`: every user must pass MFA on the password grant; `never`: only users whose `mfa.required` is on.',
      values: ['never', 'always'],
      default: 'never',
    },
    mfaTokenLifetime: {
      type: 'integer',
      description: 'Lifetime of an `mfa_token`, in seconds (Auth0: 10 minutes).',
      minimum: 1,
      maximum: ONE_DAY,
      unit: 'seconds',
      default: 600,
    },
    mfaFactors: {
      type: 'array',
      description:
        'The MFA factors enabled in the tenant (Auth0 factor names; "Phone Message" is `sms` and `voice`): what users can enrol and be challenged with. Default: all.',
      items: {
        type: 'enum',
        description: 'A factor.',
        values: MFA_FACTORS,
        label: 'an MFA factor',
      },
      uniqueItems: 'factor',
      default: MFA_FACTORS,
    },
    mfaOobCodeLifetime: {
      type: 'integer',
      description:
        'Lifetime of an `oob_code` (an SMS, voice or email code, a push challenge, a push enrolment), in seconds (Auth0: 5 minutes).',
      minimum: 1,
      maximum: ONE_DAY,
      unit: 'seconds',
      default: 300,
    },
    mfaPushPollInterval: {
      type: 'integer',
      description:
        'Polling interval of a push challenge, in seconds: polling the `mfa-oob` grant sooner answers `slow_down` and adds 5 seconds (RFC 8628 section 3.5).',
      minimum: 1,
      maximum: 60,
      unit: 'seconds',
      default: 5,
    },
    dpop: { ...DPOP_OPTIONS, description: 'DPoP proof handling (nonces).' },
    mfaOnAcrValues: {
      type: 'boolean',
      description:
        'Step-up on request: a password grant whose `acr_values` lists `http://schemas.openid.net/pape/policies/2007/06/multi-factor` is answered `mfa_required` (Auth0\'s step-up Action); after MFA the tokens carry that `acr` and `amr: ["mfa"]`. `false`: `acr_values` is ignored.',
      default: true,
    },
  },
} as const satisfies ObjectOption;

/** {@link MockServerConfig}: the tenant plus where and how to listen (the CLI's config file). */
export const SERVER_OPTIONS = {
  ...TENANT_OPTIONS,
  title: 'MockServerConfig',
  description:
    'A @ropkit/mock-server configuration file (ropkit-mock-server --config FILE): the tenant, plus where and how to listen.',
  properties: {
    ...TENANT_OPTIONS.properties,
    host: { type: 'string', description: 'Address to bind.', default: '127.0.0.1' },
    port: {
      type: 'integer',
      description: 'Port to bind; `0` picks a free port.',
      minimum: 0,
      maximum: 65_535,
      default: 0,
    },
    controlApi: {
      type: 'boolean',
      description: 'Serve the control API under `/__ropkit/`.',
      default: false,
    },
    customDomain: {
      type: 'boolean',
      description:
        "Also answer as the tenant's custom domain: a second listener on `host` whose requests are served under `customDomainIssuer`, with the same tenant state.",
      default: false,
    },
    customDomainPort: {
      type: 'integer',
      description: "The custom domain listener's port; `0` picks a free port.",
      minimum: 0,
      maximum: 65_535,
      default: 0,
    },
  },
} as const satisfies ObjectOption;
