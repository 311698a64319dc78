/** The app's settings, read from the environment by {@link readConfig}. */
export interface LoginAppConfig {
  /**
   * Where the authorization server is: its issuer (`https://YOUR_DOMAIN/`, endpoints discovered)
   * or its token endpoint (`https://YOUR_DOMAIN/oauth/token`, no discovery).
   */
  authorizationServer: { issuer: string } | { tokenEndpoint: string };
  /** The application's Client ID. */
  clientId: string;
  /** The application's Client Secret (a Regular Web Application, as the tutorial registers). */
  clientSecret: string;
  /** The API identifier the access tokens are for. */
  audience: string;
  /** Scopes asked for; `offline_access` brings the refresh token the background refresh uses. */
  scope: string;
  /** The URL the "Call the API" page fetches with the user's access token. */
  apiUrl: string;
  /** Signs the session cookie (express-session's `secret`). */
  sessionSecret: string;
  /** The port to listen on, on 127.0.0.1; `0` picks a free one. */
  port: number;
}

/** A missing or bad environment variable; the message names it and never repeats its value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Shorter secrets are guessable; 32 characters is what express-session's docs suggest at least. */
const MIN_SESSION_SECRET_LENGTH = 32;

/**
 * Reads `ISSUER_BASE_URL` or `TOKEN_ENDPOINT`, `CLIENT_ID`, `CLIENT_SECRET`, `AUDIENCE`,
 * `API_URL`, `SESSION_SECRET`, `SCOPE` (default `openid offline_access read:sample`; without
 * `openid` with `TOKEN_ENDPOINT`) and `PORT` (default 4000).
 *
 * @throws {ConfigError} naming the first variable that is missing or bad.
 */
export function readConfig(env: NodeJS.ProcessEnv): LoginAppConfig {
  const authorizationServer = readAuthorizationServer(env);
  return {
    authorizationServer,
    clientId: required(env, 'CLIENT_ID'),
    clientSecret: required(env, 'CLIENT_SECRET'),
    audience: required(env, 'AUDIENCE'),
    scope: readScope(env, 'issuer' in authorizationServer),
    apiUrl: readUrl(env, 'API_URL'),
    sessionSecret: readSessionSecret(env),
    port: readPort(env['PORT']),
  };
}

/**
 * The scope to ask for. An ID token (`openid`) is validated against the issuer's key set before
 * it is saved, so without `ISSUER_BASE_URL` there is no `openid`: by default, and as an error
 * when `SCOPE` asks for it.
 */
function readScope(env: NodeJS.ProcessEnv, hasIssuer: boolean): string {
  const scope = optional(env, 'SCOPE');
  if (scope === undefined) {
    return hasIssuer ? 'openid offline_access read:sample' : 'offline_access read:sample';
  }
  if (!hasIssuer && scope.split(/\s+/).includes('openid')) {
    throw new ConfigError(
      'SCOPE asks for openid, whose ID token is validated with the issuer: set ISSUER_BASE_URL instead of TOKEN_ENDPOINT, or leave openid out',
    );
  }
  return scope;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new ConfigError(`${name} is required`);
  return value;
}

function readAuthorizationServer(env: NodeJS.ProcessEnv): LoginAppConfig['authorizationServer'] {
  const issuer = optional(env, 'ISSUER_BASE_URL');
  const tokenEndpoint = optional(env, 'TOKEN_ENDPOINT');
  if (issuer !== undefined && tokenEndpoint !== undefined) {
    throw new ConfigError('Set ISSUER_BASE_URL or TOKEN_ENDPOINT, not both');
  }
  if (tokenEndpoint !== undefined) return { tokenEndpoint: readUrl(env, 'TOKEN_ENDPOINT') };
  if (issuer === undefined)
    throw new ConfigError('ISSUER_BASE_URL (or TOKEN_ENDPOINT) is required');
  // `https://YOUR_DOMAIN` as Auth0 shows it: the URL parser gives a bare origin the trailing slash
  // that Auth0's issuer has, and discovery compares the issuer as an exact string.
  return { issuer: readUrl(env, 'ISSUER_BASE_URL') };
}

function readUrl(env: NodeJS.ProcessEnv, name: string): string {
  const value = required(env, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http: or https: URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an absolute http: or https: URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name} must not contain credentials`);
  }
  return url.href;
}

function readSessionSecret(env: NodeJS.ProcessEnv): string {
  const secret = required(env, 'SESSION_SECRET');
  if (secret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConfigError(
      `SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters long`,
    );
  }
  return secret;
}

function readPort(raw: string | undefined): number {
  const value = raw?.trim() ?? '';
  if (value === '') return 4000;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError('PORT must be a whole number from 0 to 65535 (0: any free port)');
  }
  return port;
}
