import { isRecord } from '../http/is-record.js';
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import type { DpopHandle } from '../dpop/dpop-handle.js';
import { challengeError } from './auth-challenges.js';
import { clientCredentials } from './client-authentication.js';
import { discoverClientEndpoints, type ClientEndpoints } from './endpoint-discovery.js';
import { GRANT_TYPES } from './grant-types.js';
import {
  isOobChannel,
  processAssociateResponse,
  processAuthenticatorsResponse,
  processChallengeResponse,
  type MfaAuthenticator,
  type MfaAuthenticatorToEnrol,
  type MfaChallenge,
  type MfaEnrolment,
  type MfaPushPoll,
  type OobChannel,
  type RecoveryCodeSignIn,
} from './mfa-api.js';
import { parseScopeClaim } from '../validation/scopes.js';
import { IdTokenValidator } from './id-token-validation.js';
import type { UserinfoClaims } from './oidc-claims.js';
import { SecretText } from './secret-text.js';
import { sendRequest, type EndpointResponse } from './token-endpoint-request.js';
import { errorFromResponse, processTokenResponse } from './token-response.js';
import { IdTokenError, MfaDeniedError, MfaPushTimeoutError, OAuthError } from './token-errors.js';
import type { TokenSet } from './token-set.js';
import { processUserinfoResponse, userinfoRequestFailure } from './userinfo.js';
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
  /**
   * Step-up (RFC 9470): the authentication context classes the tokens must come from, in order of
   * preference, sent as `acr_values` (space-separated). Auth0 passes them to Actions
   * (`event.transaction.acr_values`), where `http://schemas.openid.net/pape/policies/2007/06/multi-factor`
   * conventionally turns MFA on. Default: none sent.
   */
  acrValues?: readonly string[];
  /**
   * Step-up (RFC 9470): the largest acceptable age of the user's authentication in seconds, sent
   * as `max_age`. Default: none sent.
   */
  maxAge?: number;
}

/** Parameters of {@link TokenClient.refresh}. */
export interface RefreshParameters extends ForwardedFor {
  refreshToken: string;
  /** A subset of the originally granted scopes (RFC 6749 section 6). Default: all of them. */
  scope?: string | readonly string[];
}

/** Parameters shared by the MFA grants. */
export interface MfaGrantParameters extends ForwardedFor {
  /** The `mfa_token` of {@link MfaRequiredError}: a secret, kept server-side. */
  mfaToken: string;
}

/** How {@link TokenClient.waitForMfaPush} paces and bounds its polls. */
export interface WaitForMfaPushOptions {
  /** Seconds between polls; `slow_down` adds 5. Default `5`. */
  intervalSeconds?: number;
  /** Give up after this long, in milliseconds. Default `300000`. */
  timeoutMs?: number;
  /** Stop waiting when it aborts. */
  signal?: AbortSignal;
}

/**
 * Exchanges user credentials for tokens with an Auth0-compatible authorization server: the
 * Resource Owner Password grant (RFC 6749 section 4.3), Auth0's password-realm grant, its MFA
 * (the `mfa-otp`, `mfa-oob` and `mfa-recovery-code` grants; the MFA API's challenge, enrolment
 * and authenticators), refresh (section 6) and revocation (RFC 7009). All HTTP goes through
 * undici.
 *
 * Every answer is checked before it is returned; failures are typed errors
 * ({@link OAuthError}, {@link MfaRequiredError}, {@link MfaDeniedError}, {@link MfaExpiredError},
 * {@link InvalidTokenResponseError}, {@link TokenRequestError}, {@link IdTokenError},
 * {@link UserinfoError}) whose messages and fields hold no secret. An ID token is validated
 * (OpenID Connect Core 1.0 section 3.1.3.7) before its token set is returned, by every grant:
 * see the `idToken` option.
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
  /** `undefined` when ID tokens are dropped (`idToken: false`) or there is no `issuer`. */
  readonly #idTokens: IdTokenValidator | undefined;
  #endpoints: Promise<ClientEndpoints> | undefined;

  /** @throws {TypeError} when an option is invalid. */
  constructor(options: TokenClientOptions) {
    const resolved = resolveTokenClientOptions(options);
    this.#options = resolved;
    this.#idTokens =
      resolved.idToken === false || resolved.issuer === undefined
        ? undefined
        : new IdTokenValidator({
            issuer: resolved.issuer,
            clientId: resolved.clientId,
            clientSecret: resolved.clientSecret,
            settings: resolved.idToken,
            dispatcher: resolved.dispatcher,
            allowInsecureHttp: resolved.allowInsecureHttp,
            clock: resolved.clock,
          });
  }

  /** The client id (not a secret). */
  get clientId(): string {
    return this.#options.clientId;
  }

  /**
   * The client's DPoP key and the nonces servers gave it (RFC 9449), with the `dpop` option;
   * `undefined` without. Its `proof(method, url, accessToken)` makes the proof a request with a
   * DPoP-bound token needs, for an HTTP client other than `createAuthorizedFetch`.
   */
  get dpop(): DpopHandle | undefined {
    return this.#options.dpop;
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
    const { acrValues, maxAge } = parameters;
    if (
      acrValues !== undefined &&
      (!Array.isArray(acrValues) ||
        !acrValues.every(
          (value: unknown) =>
            typeof value === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value),
        ))
    ) {
      throw new TypeError('"acrValues" must be an array of strings without spaces or quotes');
    }
    if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
      throw new TypeError('"maxAge" must be a whole number of seconds, 0 or more');
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
    if (acrValues !== undefined && acrValues.length > 0) form['acr_values'] = acrValues.join(' ');
    if (maxAge !== undefined) form['max_age'] = String(maxAge);
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
  async mfaOtp(parameters: MfaGrantParameters & { otp: string }): Promise<TokenSet> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.otp, 'otp');
    return this.#tokenRequest(
      { grant_type: GRANT_TYPES.mfaOtp, mfa_token: parameters.mfaToken, otp: parameters.otp },
      parameters.forwardedFor,
    );
  }

  /**
   * Finishes an MFA sign-in, or confirms an SMS, voice or email enrolment, with the code the user
   * received (Auth0's `mfa-oob` grant with `binding_code`, for a challenge whose `bindingMethod`
   * is `prompt`). A wrong code is an {@link OAuthError} `invalid_grant`, and the `oobCode` stays
   * usable; one past its lifetime is an {@link MfaExpiredError}.
   */
  async mfaOob(
    parameters: MfaGrantParameters & { oobCode: string; bindingCode: string },
  ): Promise<TokenSet> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.oobCode, 'oobCode');
    requireString(parameters.bindingCode, 'bindingCode');
    return this.#tokenRequest(
      {
        grant_type: GRANT_TYPES.mfaOob,
        mfa_token: parameters.mfaToken,
        oob_code: parameters.oobCode,
        binding_code: parameters.bindingCode,
      },
      parameters.forwardedFor,
    );
  }

  /**
   * Polls a push challenge (or push enrolment) once: Auth0's `mfa-oob` grant without a binding
   * code. Resolves `approved` with the tokens, `pending` (`authorization_pending`: poll again
   * after the interval) or `slow_down` (polled too soon: add 5 seconds to the interval, RFC 8628
   * section 3.5). Polling is yours to pace; {@link TokenClient.waitForMfaPush} does it for you.
   *
   * @throws {MfaDeniedError} the user denied it on the device.
   * @throws {MfaExpiredError} the `oobCode` (or the `mfaToken`) expired.
   * @throws {OAuthError} any other refusal (`invalid_grant` for an unknown `oobCode`, 429, ...).
   */
  async mfaPushPoll(parameters: MfaGrantParameters & { oobCode: string }): Promise<MfaPushPoll> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.oobCode, 'oobCode');
    try {
      const tokens = await this.#tokenRequest(
        {
          grant_type: GRANT_TYPES.mfaOob,
          mfa_token: parameters.mfaToken,
          oob_code: parameters.oobCode,
        },
        parameters.forwardedFor,
      );
      return Object.freeze({ status: 'approved', tokens });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const answer = pushAnswer(error);
      if (answer instanceof Error) throw answer;
      return answer;
    }
  }

  /**
   * Polls a push challenge (or enrolment) until the user answers it, bounded in time: waits the
   * interval before each poll, adds 5 seconds on `slow_down` (RFC 8628 section 3.5), waits at
   * least a `Retry-After` the server sends with a 429, and never polls after the deadline.
   *
   * @param parameters.intervalSeconds Seconds between polls. Default `5` (RFC 8628 section 3.2;
   *   Auth0 documents none).
   * @param parameters.timeoutMs Give up after this long. Default `300000` (5 minutes, the life of
   *   Auth0's `oob_code`).
   * @param parameters.signal Stops waiting when it aborts (a user who cancelled).
   * @throws {MfaDeniedError} the user denied it.
   * @throws {MfaExpiredError} the `oobCode` expired.
   * @throws {MfaPushTimeoutError} still pending when `timeoutMs` passed or `signal` aborted.
   */
  async waitForMfaPush(
    parameters: MfaGrantParameters & { oobCode: string } & WaitForMfaPushOptions,
  ): Promise<TokenSet> {
    const { intervalSeconds = 5, timeoutMs = 300_000, signal, ...poll } = parameters;
    if (typeof intervalSeconds !== 'number' || !(intervalSeconds > 0) || intervalSeconds > 600) {
      throw new TypeError('"intervalSeconds" must be a number of seconds above 0, at most 600');
    }
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new TypeError('"timeoutMs" must be a positive number of milliseconds');
    }
    const { clock, sleep } = this.#options;
    const deadline = clock() + timeoutMs;
    let interval = intervalSeconds;
    let waitMs = interval * 1000;
    for (;;) {
      if (clock() + waitMs > deadline) {
        throw new MfaPushTimeoutError(`The push was not answered within ${timeoutMs} ms`);
      }
      try {
        await sleep(waitMs, signal);
      } catch (cause) {
        if (signal?.aborted !== true) throw cause;
        throw new MfaPushTimeoutError('Waiting for the push was cancelled', { cause });
      }
      let answer: MfaPushPoll;
      try {
        answer = await this.mfaPushPoll(poll);
      } catch (error) {
        // Told to wait (429 with Retry-After): wait at least that long, then poll again.
        if (
          !(error instanceof OAuthError) ||
          error.status !== 429 ||
          error.retryAfter === undefined
        )
          throw error;
        waitMs = Math.max(interval, error.retryAfter) * 1000;
        continue;
      }
      if (answer.status === 'approved') return answer.tokens;
      // RFC 8628 section 3.5: "the interval MUST be increased by 5 seconds for this and all
      // subsequent requests".
      if (answer.status === 'slow_down') interval += 5;
      waitMs = interval * 1000;
    }
  }

  /**
   * Finishes an MFA sign-in with a recovery code (Auth0's `mfa-recovery-code` grant). The code is
   * spent; Auth0 answers a new one, in {@link RecoveryCodeSignIn.recoveryCode}: show it to the
   * user now, it is never answered again.
   */
  async mfaRecoveryCode(
    parameters: MfaGrantParameters & { recoveryCode: string },
  ): Promise<RecoveryCodeSignIn> {
    requireString(parameters.mfaToken, 'mfaToken');
    requireString(parameters.recoveryCode, 'recoveryCode');
    const response = await this.#send({
      endpoint: 'token',
      form: {
        grant_type: GRANT_TYPES.mfaRecoveryCode,
        mfa_token: parameters.mfaToken,
        recovery_code: parameters.recoveryCode,
      },
      forwardedFor: parameters.forwardedFor,
    });
    const tokens = await this.#accept(
      processTokenResponse(response, this.#options, this.#options.dpop !== undefined),
      undefined,
    );
    const code = isRecord(response.body) ? response.body['recovery_code'] : undefined;
    return Object.freeze({
      tokens,
      recoveryCode: typeof code === 'string' && code !== '' ? new SecretText(code) : undefined,
    });
  }

  /**
   * Starts a challenge (Auth0's `POST /mfa/challenge`): `otp` needs nothing sent; `oob` sends a
   * code by SMS, voice or email (`bindingMethod: 'prompt'`), or a push notification.
   *
   * @param parameters.challengeType What the application can handle. Default `oob` with an
   *   `oobChannel`, `otp oob` with only an `authenticatorId`, `otp` otherwise.
   * @param parameters.oobChannel `sms`, `voice`, `email` or `auth0` (push).
   * @param parameters.authenticatorId One of the user's authenticators (`mfaAuthenticators`).
   */
  async mfaChallenge(parameters: {
    mfaToken: string;
    challengeType?: 'otp' | 'oob' | 'otp oob' | readonly ('otp' | 'oob')[];
    authenticatorId?: string;
    oobChannel?: OobChannel;
  }): Promise<MfaChallenge> {
    requireString(parameters.mfaToken, 'mfaToken');
    const { authenticatorId, oobChannel } = parameters;
    if (authenticatorId !== undefined) requireString(authenticatorId, 'authenticatorId');
    if (oobChannel !== undefined && !isOobChannel(oobChannel)) {
      throw new TypeError('"oobChannel" must be "sms", "voice", "email" or "auth0"');
    }
    const requested = parameters.challengeType;
    const types =
      requested === undefined
        ? oobChannel !== undefined
          ? ['oob']
          : authenticatorId !== undefined
            ? ['otp', 'oob']
            : ['otp']
        : typeof requested === 'string'
          ? requested.split(' ')
          : [...requested];
    if (types.length === 0 || !types.every((type) => type === 'otp' || type === 'oob')) {
      throw new TypeError('"challengeType" must be "otp", "oob" or both');
    }
    const form: Record<string, string> = {
      mfa_token: parameters.mfaToken,
      challenge_type: types.join(' '),
    };
    if (authenticatorId !== undefined) form['authenticator_id'] = authenticatorId;
    if (oobChannel !== undefined) form['oob_channel'] = oobChannel;
    return processChallengeResponse(await this.#send({ endpoint: 'mfaChallenge', form }));
  }

  /**
   * Enrols an authenticator (Auth0's `POST /mfa/associate`). `token` is the `mfa_token` of a user
   * who has no confirmed authenticator yet (`mfa_required` with `enroll` requirements), or an
   * access token for the MFA API (`https://YOUR_DOMAIN/mfa/`) with the `enroll` scope. The new
   * authenticator is confirmed by the grant that signs in with it: `mfaOtp` with the app's first
   * code, `mfaOob` with the code sent, `mfaPushPoll` for push.
   */
  async mfaAssociate(parameters: {
    token: string;
    authenticator: MfaAuthenticatorToEnrol;
  }): Promise<MfaEnrolment> {
    requireBearer(parameters.token);
    const json = { ...associateBody(parameters.authenticator), ...this.#bodyCredentials() };
    const response = await this.#send({
      endpoint: 'mfaAssociate',
      json,
      bearer: parameters.token,
    });
    return processAssociateResponse(response);
  }

  /**
   * The user's authenticators, confirmed or not (Auth0's `GET /mfa/authenticators`). `token`: the
   * `mfa_token`, or an access token for the MFA API with `read:authenticators`.
   */
  async mfaAuthenticators(parameters: { token: string }): Promise<MfaAuthenticator[]> {
    requireBearer(parameters.token);
    const response = await this.#send({
      endpoint: 'mfaAuthenticators',
      method: 'GET',
      bearer: parameters.token,
    });
    return processAuthenticatorsResponse(response);
  }

  /**
   * Deletes one of the user's authenticators (Auth0's `DELETE /mfa/authenticators/{id}`).
   * `token` must be an access token for the MFA API (`audience` `https://YOUR_DOMAIN/mfa/`,
   * scope `remove:authenticators`), obtained by a sign-in that passed MFA: Auth0 refuses an
   * `mfa_token` here (403 `insufficient_scope`).
   */
  async deleteMfaAuthenticator(parameters: {
    token: string;
    authenticatorId: string;
  }): Promise<void> {
    requireBearer(parameters.token);
    requireString(parameters.authenticatorId, 'authenticatorId');
    const response = await this.#send({
      endpoint: 'mfaAuthenticators',
      method: 'DELETE',
      bearer: parameters.token,
      path: encodeURIComponent(parameters.authenticatorId),
    });
    if (response.status !== 204 && response.status !== 200) throw errorFromResponse(response);
  }

  /**
   * The signed-in user's claims from the UserInfo endpoint (OpenID Connect Core 1.0 section 5.3):
   * `GET` with `Authorization: Bearer`, through the same request helper as the grants (timeout,
   * size cap, no redirects, redaction). With `tokenType: 'DPoP'` (a `TokenSet`'s `tokenType`), the
   * token goes as `Authorization: DPoP` with a proof (RFC 9449 section 7.1), and a
   * `use_dpop_nonce` answer is retried once with the server's nonce (section 9). The access token must have the userinfo audience
   * (`https://YOUR_DOMAIN/userinfo`), which Auth0 adds when `openid` is in the grant's scope.
   * Compare the answer's `sub` with the ID token's before using it (section 5.3.2); the token
   * manager's `userinfo` does, and caches the answer.
   *
   * @throws {UserinfoError} `unauthorized` (401: the token lacks that audience, expired, or was
   *   revoked), `forbidden`, `rate_limited`, `unavailable`, `invalid_response`.
   * @throws {TypeError} `tokenType` is `DPoP` and the client has no `dpop` option.
   */
  async userinfo(
    accessToken: string,
    options: { tokenType?: 'Bearer' | 'DPoP' } = {},
  ): Promise<UserinfoClaims> {
    requireBearer(accessToken, 'accessToken');
    const scheme = options.tokenType ?? 'Bearer';
    if (scheme !== 'Bearer' && scheme !== 'DPoP') {
      throw new TypeError('"tokenType" must be "Bearer" or "DPoP"');
    }
    const url = endpointUrl(await this.#resolveEndpoints(), 'userinfo', undefined);
    let response: EndpointResponse;
    try {
      response = await this.#send({
        endpoint: 'userinfo',
        method: 'GET',
        bearer: accessToken,
        scheme,
      });
    } catch (error) {
      throw userinfoRequestFailure(url, error);
    }
    return processUserinfoResponse(response, url);
  }

  /** Revokes a refresh token and its family (RFC 7009 section 2). */
  async revoke(refreshToken: string): Promise<void> {
    requireString(refreshToken, 'refreshToken');
    const response = await this.#send({
      endpoint: 'revocation',
      form: { token: refreshToken, token_type_hint: 'refresh_token' },
    });
    // RFC 7009 section 2.2: 200 for a revoked, and also for an unknown, token.
    if (response.status !== 200) throw errorFromResponse(response);
  }

  async #tokenRequest(
    form: Record<string, string>,
    forwardedFor: string | undefined,
  ): Promise<TokenSet> {
    const response = await this.#send({ endpoint: 'token', form, forwardedFor });
    return this.#accept(
      processTokenResponse(response, this.#options, this.#options.dpop !== undefined),
      form['scope'],
    );
  }

  /**
   * The token set a successful answer stands for, completed and checked:
   *
   * - `scope`: the server's when it listed one, else the scope requested (RFC 6749 section 5.1:
   *   omitted means as requested);
   * - the ID token validated (OpenID Connect Core 1.0 section 3.1.3.7) and its claims added, or,
   *   with `idToken: false`, dropped: an unverified ID token is never returned.
   *
   * @throws {IdTokenError} the ID token was refused, or there is no `issuer` to validate it with.
   */
  async #accept(tokens: TokenSet, requestedScope: string | undefined): Promise<TokenSet> {
    const scope =
      tokens.scope ?? (requestedScope === undefined ? undefined : parseScopeClaim(requestedScope));
    const { idToken } = tokens;
    if (idToken === undefined) return { ...tokens, scope };
    if (this.#options.idToken === false) return { ...tokens, idToken: undefined, scope };
    if (this.#idTokens === undefined) {
      throw new IdTokenError(
        'no_issuer',
        'The token response has an ID token, but no "issuer" is configured to validate it against: give "issuer" (https://YOUR_DOMAIN/), or "idToken: false" to drop ID tokens',
      );
    }
    return { ...tokens, scope, idTokenClaims: await this.#idTokens.validate(idToken) };
  }

  /** The client's credentials for a JSON body: none with Basic (the header holds the bearer). */
  #bodyCredentials(): Record<string, string> {
    const { clientAuthentication, clientId, clientSecret } = this.#options;
    if (clientAuthentication === 'client_secret_basic') return {};
    return clientCredentials(clientAuthentication, clientId, clientSecret).form;
  }

  /**
   * One request: a form with the client's credentials (RFC 6749 section 2.3) to the token-style
   * endpoints, or `Authorization: Bearer` (and a JSON body) to the MFA API.
   *
   * With the `dpop` option, a token or revocation request carries a proof (RFC 9449 section 5),
   * and so does a request with a DPoP-bound token (`scheme: 'DPoP'`, section 7.1). Every answer's
   * `DPoP-Nonce` is kept for the next proof to that origin (section 8.2); an answer asking for a
   * nonce (`use_dpop_nonce`: 400 from the token endpoint, section 8; 401 with a `DPoP` challenge,
   * section 9) that came with one is sent again once, with a new proof carrying it. Never twice.
   */
  async #send(request: {
    endpoint: keyof ClientEndpoints | 'mfaAssociate' | 'mfaAuthenticators';
    method?: 'POST' | 'GET' | 'DELETE';
    form?: Record<string, string>;
    json?: Record<string, unknown>;
    bearer?: string;
    /** The scheme `bearer` is sent with. Default `Bearer`. */
    scheme?: 'Bearer' | 'DPoP';
    path?: string;
    forwardedFor?: string | undefined;
  }): Promise<EndpointResponse> {
    const { forwardedFor } = request;
    if (
      forwardedFor !== undefined &&
      (typeof forwardedFor !== 'string' || isIP(forwardedFor) === 0)
    ) {
      throw new TypeError('"forwardedFor" must be an IPv4 or IPv6 address');
    }
    const options = this.#options;
    const { dpop } = options;
    const scheme = request.scheme ?? 'Bearer';
    if (scheme === 'DPoP' && dpop === undefined) {
      throw new TypeError(
        'The token is DPoP-bound, but this client has no DPoP key: give the token client the "dpop" option it was obtained with',
      );
    }
    const endpoints = await this.#resolveEndpoints();
    const method = request.method ?? 'POST';
    const url = endpointUrl(endpoints, request.endpoint, request.path);
    const headers: Record<string, string> = {};
    let form = request.form;
    if (request.bearer === undefined) {
      const credentials = clientCredentials(
        options.clientAuthentication,
        options.clientId,
        options.clientSecret,
      );
      Object.assign(headers, credentials.headers);
      form = { ...form, ...credentials.form };
    } else {
      headers['authorization'] = `${scheme} ${request.bearer}`;
    }
    if (forwardedFor !== undefined) headers['auth0-forwarded-for'] = forwardedFor;
    const prover =
      dpop !== undefined && (scheme === 'DPoP' || PROVEN_ENDPOINTS.has(request.endpoint))
        ? dpop
        : undefined;
    const boundToken = scheme === 'DPoP' ? request.bearer : undefined;
    const send = () =>
      sendRequest(
        {
          method,
          url,
          ...(form === undefined ? {} : { form }),
          ...(request.json === undefined ? {} : { json: request.json }),
          // A new proof for each attempt: a proof is accepted once (RFC 9449 section 11.1).
          headers:
            prover === undefined
              ? headers
              : { ...headers, dpop: prover.proof(method, url, boundToken) },
          dispatcher: options.dispatcher,
          timeoutMs: options.timeoutMs,
          maxResponseBytes: options.maxResponseBytes,
        },
        options.clock,
      );
    const response = await send();
    if (dpop === undefined) return response;
    const nonce = dpop.rememberNonce(url, response.headers);
    if (prover === undefined || nonce === undefined || !asksForDpopNonce(response)) return response;
    const retried = await send();
    dpop.rememberNonce(url, retried.headers);
    return retried;
  }

  #resolveEndpoints(): Promise<ClientEndpoints> {
    const { tokenEndpoint, revocationEndpoint, mfaChallengeEndpoint, userinfoEndpoint, issuer } =
      this.#options;
    if (tokenEndpoint !== undefined) {
      this.#endpoints ??= Promise.resolve({
        token: tokenEndpoint,
        revocation: revocationEndpoint ?? new URL('revoke', tokenEndpoint),
        mfaChallenge: mfaChallengeEndpoint ?? new URL('../mfa/challenge', tokenEndpoint),
        userinfo: userinfoEndpoint ?? new URL('../userinfo', tokenEndpoint),
      });
      return this.#endpoints;
    }
    if (this.#endpoints === undefined) {
      const attempt = discoverClientEndpoints(issuer ?? '', this.#options).then((found) => ({
        token: found.token,
        revocation: revocationEndpoint ?? found.revocation,
        mfaChallenge: mfaChallengeEndpoint ?? found.mfaChallenge,
        userinfo: userinfoEndpoint ?? found.userinfo,
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

/** The endpoints whose requests carry a DPoP proof (RFC 9449 section 5): token and revocation. */
const PROVEN_ENDPOINTS: ReadonlySet<string> = new Set(['token', 'revocation']);

/**
 * True for an answer that refused a proof for lacking the server's nonce: `use_dpop_nonce` in
 * the error body of an authorization server (RFC 9449 section 8) or in the `DPoP` challenge of a
 * resource server (section 9).
 */
function asksForDpopNonce(response: EndpointResponse): boolean {
  const { status, body, headers } = response;
  if (status === 400) return isRecord(body) && body['error'] === 'use_dpop_nonce';
  if (status !== 401) return false;
  const challenge = headers['www-authenticate'];
  const value = Array.isArray(challenge) ? challenge.join(', ') : challenge;
  return challengeError(value, 'DPoP') === 'use_dpop_nonce';
}

function requireString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`"${name}" must be a non-empty string`);
}

/** A bearer credential fit for a header: visible ASCII, no space (never echoed in the message). */
function requireBearer(value: unknown, name = 'token'): void {
  if (typeof value !== 'string' || !/^[\x21-\x7E]+$/.test(value)) {
    throw new TypeError(
      name === 'token'
        ? '"token" must be an mfa_token or an access token'
        : `"${name}" must be an access token`,
    );
  }
}

/** E.164: a plus and up to 15 digits. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** The JSON body of `/mfa/associate` for an authenticator (Auth0 documents arrays). */
function associateBody(authenticator: MfaAuthenticatorToEnrol): Record<string, unknown> {
  const type: unknown = typeof authenticator === 'object' ? authenticator?.type : undefined;
  switch (type) {
    case 'otp':
      return { authenticator_types: ['otp'] };
    case 'sms':
    case 'voice': {
      const phoneNumber: unknown = Reflect.get(authenticator, 'phoneNumber');
      if (typeof phoneNumber !== 'string' || !E164.test(phoneNumber)) {
        throw new TypeError('"phoneNumber" must be an E.164 number, such as +15555550100');
      }
      return { authenticator_types: ['oob'], oob_channels: [type], phone_number: phoneNumber };
    }
    case 'email': {
      const email: unknown = Reflect.get(authenticator, 'email');
      if (email !== undefined && (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email))) {
        throw new TypeError('"email" must be an email address');
      }
      return {
        authenticator_types: ['oob'],
        oob_channels: ['email'],
        ...(email === undefined ? {} : { email }),
      };
    }
    case 'push':
      return { authenticator_types: ['oob'], oob_channels: ['auth0'] };
    default:
      throw new TypeError('"authenticator.type" must be "otp", "sms", "voice", "email" or "push"');
  }
}

/**
 * The answer of a push poll the server refused, as {@link TokenClient.mfaPushPoll} reports it:
 * RFC 8628 section 3.5's `authorization_pending` and `slow_down` are states, not failures.
 */
function pushAnswer(error: OAuthError): MfaPushPoll | OAuthError {
  switch (error.error) {
    case 'authorization_pending':
      return PENDING;
    case 'slow_down':
      return SLOW_DOWN;
    case 'access_denied':
      return new MfaDeniedError(errorInit(error));
    case 'invalid_grant':
      // Auth0 documents a denial as invalid_grant "MFA Authorization rejected." (and answers
      // access_denied); another invalid_grant (an unknown oob_code) is not a denial.
      return /rejected/i.test(error.errorDescription ?? '')
        ? new MfaDeniedError(errorInit(error))
        : error;
    default:
      return error;
  }
}

const PENDING: MfaPushPoll = Object.freeze({ status: 'pending' });
const SLOW_DOWN: MfaPushPoll = Object.freeze({ status: 'slow_down' });

function errorInit(error: OAuthError) {
  return {
    error: error.error,
    description: error.errorDescription,
    status: error.status,
    retryAfter: error.retryAfter,
  };
}

/** The URL of an endpoint: the MFA API's paths are beside `/mfa/challenge`. */
function endpointUrl(
  endpoints: ClientEndpoints,
  endpoint: keyof ClientEndpoints | 'mfaAssociate' | 'mfaAuthenticators',
  path: string | undefined,
): URL {
  switch (endpoint) {
    case 'mfaAssociate':
      return new URL('associate', endpoints.mfaChallenge);
    case 'mfaAuthenticators':
      return new URL(
        path === undefined ? 'authenticators' : `authenticators/${path}`,
        endpoints.mfaChallenge,
      );
    default:
      return endpoints[endpoint];
  }
}
