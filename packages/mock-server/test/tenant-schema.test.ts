import { readFile } from 'node:fs/promises';
import { describe, expect, expectTypeOf, it } from 'vitest';
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
} from '../src/index.js';
import { TUTORIAL, tutorialTenant } from '../src/index.js';
import { checkOption, type ObjectOption, type OptionSpec } from '../src/option-spec.js';
import {
  API_OPTIONS,
  BRUTE_FORCE_OPTIONS,
  CLIENT_OPTIONS,
  CONNECTION_OPTIONS,
  DPOP_OPTIONS,
  MFA_OPTIONS,
  RATE_LIMIT_OPTIONS,
  REFRESH_TOKEN_OPTIONS,
  RULE_OPTIONS,
  SERVER_OPTIONS,
  SIGNING_KEY_OPTIONS,
  TENANT_OPTIONS,
  USER_OPTIONS,
} from '../src/tenant-options.js';
import { TENANT_SCHEMA_FILE, tenantJsonSchema } from '../src/tenant-schema.js';
import { validateServerConfig } from '../src/validate-config.js';
import { firstSchemaError } from './json-schema-subset.js';

const packageFile = (path: string) => new URL(`../${path}`, import.meta.url);
const committedSchema = JSON.parse(await readFile(packageFile(TENANT_SCHEMA_FILE), 'utf8')) as {
  [keyword: string]: unknown;
};

describe('the shipped JSON Schema', () => {
  it('is what the generator produces from the option descriptions (run generate:schema if not)', () => {
    expect(committedSchema).toEqual(tenantJsonSchema());
  });

  it('is exported as @ropkit/mock-server/tenant.schema.json and in the published files', async () => {
    const manifest = JSON.parse(await readFile(packageFile('package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
      scripts: Record<string, string>;
    };
    expect(manifest.exports['./tenant.schema.json']).toBe(`./${TENANT_SCHEMA_FILE}`);
    expect(manifest.files).toContain('schema');
    expect(manifest.scripts['generate:schema']).toContain('scripts/generate-schema.ts');
  });

  it('is a draft 2020-12 schema that allows "$schema" and forbids unknown options', () => {
    expect(committedSchema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(committedSchema['additionalProperties']).toBe(false);
    expect(committedSchema['properties']).toHaveProperty('$schema');
  });
});

/** `T`'s keys that are not optional. */
type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
/** The keys an option description lists as required. */
type SpecRequired<S> = S extends { readonly required: readonly (infer K)[] } ? K : never;
/** The keys an option description has. */
type SpecKeys<S extends ObjectOption> = keyof S['properties'];

// The option descriptions and the TypeScript interfaces have the same options, key for key, with
// the same required ones. Type-level: `pnpm typecheck` fails when an interface and its
// description disagree (these calls do nothing at run time).
expectTypeOf<keyof ApiConfig>().toEqualTypeOf<SpecKeys<typeof API_OPTIONS>>();
expectTypeOf<RequiredKeys<ApiConfig>>().toEqualTypeOf<SpecRequired<typeof API_OPTIONS>>();
expectTypeOf<keyof ClientConfig>().toEqualTypeOf<SpecKeys<typeof CLIENT_OPTIONS>>();
expectTypeOf<RequiredKeys<ClientConfig>>().toEqualTypeOf<SpecRequired<typeof CLIENT_OPTIONS>>();
expectTypeOf<keyof RefreshTokenSettings>().toEqualTypeOf<SpecKeys<typeof REFRESH_TOKEN_OPTIONS>>();
expectTypeOf<RequiredKeys<RefreshTokenSettings>>().toEqualTypeOf<
  SpecRequired<typeof REFRESH_TOKEN_OPTIONS>
>();
expectTypeOf<keyof UserConfig>().toEqualTypeOf<SpecKeys<typeof USER_OPTIONS>>();
expectTypeOf<RequiredKeys<UserConfig>>().toEqualTypeOf<SpecRequired<typeof USER_OPTIONS>>();
expectTypeOf<keyof MfaEnrolment>().toEqualTypeOf<SpecKeys<typeof MFA_OPTIONS>>();
expectTypeOf<RequiredKeys<MfaEnrolment>>().toEqualTypeOf<SpecRequired<typeof MFA_OPTIONS>>();
expectTypeOf<keyof ConnectionConfig>().toEqualTypeOf<SpecKeys<typeof CONNECTION_OPTIONS>>();
expectTypeOf<RequiredKeys<ConnectionConfig>>().toEqualTypeOf<
  SpecRequired<typeof CONNECTION_OPTIONS>
>();
expectTypeOf<keyof RuleConfig>().toEqualTypeOf<SpecKeys<typeof RULE_OPTIONS>>();
expectTypeOf<RequiredKeys<RuleConfig>>().toEqualTypeOf<SpecRequired<typeof RULE_OPTIONS>>();
expectTypeOf<keyof SigningKeyConfig>().toEqualTypeOf<SpecKeys<typeof SIGNING_KEY_OPTIONS>>();
expectTypeOf<RequiredKeys<SigningKeyConfig>>().toEqualTypeOf<
  SpecRequired<typeof SIGNING_KEY_OPTIONS>
>();
expectTypeOf<keyof BruteForceConfig>().toEqualTypeOf<SpecKeys<typeof BRUTE_FORCE_OPTIONS>>();
expectTypeOf<RequiredKeys<BruteForceConfig>>().toEqualTypeOf<
  SpecRequired<typeof BRUTE_FORCE_OPTIONS>
>();
expectTypeOf<keyof RateLimitConfig>().toEqualTypeOf<SpecKeys<typeof RATE_LIMIT_OPTIONS>>();
expectTypeOf<RequiredKeys<RateLimitConfig>>().toEqualTypeOf<
  SpecRequired<typeof RATE_LIMIT_OPTIONS>
>();
expectTypeOf<keyof DpopConfig>().toEqualTypeOf<SpecKeys<typeof DPOP_OPTIONS>>();
expectTypeOf<RequiredKeys<DpopConfig>>().toEqualTypeOf<SpecRequired<typeof DPOP_OPTIONS>>();
expectTypeOf<keyof TenantConfig>().toEqualTypeOf<SpecKeys<typeof TENANT_OPTIONS>>();
expectTypeOf<RequiredKeys<TenantConfig>>().toEqualTypeOf<SpecRequired<typeof TENANT_OPTIONS>>();
expectTypeOf<keyof MockServerConfig>().toEqualTypeOf<SpecKeys<typeof SERVER_OPTIONS>>();
expectTypeOf<RequiredKeys<MockServerConfig>>().toEqualTypeOf<SpecRequired<typeof SERVER_OPTIONS>>();

describe('the option descriptions', () => {
  it('list as required only options they have, and name every object type once', () => {
    const titles = new Map<string, ObjectOption>();
    const problems: string[] = [];
    const visit = (spec: OptionSpec): void => {
      if (spec.type === 'array') visit(spec.items);
      if (spec.type === 'map') visit(spec.values);
      if (spec.type !== 'object') return;
      for (const key of spec.required ?? []) {
        if (!(key in spec.properties))
          problems.push(`${spec.title ?? '?'} requires unknown ${key}`);
      }
      if (spec.title !== undefined) {
        const seen = titles.get(spec.title);
        if (seen !== undefined && seen.properties !== spec.properties) {
          problems.push(`two different object types are called ${spec.title}`);
        }
        titles.set(spec.title, spec);
      }
      Object.values(spec.properties).forEach(visit);
    };
    visit(SERVER_OPTIONS);
    expect(problems).toEqual([]);
    expect([...titles.keys()].toSorted()).toEqual([
      'ApiConfig',
      'BruteForceConfig',
      'ClientConfig',
      'ConnectionConfig',
      'DpopConfig',
      'MfaEnrolment',
      'MockServerConfig',
      'RateLimitConfig',
      'RefreshTokenSettings',
      'RuleConfig',
      'SigningKeyConfig',
      'UserConfig',
    ]);
  });
});

/** A valid configuration that sets every option at least once (checked below). */
const EVERY_OPTION = {
  $schema: './node_modules/@ropkit/mock-server/schema/tenant.schema.json',
  issuer: 'https://tenant.example.com/',
  customDomainIssuer: 'https://login.example.com/',
  defaultDirectory: 'db',
  defaultAudience: 'https://api.example.com',
  apis: [
    {
      identifier: 'https://api.example.com',
      scopes: ['read', 'write'],
      allowOfflineAccess: true,
      rbac: true,
      addPermissionsInAccessToken: true,
      tokenProfile: 'rfc9068',
      tokenLifetime: 3600,
      proofOfPossession: 'required',
      signingAlgorithm: 'HS256',
      signingSecret: 'an HS256 signing secret of 32+ characters',
    },
  ],
  clients: [
    {
      clientId: 'app',
      clientSecret: 'app-secret',
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['password', 'refresh_token'],
      trustForwardedFor: true,
      idTokenLifetime: 600,
      refreshToken: {
        rotation: 'rotating',
        reuseInterval: 10,
        lifetime: 86_400,
        idleLifetime: 3_600,
      },
      requireProofOfPossession: true,
      tlsClientCertificateBoundAccessTokens: true,
    },
  ],
  connections: [
    {
      name: 'db',
      users: [
        {
          email: 'alice@example.com',
          password: 'alice-password',
          username: 'alice',
          userId: 'alice-1',
          name: 'Alice',
          nickname: 'al',
          picture: 'https://example.com/alice.png',
          emailVerified: false,
          updatedAt: 1_700_000_000,
          permissions: { 'https://api.example.com': ['read'] },
          mfa: {
            required: true,
            totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
            recoveryCodes: ['recovery-1'],
            sms: ['+15555550100'],
            voice: ['+15555550101'],
            email: ['alice@example.com'],
            push: ["Alice's phone"],
          },
          blocked: false,
        },
      ],
    },
  ],
  rules: [
    {
      name: 'customize tokens',
      connection: 'db',
      clientId: 'app',
      user: 'alice@example.com',
      deny: 'not today',
      accessTokenClaims: { 'http://foo/bar': 'value' },
      idTokenClaims: { 'https://fiz/baz': { nested: [1, 'two'] } },
      scope: ['read'],
    },
  ],
  signingKeys: [
    { alg: 'ES256', kid: 'key-1', privateJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' } },
  ],
  bruteForce: { enabled: true, threshold: 5, lockoutSeconds: 60 },
  rateLimit: { limit: 100, windowSeconds: 60 },
  userinfoRateLimit: { limit: 10, windowSeconds: 60 },
  compatibility: 'documented',
  updatedAtFormat: 'epoch-seconds',
  mfaPolicy: 'always',
  mfaTokenLifetime: 300,
  mfaFactors: ['otp', 'sms', 'recovery-code'],
  mfaOobCodeLifetime: 120,
  mfaPushPollInterval: 10,
  dpop: { requireNonce: true, nonceLifetime: 120 },
  mfaOnAcrValues: false,
  host: '127.0.0.1',
  port: 8080,
  controlApi: true,
  customDomain: true,
  customDomainPort: 8081,
};

/**
 * What the validator rejects and a JSON Schema cannot say: cross-references, ids unique across a
 * list, options that depend on each other, the issuer's canonical form, a TOTP secret's decoded
 * length. Any other rejection must come with a schema error too.
 */
const CHECKS_BEYOND_THE_SCHEMA: readonly RegExp[] = [
  /names no (connection|API|client) in /,
  /has two entries with (identifier|clientId|name|kid|login name|userId) /,
  /\.clientSecret" is required when tokenEndpointAuthMethod is /,
  /\.clientSecret" must be absent when tokenEndpointAuthMethod is "none"/,
  /^"(issuer|customDomainIssuer)" must be an absolute http\(s\) URL/,
  /^"customDomain(Port|Issuer)" needs "customDomain": true$/,
  /^"customDomainPort" must differ from "port"$/,
  /\.totpSecret" must be base32 \(RFC 4648\) encoding at least 16 bytes/,
  /\.idleLifetime" must not exceed "lifetime"/,
  /\.signingSecret" (is required when|must be absent unless) signingAlgorithm is "HS256"$/,
  /\.tlsClientCertificateBoundAccessTokens" needs a confidential client/,
  /\.permissions" (names API "[^"]*", which is not in "apis"|gives "[^"]*", which API)/,
];

type Verdict = { accepted: true } | { accepted: false; message: string };

function validatorVerdict(config: unknown): Verdict {
  try {
    validateServerConfig(config);
    return { accepted: true };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return { accepted: false, message: error.message };
  }
}

/**
 * Why the validator and the schema disagree on `config`, or `undefined` when they agree: both
 * accept, both reject, or only the validator rejects, for a check beyond the schema.
 */
function disagreement(config: unknown, label: string): string | undefined {
  const validator = validatorVerdict(config);
  const schemaError = firstSchemaError(committedSchema, config);
  if (validator.accepted) {
    return schemaError === undefined
      ? undefined
      : `${label}: the validator accepts it, the schema does not (${schemaError})`;
  }
  if (schemaError !== undefined) return undefined;
  return CHECKS_BEYOND_THE_SCHEMA.some((pattern) => pattern.test(validator.message))
    ? undefined
    : `${label}: only the validator rejects it ("${validator.message}"), for a reason the schema could express`;
}

/** Why `config` is not rejected by both with the validator naming `path`, or `undefined`. */
function notRejectedByBoth(config: unknown, label: string, path: string): string | undefined {
  const validator = validatorVerdict(config);
  const schemaError = firstSchemaError(committedSchema, config);
  if (validator.accepted) return `${label}: the validator accepts it`;
  if (schemaError === undefined) return `${label}: the schema accepts it`;
  if (!validator.message.includes(`"${path}"`)) {
    return `${label}: the validator's message does not name "${path}": ${validator.message}`;
  }
  return undefined;
}

/** The problems among `results` (the `undefined`s are agreements). */
function problemsOf(results: ReadonlyArray<string | undefined>): string[] {
  return results.filter((result): result is string => result !== undefined);
}

type Segment = string | number;

function displayPath(segments: readonly Segment[]): string {
  return segments.reduce<string>(
    (path, segment) =>
      typeof segment === 'number'
        ? `${path}[${segment}]`
        : path === ''
          ? segment
          : `${path}.${segment}`,
    '',
  );
}

/** A copy of `config` with the value at `segments` replaced (or removed, for `REMOVE`). */
const REMOVE = Symbol('remove');
function withValue(config: unknown, segments: readonly Segment[], value: unknown): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const segment of segments.slice(0, -1)) {
    node = node[segment] as Record<string | number, unknown>;
  }
  const last = segments.at(-1)!;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}

/** Values that are not of `spec`'s kind, or out of its range, or off its pattern. */
function invalidValues(spec: OptionSpec): unknown[] {
  switch (spec.type) {
    case 'string': {
      const offPattern =
        spec.pattern === undefined
          ? []
          : ['|', ' ', '!', '1', 'http://x', 'a b'].filter(
              (candidate) => !new RegExp(spec.pattern!.source, 'u').test(candidate),
            );
      return ['', 42, true, null, [], {}, ...offPattern];
    }
    case 'boolean':
      return ['true', 0, null];
    case 'integer':
      return [
        1.5,
        spec.minimum - 1,
        spec.maximum + 1,
        '1',
        ...(spec.nullable === true ? [] : [null]),
      ];
    case 'enum':
      return ['not-one-of-them', 0, null];
    case 'array':
      return [{}, 'x', null];
    case 'object':
    case 'map':
      return [[], 'x', null];
  }
  // `any` takes any value.
  return [];
}

/** Values of `spec`'s kind that differ from `current`: boundaries, every choice, the other boolean. */
function otherValidValues(spec: OptionSpec, current: unknown): unknown[] {
  switch (spec.type) {
    case 'boolean':
      return [!(current as boolean)];
    case 'integer':
      return [spec.minimum, spec.maximum, ...(spec.nullable === true ? [null] : [])];
    case 'enum':
      return spec.values.filter((value) => value !== current);
    case 'string':
      return [`${String(current)}-other`];
    case 'array':
      return [[]];
    default:
      return [];
  }
}

interface Visit {
  readonly segments: readonly Segment[];
  readonly spec: OptionSpec;
  readonly value: unknown;
}

/** Every option `EVERY_OPTION` sets, with its description; fails on one it does not set. */
function visitEveryOption(spec: OptionSpec, value: unknown, segments: Segment[] = []): Visit[] {
  const here: Visit = { segments, spec, value };
  const where = displayPath(segments) || 'the root';
  switch (spec.type) {
    case 'object':
      return [
        here,
        ...Object.entries(spec.properties).flatMap(([key, property]) => {
          const child = (value as Record<string, unknown>)[key];
          if (child === undefined) throw new Error(`EVERY_OPTION does not set ${where}.${key}`);
          return visitEveryOption(property, child, [...segments, key]);
        }),
      ];
    case 'array': {
      const items = value as unknown[];
      if (items.length === 0) throw new Error(`EVERY_OPTION has no item in ${where}`);
      return [here, ...visitEveryOption(spec.items, items[0], [...segments, 0])];
    }
    case 'map': {
      const [entry] = Object.entries(value as Record<string, unknown>);
      if (entry === undefined) throw new Error(`EVERY_OPTION has no entry in ${where}`);
      return [here, ...visitEveryOption(spec.values, entry[1], [...segments, entry[0]])];
    }
    default:
      return [here];
  }
}

describe('the validator and the schema accept and reject the same configurations', () => {
  const visits = visitEveryOption(SERVER_OPTIONS, EVERY_OPTION);

  it('EVERY_OPTION sets every option, and both accept it', () => {
    checkOption(SERVER_OPTIONS, EVERY_OPTION, '');
    expect(validatorVerdict(EVERY_OPTION)).toEqual({ accepted: true });
    expect(firstSchemaError(committedSchema, EVERY_OPTION)).toBeUndefined();
    expect(visits.length).toBeGreaterThan(60);
  });

  it('both reject a wrong type, an out-of-range number, an off-pattern string, at every option', () => {
    const results = visits.flatMap(({ segments, spec }) =>
      segments.length === 0
        ? []
        : invalidValues(spec).map((bad) =>
            notRejectedByBoth(
              withValue(EVERY_OPTION, segments, bad),
              `${displayPath(segments)} = ${JSON.stringify(bad)}`,
              displayPath(segments),
            ),
          ),
    );
    expect(results.length).toBeGreaterThan(200);
    expect(problemsOf(results)).toEqual([]);
  });

  it('both reject an unknown option and a missing required one, in every object', () => {
    const results = visits.flatMap(({ segments, spec }) => {
      if (spec.type !== 'object') return [];
      const unknown = [...segments, 'unknownOption'];
      return [
        notRejectedByBoth(
          withValue(EVERY_OPTION, unknown, true),
          `${displayPath(unknown)} (unknown)`,
          displayPath(unknown),
        ),
        ...(spec.required ?? []).map((key) => {
          const missing = [...segments, key];
          return notRejectedByBoth(
            withValue(EVERY_OPTION, missing, REMOVE),
            `${displayPath(missing)} (missing)`,
            displayPath(missing),
          );
        }),
      ];
    });
    expect(results.length).toBeGreaterThan(15);
    expect(problemsOf(results)).toEqual([]);
  });

  it('both reject a duplicated scope and a claim name that is not namespaced', () => {
    const scopes = ['apis', 0, 'scopes'];
    const claims = ['rules', 0, 'accessTokenClaims'];
    expect(
      problemsOf([
        notRejectedByBoth(
          withValue(EVERY_OPTION, scopes, ['read', 'read']),
          'scopes',
          'apis[0].scopes',
        ),
        notRejectedByBoth(
          withValue(EVERY_OPTION, claims, { role: 'admin' }),
          'a plain claim name',
          'rules[0].accessTokenClaims',
        ),
      ]),
    ).toEqual([]);
  });

  it('agree on other valid values at every option (boundaries, every choice, omissions)', () => {
    const results = visits.flatMap(({ segments, spec, value }) => {
      if (segments.length === 0) return [];
      return [
        ...otherValidValues(spec, value).map((other) =>
          disagreement(
            withValue(EVERY_OPTION, segments, other),
            `${displayPath(segments)} = ${JSON.stringify(other)}`,
          ),
        ),
        // Leaving an option out: the default applies, or (required) both reject.
        typeof segments.at(-1) === 'string'
          ? disagreement(
              withValue(EVERY_OPTION, segments, REMOVE),
              `${displayPath(segments)} left out`,
            )
          : undefined,
      ];
    });
    expect(results.length).toBeGreaterThan(100);
    expect(problemsOf(results)).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['an empty configuration', {}],
    ['the tutorial tenant', tutorialTenant()],
    ['the tutorial tenant with a $schema pointer', { $schema: 'x.json', ...tutorialTenant() }],
    ['a user only', { connections: [{ name: 'db', users: [{ email: 'a@b.c', password: 'p' }] }] }],
    ['a public client', { clients: [{ clientId: 'spa', tokenEndpointAuthMethod: 'none' }] }],
    ['an issuer in upper case (not canonical)', { issuer: 'https://Tenant.example.com/' }],
    [
      'an issuer with its default port (not canonical)',
      { issuer: 'https://tenant.example.com:443/' },
    ],
    ['a default directory that names no connection', { defaultDirectory: 'nowhere' }],
    [
      'a public client with a secret',
      { clients: [{ clientId: 'c', tokenEndpointAuthMethod: 'none', clientSecret: 's' }] },
    ],
    [
      'a confidential client without one',
      { clients: [{ clientId: 'c', tokenEndpointAuthMethod: 'client_secret_basic' }] },
    ],
    ['two clients with one id', { clients: [{ clientId: 'c' }, { clientId: 'c' }] }],
    [
      'a TOTP secret of 10 bytes',
      {
        connections: [
          {
            name: 'db',
            users: [
              { email: TUTORIAL.username, password: 'p', mfa: { totpSecret: 'JBSWY3DPEHPK3PXP' } },
            ],
          },
        ],
      },
    ],
    [
      'an idle refresh token lifetime beyond the lifetime',
      { clients: [{ clientId: 'c', refreshToken: { lifetime: 60, idleLifetime: 61 } }] },
    ],
    [
      'every MFA authenticator kind',
      {
        connections: [
          {
            name: 'db',
            users: [
              {
                email: 'a@example.com',
                password: 'p',
                mfa: {
                  sms: ['+15555550100'],
                  voice: ['+4930123456'],
                  email: ['a@b.c'],
                  push: ['x'],
                },
              },
            ],
          },
        ],
      },
    ],
    ['a rule for an unknown client', { rules: [{ name: 'r', clientId: 'nobody' }] }],
    [
      'a custom domain issuer without a custom domain',
      { customDomainIssuer: 'https://l.example/' },
    ],
    ['a custom domain port without a custom domain', { customDomainPort: 8081 }],
    ['a custom domain on the port', { port: 8080, customDomain: true, customDomainPort: 8080 }],
    ['DPoP nonces required', { dpop: { requireNonce: true } }],
    ['an HS256 API without its secret', { apis: [{ identifier: 'a', signingAlgorithm: 'HS256' }] }],
    [
      'a signing secret for an RS256 API',
      { apis: [{ identifier: 'a', signingSecret: 'x'.repeat(32) }] },
    ],
    [
      'an HS256 secret of 31 characters',
      { apis: [{ identifier: 'a', signingSecret: 'x'.repeat(31) }] },
    ],
    [
      'mTLS token binding for a public client',
      {
        clients: [
          {
            clientId: 'spa',
            tokenEndpointAuthMethod: 'none',
            tlsClientCertificateBoundAccessTokens: true,
          },
        ],
      },
    ],
    ['lockoutSeconds null', { bruteForce: { lockoutSeconds: null } }],
    ['a top-level array', []],
    ['a string', 'tenant'],
  ])('agree on %s', (label, config) => {
    expect(disagreement(config, label)).toBeUndefined();
  });
});
