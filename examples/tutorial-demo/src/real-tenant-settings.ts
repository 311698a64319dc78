import { decodeBase32 } from './totp.ts';

/** The environment variables of real-tenant mode. */
export const ENV = {
  domain: 'ROPKIT_DEMO_DOMAIN',
  clientId: 'ROPKIT_DEMO_CLIENT_ID',
  clientSecret: 'ROPKIT_DEMO_CLIENT_SECRET',
  audience: 'ROPKIT_DEMO_AUDIENCE',
  username: 'ROPKIT_DEMO_USERNAME',
  password: 'ROPKIT_DEMO_PASSWORD',
  realm: 'ROPKIT_DEMO_REALM',
  mfaSecret: 'ROPKIT_DEMO_MFA_SECRET',
  customClaim: 'ROPKIT_DEMO_CUSTOM_CLAIM',
  attackProtection: 'ROPKIT_DEMO_ATTACK_PROTECTION',
  dpop: 'ROPKIT_DEMO_DPOP',
} as const;

/** A setting's name in the environment, and its flag when it may be given as one. */
type SettingName = keyof typeof ENV;

/** Settings that are secrets: read from the environment only, never from flags. */
export const SECRET_SETTINGS = ['clientSecret', 'password', 'mfaSecret'] as const;

/** Settings real-tenant mode cannot do without. */
const REQUIRED_SETTINGS = [
  'domain',
  'clientId',
  'clientSecret',
  'audience',
  'username',
  'password',
] as const satisfies readonly SettingName[];

/** What a user gives to run the demo against their own Auth0 tenant. */
export interface RealTenantSettings {
  /** `https://TENANT/`, from the domain. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly audience: string;
  readonly username: string;
  readonly password: string;
  /** A connection the user belongs to, for the password-realm step. */
  readonly realm?: string;
  /** The user's base32 TOTP secret, for the MFA step (and sign-ins the tenant asks MFA for). */
  readonly mfaSecret?: string;
  /** The namespaced claim a rule or Action of the tenant adds to access tokens. */
  readonly customClaim?: string;
  /**
   * The user agreed that the client trusts `auth0-forwarded-for` and that the demo may trip
   * brute-force protection for a documentation IP.
   */
  readonly attackProtection: boolean;
  /** The API allows "Token Sender-Constraining" (DPoP, RFC 9449), for the DPoP step. */
  readonly dpop: boolean;
}

/** Settings as given: flags (non-secret only) win over the environment. */
export type GivenSettings = Partial<Record<SettingName, string>>;

/** The flag of each non-secret setting. */
export const SETTING_FLAGS = {
  domain: 'domain',
  clientId: 'client-id',
  audience: 'audience',
  username: 'username',
  realm: 'realm',
  customClaim: 'custom-claim',
  attackProtection: 'attack-protection',
  dpop: 'dpop',
} as const satisfies Partial<Record<SettingName, string>>;

/** How a setting is named in messages: its variable, and its flag when it has one. */
export function settingLabel(name: SettingName): string {
  const flag = (SETTING_FLAGS as Partial<Record<SettingName, string>>)[name];
  return flag === undefined ? ENV[name] : `${ENV[name]} (or --${flag})`;
}

/**
 * Checks real-tenant settings. Every problem is listed at once; messages name settings, never
 * their values (some are secrets).
 *
 * @returns the settings, or the problems found.
 */
export function readRealTenantSettings(
  given: GivenSettings,
): { settings: RealTenantSettings } | { problems: string[] } {
  const problems: string[] = [];
  const missing = REQUIRED_SETTINGS.filter((name) => !given[name]);
  if (missing.length > 0) {
    problems.push(
      `a real tenant needs ${missing.map(settingLabel).join(', ')}: ${missing.length === 1 ? 'it is' : 'they are'} missing`,
    );
  }
  const issuer = given.domain ? issuerOf(given.domain, problems) : undefined;
  if (given.mfaSecret) {
    try {
      if (decodeBase32(given.mfaSecret).length < 10)
        problems.push(
          `${ENV.mfaSecret} is too short for a TOTP secret (RFC 4226 asks 128 bits or more)`,
        );
    } catch {
      problems.push(`${ENV.mfaSecret} is not a base32 TOTP secret (RFC 4648)`);
    }
  }
  if (given.customClaim && !/^https?:\/\/\S+$/.test(given.customClaim)) {
    problems.push(
      `${settingLabel('customClaim')} must be a namespaced claim name such as http://foo/bar`,
    );
  }
  const attackProtection = parseSwitch('attackProtection', given.attackProtection, problems);
  const dpop = parseSwitch('dpop', given.dpop, problems);
  if (problems.length > 0 || issuer === undefined) return { problems };
  return {
    settings: {
      issuer,
      clientId: given.clientId ?? '',
      clientSecret: given.clientSecret ?? '',
      audience: given.audience ?? '',
      username: given.username ?? '',
      password: given.password ?? '',
      ...(given.realm ? { realm: given.realm } : {}),
      ...(given.mfaSecret ? { mfaSecret: given.mfaSecret } : {}),
      ...(given.customClaim ? { customClaim: given.customClaim } : {}),
      attackProtection,
      dpop,
    },
  };
}

/**
 * The issuer of an Auth0 domain: `tenant.eu.auth0.com` or `https://tenant.eu.auth0.com/` both
 * give `https://tenant.eu.auth0.com/` (Auth0's `iss` has the trailing slash). Plain http, paths,
 * queries and credentials are refused: the token URL must be the tenant's, over TLS.
 */
function issuerOf(domain: string, problems: string[]): string | undefined {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(domain) ? domain : `https://${domain}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${settingLabel('domain')} is not a domain such as your-tenant.eu.auth0.com`);
    return undefined;
  }
  if (url.protocol !== 'https:') {
    problems.push(`${settingLabel('domain')} must use https`);
    return undefined;
  }
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    problems.push(
      `${settingLabel('domain')} must be a bare domain, without path, query or credentials`,
    );
    return undefined;
  }
  return `${url.origin}/`;
}

function parseSwitch(
  name: 'attackProtection' | 'dpop',
  value: string | undefined,
  problems: string[],
): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  problems.push(`${settingLabel(name)} must be 1 or true (or 0, false, unset)`);
  return false;
}
