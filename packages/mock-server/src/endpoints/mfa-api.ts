import { randomBytes } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { Auth0Errors } from '../auth0-errors.js';
import { authenticateClient } from '../client-authentication.js';
import { requireParameter } from '../grants/grant-context.js';
import { jsonResponse, parseParameters, type HttpResponse } from '../http-io.js';
import {
  authenticatorEntries,
  channelOf,
  factorOf,
  KIND_OF_CHANNEL,
  mfaOf,
  newAuthenticator,
  newBindingCode,
  newRecoveryCode,
  recoveryCodesUsable,
  OOB_CHANNELS,
  usableAuthenticators,
  type OobChannel,
} from '../mfa-authenticators.js';
import { isOneOf } from '../option-reader.js';
import { OAuthError } from '../oauth-error.js';
import type { ResolvedAuthenticator, ResolvedUser } from '../resolved-config.js';
import { parseScope } from '../scopes.js';
import type { ServerState } from '../server-state.js';
import { EMAIL_PATTERN, PHONE_NUMBER_PATTERN } from '../tenant-options.js';
import { encodeBase32 } from '../totp.js';
import { bearerToken, header, type EndpointRequest } from './endpoint-request.js';

/** The path prefix of `DELETE /mfa/authenticators/{id}`. */
export const AUTHENTICATOR_PATH_PREFIX = '/mfa/authenticators/';

function errorResponse(error: unknown): HttpResponse {
  if (error instanceof OAuthError) {
    return jsonResponse(error.status, error.body(), { ...error.headers });
  }
  throw error;
}

function userOf(state: ServerState, userId: string): ResolvedUser {
  const found = state.directory.findUserById(userId);
  if (found === undefined) throw Auth0Errors.malformedMfaToken();
  if (found.user.blocked) throw Auth0Errors.userBlocked();
  return found.user;
}

/** Who calls the MFA API: a user, through an `mfa_token` or an access token for the MFA API. */
interface MfaApiCaller {
  readonly user: ResolvedUser;
  /** The `mfa_token`, when the caller sent one. */
  readonly mfaToken: string | undefined;
  /** The access token's scopes; `undefined` for an `mfa_token`. */
  readonly scopes: readonly string[] | undefined;
}

/**
 * The caller of an MFA API endpoint from `Authorization: Bearer`: an `mfa_token` (from
 * `mfa_required`), or an access token for the audience `https://TENANT/mfa/` (Auth0, "Manage
 * Authentication Factors with Authentication API"). With `clientId`, an `mfa_token` must be that
 * client's.
 */
async function mfaApiCaller(
  state: ServerState,
  request: EndpointRequest,
  clientId?: string,
): Promise<MfaApiCaller> {
  const token = bearerToken(request);
  if (token === undefined) throw Auth0Errors.missingBearerToken();
  if (token.split('.').length !== 3) {
    const transaction = state.mfaTokens.get(token, clientId);
    return { user: userOf(state, transaction.userId), mfaToken: token, scopes: undefined };
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, state.keys.keySet(), {
      issuer: state.issuer,
      audience: state.mfaAudience,
      algorithms: state.keys.algorithms(),
      currentDate: new Date(state.clock.nowMs()),
    }));
  } catch {
    throw Auth0Errors.invalidAccessToken();
  }
  const userId = payload.sub?.startsWith('auth0|') === true ? payload.sub.slice(6) : '';
  const found = state.directory.findUserById(userId);
  if (found === undefined || found.user.blocked) throw Auth0Errors.invalidAccessToken();
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : undefined;
  return { user: found.user, mfaToken: undefined, scopes: parseScope(scope) };
}

/** An access token must carry `scope`; an `mfa_token` only passes where `mfaTokenAllowed`. */
function requireScope(caller: MfaApiCaller, scope: string, mfaTokenAllowed: boolean): void {
  if (caller.scopes === undefined ? !mfaTokenAllowed : !caller.scopes.includes(scope)) {
    throw Auth0Errors.insufficientScope(scope);
  }
}

/** Starts an out-of-band verification and, for SMS, voice and email, sends its code. */
function startOob(
  state: ServerState,
  user: ResolvedUser,
  authenticator: ResolvedAuthenticator,
  purpose: 'challenge' | 'enrolment',
  mfaToken: string | undefined,
) {
  const channel = channelOf(authenticator.kind) ?? 'auth0';
  return state.mfaOob.create(
    {
      userId: user.userId,
      mfaToken,
      authenticatorId: authenticator.id,
      channel,
      bindingCode: channel === 'auth0' ? undefined : newBindingCode(),
      purpose,
      address: authenticator.address,
    },
    state.tenant.mfaOobCodeLifetime,
    state.tenant.mfaPushPollInterval,
  );
}

/**
 * `POST /mfa/challenge`: `client_id`, `client_secret`?, `mfa_token`, `challenge_type` (`otp`
 * and/or `oob`, space-separated), optional `authenticator_id` and `oob_channel` (`sms`, `voice`,
 * `email`, `auth0`). Picks the first of the user's confirmed authenticators that fits and answers
 * `{"challenge_type":"otp"}`; for SMS, voice and email it sends a code and answers
 * `{"challenge_type":"oob","oob_code":"…","binding_method":"prompt"}`; for push it notifies the
 * device and answers `{"challenge_type":"oob","oob_code":"…"}`.
 */
export async function mfaChallengeEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  try {
    const parameters = request.parameters();
    const { client } = authenticateClient(
      parameters,
      header(request, 'authorization'),
      state.directory,
      state.tenant.compatibility,
    );
    const mfaToken = requireParameter(parameters, 'mfa_token');
    const challengeTypes = requireParameter(parameters, 'challenge_type').split(' ');
    const transaction = state.mfaTokens.get(mfaToken, client.clientId);
    const user = userOf(state, transaction.userId);
    const usable = usableAuthenticators(user, state.tenant.mfaFactors);
    if (usable.length === 0 && !recoveryCodesUsable(user, state.tenant.mfaFactors)) {
      throw Auth0Errors.associationRequired();
    }
    const authenticatorId = parameters.get('authenticator_id');
    if (
      authenticatorId !== undefined &&
      user.mfa?.authenticators.some((authenticator) => authenticator.id === authenticatorId) !==
        true
    ) {
      throw Auth0Errors.unknownAuthenticator(400);
    }
    const oobChannel = parameters.get('oob_channel');
    const chosen = usable.find((authenticator) => {
      const channel = channelOf(authenticator.kind);
      return (
        challengeTypes.includes(channel === undefined ? 'otp' : 'oob') &&
        (authenticatorId === undefined || authenticator.id === authenticatorId) &&
        (oobChannel === undefined || channel === undefined || channel === oobChannel)
      );
    });
    if (chosen === undefined) throw Auth0Errors.unsupportedChallengeType();
    if (chosen.kind === 'otp') return jsonResponse(200, { challenge_type: 'otp' });
    const oob = startOob(state, user, chosen, 'challenge', mfaToken);
    return jsonResponse(200, {
      challenge_type: 'oob',
      oob_code: oob.oobCode,
      ...(oob.bindingCode === undefined ? {} : { binding_method: 'prompt' }),
    });
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * `GET /mfa/authenticators`: the user's authenticators, confirmed (`active: true`) or not, `[]`
 * when none. Takes an `mfa_token`, or an access token for the MFA API with `read:authenticators`.
 */
export async function mfaAuthenticatorsEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  try {
    const caller = await mfaApiCaller(state, request);
    requireScope(caller, 'read:authenticators', true);
    return jsonResponse(200, authenticatorEntries(caller.user));
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * `DELETE /mfa/authenticators/{id}`: takes an access token for the MFA API with
 * `remove:authenticators` only (Auth0: an `mfa_token` lists, but deleting needs MFA passed).
 * Answers `204` with no body. Deleting the recovery-code authenticator removes the user's
 * recovery codes.
 */
export async function mfaDeleteAuthenticatorEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  try {
    const caller = await mfaApiCaller(state, request);
    requireScope(caller, 'remove:authenticators', false);
    let id: string;
    try {
      id = decodeURIComponent(request.path.slice(AUTHENTICATOR_PATH_PREFIX.length));
    } catch {
      throw Auth0Errors.unknownAuthenticator(404);
    }
    const mfa = caller.user.mfa;
    const index = mfa?.authenticators.findIndex((authenticator) => authenticator.id === id) ?? -1;
    if (mfa !== undefined && index !== -1) {
      mfa.authenticators.splice(index, 1);
    } else if (mfa !== undefined && id === mfa.recoveryCodeId && mfa.recoveryCodes.length > 0) {
      mfa.recoveryCodes = [];
    } else {
      throw Auth0Errors.unknownAuthenticator(404);
    }
    return { status: 204, headers: {}, body: '' };
  } catch (error) {
    return errorResponse(error);
  }
}

/** The body of `/mfa/associate`: JSON (arrays as Auth0 documents them) or a form. */
interface AssociateRequest {
  readonly parameters: ReadonlyMap<string, string>;
  readonly authenticatorTypes: readonly string[] | undefined;
  readonly oobChannels: readonly string[] | undefined;
}

function readAssociateRequest(request: EndpointRequest): AssociateRequest {
  const contentType = header(request, 'content-type') ?? '';
  const lists = new Map<string, string[]>();
  let parameters: Map<string, string>;
  if (/^application\/json\b/i.test(contentType.trim()) && request.body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch {
      throw Auth0Errors.invalidRequest('Request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw Auth0Errors.invalidRequest('Request body must be a JSON object');
    }
    const strings: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(parsed)) {
      if (Array.isArray(value) && (name === 'authenticator_types' || name === 'oob_channels')) {
        if (!value.every((item): item is string => typeof item === 'string')) {
          throw Auth0Errors.invalidRequest(`Parameter "${name}" must be an array of strings`);
        }
        lists.set(name, value);
      } else {
        strings[name] = value;
      }
    }
    parameters = parseParameters(Buffer.from(JSON.stringify(strings)), 'application/json');
  } else {
    parameters = parseParameters(request.body, header(request, 'content-type'));
  }
  const list = (name: string) =>
    lists.get(name) ??
    parameters
      .get(name)
      ?.split(' ')
      .filter((item) => item !== '');
  return {
    parameters,
    authenticatorTypes: list('authenticator_types'),
    oobChannels: list('oob_channels'),
  };
}

function requireMatch(value: string, pattern: { source: string }, name: string): string {
  if (!new RegExp(pattern.source, 'u').test(value)) {
    throw Auth0Errors.invalidRequest(`Parameter "${name}" is not valid`);
  }
  return value;
}

/** The tenant's name in an `otpauth://` label: the issuer's host name. */
function tenantLabel(state: ServerState): string {
  return encodeURIComponent(new URL(state.issuer).hostname);
}

/**
 * `POST /mfa/associate` with `Authorization: Bearer`: an `mfa_token` while the user has no
 * confirmed authenticator (otherwise `User is already enrolled.`), or an access token for the MFA
 * API with `enroll`. Body: `authenticator_types: ["otp"]`, or `["oob"]` with `oob_channels`
 * (`sms` or `voice` with `phone_number`, `email` with `email` (default: the user's), `auth0` for
 * Guardian push); `client_id` and `client_secret` are checked when sent. The new authenticator
 * is not active until confirmed through the `mfa-otp` or `mfa-oob` grant; the first enrolment
 * also answers `recovery_codes`.
 */
export async function mfaAssociateEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  try {
    const body = readAssociateRequest(request);
    let clientId: string | undefined;
    if (body.parameters.has('client_id')) {
      ({
        client: { clientId },
      } = authenticateClient(
        body.parameters,
        undefined,
        state.directory,
        state.tenant.compatibility,
      ));
    }
    const caller = await mfaApiCaller(state, request, clientId);
    requireScope(caller, 'enroll', true);
    const { user } = caller;
    if (
      caller.mfaToken !== undefined &&
      usableAuthenticators(user, state.tenant.mfaFactors).length > 0
    ) {
      throw Auth0Errors.alreadyEnrolled();
    }
    const types = body.authenticatorTypes;
    if (types === undefined || types.length === 0) {
      throw Auth0Errors.missingParameter('authenticator_types');
    }
    if (types.length !== 1 || (types[0] !== 'otp' && types[0] !== 'oob')) {
      throw Auth0Errors.invalidRequest(
        'Parameter "authenticator_types" must be ["otp"] or ["oob"]',
      );
    }
    const factors = state.tenant.mfaFactors;
    let authenticator: ResolvedAuthenticator;
    let channel: OobChannel | undefined;
    if (types[0] === 'otp') {
      if (!factors.includes('otp')) throw Auth0Errors.factorNotEnabled('otp');
      authenticator = newAuthenticator('otp', { secret: randomBytes(20) }, false);
    } else {
      const channels = body.oobChannels;
      if (channels === undefined || channels.length === 0) {
        throw Auth0Errors.missingParameter('oob_channels');
      }
      const [requested] = channels;
      if (channels.length !== 1 || !isOneOf(requested, OOB_CHANNELS)) {
        throw Auth0Errors.invalidRequest(
          'Parameter "oob_channels" must be one of ["sms"], ["voice"], ["email"], ["auth0"]',
        );
      }
      channel = requested;
      const kind = KIND_OF_CHANNEL[channel];
      if (!factors.includes(factorOf(kind))) throw Auth0Errors.factorNotEnabled(factorOf(kind));
      let address: string | undefined;
      if (kind === 'sms' || kind === 'voice') {
        address = requireMatch(
          requireParameter(body.parameters, 'phone_number'),
          PHONE_NUMBER_PATTERN,
          'phone_number',
        );
      } else if (kind === 'email') {
        address = requireMatch(body.parameters.get('email') ?? user.email, EMAIL_PATTERN, 'email');
      }
      authenticator = newAuthenticator(kind, { address }, false);
    }

    const mfa = mfaOf(user);
    const firstEnrolment = !mfa.authenticators.some((existing) => existing.active);
    mfa.authenticators.push(authenticator);
    // "If this is the first time the user is associating an authenticator, you'll notice the
    // response includes recovery_codes": unusable until an enrolment is confirmed.
    let recoveryCodes: Record<string, unknown> = {};
    if (
      firstEnrolment &&
      factors.includes('recovery-code') &&
      (mfa.recoveryCodes.length === 0 || !mfa.recoveryCodesActive)
    ) {
      mfa.recoveryCodes = [newRecoveryCode()];
      mfa.recoveryCodesActive = false;
      recoveryCodes = { recovery_codes: [...mfa.recoveryCodes] };
    }

    const label = tenantLabel(state);
    const account = encodeURIComponent(user.email);
    let answer: Record<string, unknown>;
    if (authenticator.secret !== undefined) {
      const secret = encodeBase32(authenticator.secret);
      answer = {
        authenticator_type: 'otp',
        secret,
        barcode_uri: `otpauth://totp/${label}:${account}?secret=${secret}&issuer=${label}&algorithm=SHA1&digits=6&period=30`,
        ...recoveryCodes,
      };
    } else {
      const oob = startOob(state, user, authenticator, 'enrolment', caller.mfaToken);
      const base = encodeURIComponent(state.issuer.replace(/\/$/, ''));
      const transaction = randomBytes(24).toString('base64url');
      answer = {
        authenticator_type: 'oob',
        ...(oob.bindingCode === undefined
          ? {
              barcode_uri: `otpauth://totp/${label}:${account}?enrollment_tx_id=${transaction}&base_url=${base}`,
            }
          : { binding_method: 'prompt' }),
        ...recoveryCodes,
        oob_channel: channel,
        oob_code: oob.oobCode,
      };
    }
    return jsonResponse(200, answer);
  } catch (error) {
    return errorResponse(error);
  }
}
