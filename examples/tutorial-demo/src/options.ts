import { parseArgs } from 'node:util';
import { FRAMEWORKS, isFramework, type Framework } from './frameworks.ts';
import {
  ENV,
  SECRET_SETTINGS,
  SETTING_FLAGS,
  readRealTenantSettings,
  type GivenSettings,
  type RealTenantSettings,
} from './real-tenant-settings.ts';

/** Which tenant the demo runs against. */
export type TenantChoice =
  { readonly kind: 'mock' } | { readonly kind: 'real'; readonly settings: RealTenantSettings };

/** What the command line asked for. */
export type DemoArguments =
  | { readonly help: true }
  | { readonly help: false; readonly framework: Framework; readonly tenant: TenantChoice };

/** A command line or settings mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: node src/main.ts [--framework express|koa|fastify] [real-tenant options]

Runs Auth0's "Call Your API Using Resource Owner Password Flow" tutorial step by step against
an in-process mock server (default), or against your Auth0 tenant when a domain is given.

  --framework, -f NAME   the example API's framework: ${FRAMEWORKS.join(', ')} (default express)
  --help, -h             this text

Real tenant (flags override the environment; secrets come from the environment only):
  --domain DOMAIN        ${ENV.domain}         your-tenant.eu.auth0.com
  --client-id ID         ${ENV.clientId}      a Regular Web Application with the Password
                                                    and Refresh Token grants
                         ${ENV.clientSecret}  its secret
  --audience ID          ${ENV.audience}       your API's identifier (with scope read:sample
                                                    and Allow Offline Access)
  --username NAME        ${ENV.username}       a user of the default directory
                         ${ENV.password}       their password
Optional sections, skipped when not given:
  --custom-claim NAME    ${ENV.customClaim}   the namespaced claim your rule adds (http://foo/bar)
  --realm CONNECTION     ${ENV.realm}          a connection the user belongs to
                         ${ENV.mfaSecret}     the user's base32 TOTP secret (MFA enrolled)
  --attack-protection    ${ENV.attackProtection}=1  the client has "Trust Token Endpoint IP
                         Header" on; the demo sends wrong passwords from 203.0.113.66 until
                         brute-force protection blocks that IP for the user (Auth0 may email them)
  --dpop                 ${ENV.dpop}=1  the API allows Token Sender-Constraining (DPoP,
                         RFC 9449); the demo gets a DPoP-bound token with a key made in memory
The MFA steps by SMS code, push, recovery code and enrolment run against the mock server only:
its control API stands in for the user's phone, and they would spend or enrol real factors.

Exit code: 0 when every step did what the tutorial says, 1 when one did not, 2 for a usage error.`;

const FLAG_OF_SECRET: Record<(typeof SECRET_SETTINGS)[number], string> = {
  clientSecret: 'client-secret',
  password: 'password',
  mfaSecret: 'mfa-secret',
};

/**
 * Reads the command line and the environment. Throws {@link UsageError} naming every problem;
 * no message contains a setting's value.
 */
export function parseDemoArguments(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoArguments {
  for (const secret of SECRET_SETTINGS) {
    const flag = `--${FLAG_OF_SECRET[secret]}`;
    if (argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`))) {
      throw new UsageError(
        `${flag} is not an option: secrets are read from the environment only (${ENV[secret]}), so they stay out of shell history and process lists`,
      );
    }
  }
  // `pnpm start -- --framework koa` passes the `--` on; it ends no options here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { help: true };

  const framework = values.framework ?? 'express';
  if (!isFramework(framework)) {
    throw new UsageError(
      `--framework must be one of ${FRAMEWORKS.join(', ')}; "${framework}" is not supported`,
    );
  }

  const given: GivenSettings = {};
  for (const name of Object.keys(ENV) as Array<keyof typeof ENV>) {
    const value = env[ENV[name]];
    if (value !== undefined && value !== '') given[name] = value;
  }
  for (const [name, flag] of Object.entries(SETTING_FLAGS) as Array<
    [keyof typeof SETTING_FLAGS, string]
  >) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') given[name] = value;
    if (value === true) given[name] = 'true';
  }

  if (given.domain === undefined) {
    const stray = (Object.keys(given) as Array<keyof typeof ENV>).filter((name) => given[name]);
    if (stray.length > 0) {
      throw new UsageError(
        `${stray.map((name) => ENV[name]).join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but ${ENV.domain} (or --domain) is not: give the domain to use your tenant, or unset ${stray.length === 1 ? 'it' : 'them'} to use the mock server`,
      );
    }
    return { help: false, framework, tenant: { kind: 'mock' } };
  }
  const read = readRealTenantSettings(given);
  if ('problems' in read) throw new UsageError(read.problems.join('\n'));
  return { help: false, framework, tenant: { kind: 'real', settings: read.settings } };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      framework: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
      domain: { type: 'string' },
      'client-id': { type: 'string' },
      audience: { type: 'string' },
      username: { type: 'string' },
      realm: { type: 'string' },
      'custom-claim': { type: 'string' },
      'attack-protection': { type: 'boolean' },
      dpop: { type: 'boolean' },
    },
  });
}
