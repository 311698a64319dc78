import { isRecord } from '../http/is-record.js';
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import { clientCredentials } from './client-authentication.js';
import { discoverClientEndpoints, type ClientEndpoints } from './endpoint-discovery.js';
import { GRANT_TYPES } from './grant-types.js';
import { postForm, type EndpointResponse } from './token-endpoint-request.js';
import { errorFromResponse, processTokenResponse } from './token-response.js';
import { InvalidTokenResponseError } from './token-errors.js';
import type { TokenSet } from './token-set.js';
import {
  resolveTokenClientOptions,
  scopeParameter,
  type ResolvedTokenClientOptions,
  type TokenClientOptions,
} from './token-client-options.js';

/** Per-call option: the end user's IP for Auth0's attack protection. */
export interface ForwardedFor {
  /**
   * The end user's IP address, sent as `auth0-forwarded-for` so brute-force protection counts
   * failures per user IP rather than per backend IP. Auth0 trusts it only from a confidential
   * client with "Trust Token Endpoint IP Header" on.
   */
  forwardedFor?: string;
}

/** Parameters of {@link TokenClient.password}. */
export interface PasswordGrantParameters extends ForwardedFor {
  username: string;
  password: string;
  /** The API identifier. Default: the client's `audience`. */
  audience?: string;
  /** Requested scopes. Default: the client's `scope`. */
  scope?: string | readonly string[];
  /**
   * The connection (user directory) to authenticate against. When set, Auth0's extension grant
   * `http://auth0.com/oauth/grant-type/password-realm` is used with `realm`; otherwise
   * `grant_type=password` uses the tenant's default directory.
   */
  realm?: string;
}

/** Parameters of {@link TokenClient.refresh}. */
export interface RefreshParameters extends ForwardedFor {
  refreshToken: string;
  /** A subset of the originally granted scopes (RFC 6749 section 6). Default: all of them. */
  scope?: string | readonly string[];
}

/** Answer of {@link TokenClient.mfaChallenge}. */
export interface MfaChallenge {
  challengeType: string;
  oobCode?: string;
  bindingMethod?: string;
}

/**
 * Exchanges user credentials for tokens with an Auth0-compatible authorization server: the
 * Resource Owner Password grant (RFC 6749 section 4.3), Auth0's password-realm and MFA grants,
 * refresh (section 6) and revocation (RFC 7009). All HTTP goes through undici.
 *
 * Every answer is checked before it is returned; failures are typed errors
 * ({@link OAuthError}, {@link MfaRequiredError}, {@link InvalidTokenResponseError},
 * {@link TokenRequestError}) whose messages and fields hold no secret.
 *
 * @example
 * ```ts
 * const client = new TokenClient({
 *   issuer: 'https://YOUR_DOMAIN/',
 *   clientId: 'YOUR_CLIENT_ID',
 *   clientSecret: 'YOUR_CLIENT_SECRET',
 *   audience: 'YOUR_API_IDENTIFIER',
 *   scope: 'openid offline_access read:sample',
 * });
 * const tokens = await client.password({ username: 'user@example.com', password: 'pwd' });
 * ```
 */
export class TokenClient {
  readonly #options: ResolvedTokenClientOptions;
  #endpoints: Promise<ClientEndpoints> | undefined;

  /** @throws {TypeError} when an option is invalid. */
  constructor(options: TokenClientOptions) {
    this.#options = resolveTokenClientOptions(options);
  }

  /** The client id (not a secret). */
  get clientId(): string {
    return this.#options.clientId;
  }

  /** The Resource Owner Password grant, or Auth0's password-realm grant when `realm` is given. */
  async password(parameters: PasswordGrantParameters): Promise<TokenSet> {
    const { username, password, realm } = parameters;
    if (typeof username !== 'string' || username === '') {
      throw new TypeError('"username" must be a non-empty string');
    }
    if (typeof password !== 'string' || password === '') {
      throw new TypeError('"password" must be a non-empty string');
    }
    if (realm !== undefined && (typeof realm !== 'string' || realm === '')) {
      throw new TypeError('"realm" must be a non-empty string');
    }
    const audience = parameters.audience ?? this.#options.audience;
    const scope = scopeParameter(parameters.scope, 'scope') ?? this.#options.scope;
    const form: Record<string, string> = {
      grant_type: realm === undefined ? GRANT_TYPES.password : GRANT_TYPES.passwordRealm,
      username,
      password,
    };
    if (realm !== undefined) form['realm'] = realm;
    if (audience !== undefined) form['audience'] = audience;
    if (scope !== undefined) form['scope'] = scope;
    return this.#tokenRequest(form, parameters.forwardedFor);
  }

  /**
   * The refresh grant. A response without a new refresh token means rotation is off: keep using
   * the old one (the token manager does).
   */
  async refresh(parameters: RefreshParameters): Promise<TokenSet> {
    if (typeof parameters.refreshToken !== 'string' || parameters.refreshToken === '') {
      throw new TypeError('"refreshToken" must be a non-empty string');
    }
    const form: Record<string, string> = {
      grant_type: GRANT_TYPES.refreshToken,
      refresh_token: parameters.refreshToken,
    };
    const scope = scopeParameter(parameters.scope, 'scope');
    if (scope !== undefined) form['scope'] = scope;
    return this.#tokenRequest(form, parameters.forwardedFor);
  }

  /** Finishes an MFA sign-in with a one-time password (Auth0's `mfa-otp` grant). */
  async mfaOtp(parameters: { mfaToken: string; otp: string } & ForwardedFor): Promise<TokenSet> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.otp, 'otp');
    return this.#tokenRequest(
      { grant_type: GRANT_TYPES.mfaOtp, mfa_token: parameters.mfaToken, otp: parameters.otp },
      parameters.forwardedFor,
    );
  }

  /** Finishes an MFA sign-in with a recovery code (Auth0's `mfa-recovery-code` grant). */
  async mfaRecoveryCode(
    parameters: { mfaToken: string; recoveryCode: string } & ForwardedFor,
  ): Promise<TokenSet> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.recoveryCode, 'recoveryCode');
    return this.#tokenRequest(
      {
        grant_type: GRANT_TYPES.mfaRecoveryCode,
        mfa_token: parameters.mfaToken,
        recovery_code: parameters.recoveryCode,
      },
      parameters.forwardedFor,
    );
  }

  /** Asks which challenge the user should answer (Auth0's `/mfa/challenge`). */
  async mfaChallenge(parameters: {
    mfaToken: string;
    challengeType?: string;
    authenticatorId?: string;
  }): Promise<MfaChallenge> {
    requireString(parameters.mfaToken, 'mfaToken');
    const form: Record<string, string> = {
      mfa_token: parameters.mfaToken,
      challenge_type: parameters.challengeType ?? 'otp',
    };
    if (parameters.authenticatorId !== undefined)
      form['authenticator_id'] = parameters.authenticatorId;
    const response = await this.#post('mfaChallenge', form, undefined);
    if (response.status !== 200) throw errorFromResponse(response);
    const record: unknown = response.body;
    if (!isRecord(record) || typeof record['challenge_type'] !== 'string') {
      throw new InvalidTokenResponseError(
        'The MFA challenge response has no challenge_type',
        response.status,
      );
    }
    const challenge: MfaChallenge = { challengeType: record['challenge_type'] };
    if (typeof record['oob_code'] === 'string') challenge.oobCode = record['oob_code'];
    if (typeof record['binding_method'] === 'string')
      challenge.bindingMethod = record['binding_method'];
    return challenge;
  }

  /** Revokes a refresh token and its family (RFC 7009 section 2). */
  async revoke(refreshToken: string): Promise<void> {
    requireString(refreshToken, 'refreshToken');
    const response = await this.#post(
      'revocation',
      { token: refreshToken, token_type_hint: 'refresh_token' },
      undefined,
    );
    // RFC 7009 section 2.2: 200 for a revoked, and also for an unknown, token.
    if (response.status !== 200) throw errorFromResponse(response);
  }

  async #tokenRequest(
    form: Record<string, string>,
    forwardedFor: string | undefined,
  ): Promise<TokenSet> {
    const response = await this.#post('token', form, forwardedFor);
    return processTokenResponse(response, this.#options);
  }

  async #post(
    endpoint: keyof ClientEndpoints,
    form: Record<string, string>,
    forwardedFor: string | undefined,
  ): Promise<EndpointResponse> {
    if (
      forwardedFor !== undefined &&
      (typeof forwardedFor !== 'string' || isIP(forwardedFor) === 0)
    ) {
      throw new TypeError('"forwardedFor" must be an IPv4 or IPv6 address');
    }
    const endpoints = await this.#resolveEndpoints();
    const options = this.#options;
    const credentials = clientCredentials(
      options.clientAuthentication,
      options.clientId,
      options.clientSecret,
    );
    const headers: Record<string, string> = { ...credentials.headers };
    if (forwardedFor !== undefined) headers['auth0-forwarded-for'] = forwardedFor;
    return postForm(
      {
        url: endpoints[endpoint],
        form: { ...form, ...credentials.form },
        headers,
        dispatcher: options.dispatcher,
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
      },
      options.clock,
    );
  }

  #resolveEndpoints(): Promise<ClientEndpoints> {
    const { tokenEndpoint, revocationEndpoint, mfaChallengeEndpoint, issuer } = this.#options;
    if (tokenEndpoint !== undefined) {
      this.#endpoints ??= Promise.resolve({
        token: tokenEndpoint,
        revocation: revocationEndpoint ?? new URL('revoke', tokenEndpoint),
        mfaChallenge: mfaChallengeEndpoint ?? new URL('../mfa/challenge', tokenEndpoint),
      });
      return this.#endpoints;
    }
    if (this.#endpoints === undefined) {
      const attempt = discoverClientEndpoints(issuer ?? '', this.#options).then((found) => ({
        token: found.token,
        revocation: revocationEndpoint ?? found.revocation,
        mfaChallenge: mfaChallengeEndpoint ?? found.mfaChallenge,
      }));
      this.#endpoints = attempt;
      // A failed discovery is tried again on the next call.
      attempt.catch(() => {
        if (this.#endpoints === attempt) this.#endpoints = undefined;
      });
    }
    return this.#endpoints;
  }

  /** util.inspect shows the client id and endpoints only, never the secret. */
  [inspect.custom](): string {
    return `TokenClient { clientId: ${inspect(this.#options.clientId)}, authentication: ${inspect(this.#options.clientAuthentication)} }`;
  }

  /** The client id and authentication method only: never the secret. */
  toJSON(): { clientId: string; clientAuthentication: string } {
    return {
      clientId: this.#options.clientId,
      clientAuthentication: this.#options.clientAuthentication,
    };
  }
}

function requireString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`"${name}" must be a non-empty string`);
}
