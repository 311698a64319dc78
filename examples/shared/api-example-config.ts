/**
 * The settings of the three API examples (examples/express, koa, fastify), read from the
 * environment. Shared so the examples differ only in their framework glue; each example's
 * `src/config.ts` re-exports this file (copy it along when you copy an example).
 */

/**
 * The JWS algorithms `auth()` accepts (core's `ASYMMETRIC_ALGORITHMS`); `none` and HS* never.
 * Each example passes them to its adapter's `auth()`, so TypeScript checks this list against it.
 */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** One of {@link ALGORITHMS}. */
export type Algorithm = (typeof ALGORITHMS)[number];

const TOKEN_PROFILES = ['auth0', 'rfc9068'] as const;

/** The API's settings, read from the environment by {@link readConfig}. */
export interface ApiConfig {
  /** The issuer exactly as in the tokens' `iss`: `https://YOUR_DOMAIN/`. */
  issuer: string;
  /** The API identifier the tokens must be issued for (`aud`). */
  audience: string;
  /** The port to listen on, on 127.0.0.1; `0` picks a free one. */
  port: number;
  /** Accepted signature algorithms. */
  algorithms: Algorithm[];
  /** `auth0` (Auth0 access tokens) or `rfc9068` (JWT access tokens, `typ: at+jwt`). */
  tokenProfile: (typeof TOKEN_PROFILES)[number];
}

/** A missing or bad environment variable; the message names it and never repeats its value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads `ISSUER_BASE_URL`, `AUDIENCE`, `PORT` (default 3000), `ALGORITHMS` (comma-separated,
 * default `RS256`) and `TOKEN_PROFILE` (default `auth0`).
 *
 * @throws {ConfigError} naming the first variable that is missing or bad.
 */
export function readConfig(env: NodeJS.ProcessEnv): ApiConfig {
  return {
    issuer: readIssuer(env['ISSUER_BASE_URL']),
    audience: required(env, 'AUDIENCE'),
    port: readPort(env['PORT']),
    algorithms: readAlgorithms(env['ALGORITHMS']),
    tokenProfile: readTokenProfile(env['TOKEN_PROFILE']),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(`${name} is required`);
  return value;
}

/**
 * `https://YOUR_DOMAIN` as Auth0 shows it. The token's `iss` is compared as an exact string and
 * Auth0's ends with a slash, which the URL parser adds to a bare origin; an issuer with a path
 * (other servers) is kept as written.
 */
function readIssuer(raw: string | undefined): string {
  const value = raw?.trim();
  if (value === undefined || value === '') throw new ConfigError('ISSUER_BASE_URL is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('ISSUER_BASE_URL must be an absolute URL, like https://YOUR_DOMAIN/');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('ISSUER_BASE_URL must be an http: or https: URL');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError('ISSUER_BASE_URL must not have credentials, a query or a fragment');
  }
  return url.href;
}

function readPort(raw: string | undefined): number {
  const value = raw?.trim() ?? '';
  if (value === '') return 3000;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError('PORT must be a whole number from 0 to 65535 (0: any free port)');
  }
  return port;
}

function readAlgorithms(raw: string | undefined): Algorithm[] {
  if (raw === undefined || raw.trim() === '') return ['RS256'];
  const names = raw.split(',').map((name) => name.trim());
  const algorithms = names.filter((name): name is Algorithm =>
    ALGORITHMS.some((alg) => alg === name),
  );
  if (algorithms.length !== names.length) {
    throw new ConfigError(`ALGORITHMS must be a comma-separated list of ${ALGORITHMS.join(', ')}`);
  }
  return algorithms;
}

function readTokenProfile(raw: string | undefined): ApiConfig['tokenProfile'] {
  const value = raw?.trim() ?? '';
  if (value === '') return 'auth0';
  const profile = TOKEN_PROFILES.find((name) => name === value);
  if (profile === undefined) throw new ConfigError('TOKEN_PROFILE must be auth0 or rfc9068');
  return profile;
}
