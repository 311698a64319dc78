import { createHash } from 'node:crypto';
import { Auth0Errors } from '../auth0-errors.js';
import { authenticateClient } from '../client-authentication.js';
import { requireParameter } from '../grants/grant-context.js';
import { jsonResponse, type HttpResponse } from '../http-io.js';
import { OAuthError } from '../oauth-error.js';
import type { ResolvedUser } from '../resolved-config.js';
import type { ServerState } from '../server-state.js';
import { bearerToken, header, type EndpointRequest } from './endpoint-request.js';

function errorResponse(error: unknown): HttpResponse {
  if (error instanceof OAuthError) {
    return jsonResponse(error.status, error.body(), { ...error.headers });
  }
  throw error;
}

function userOf(state: ServerState, userId: string): ResolvedUser {
  const found = state.directory.findUserById(userId);
  if (found === undefined) throw Auth0Errors.malformedMfaToken();
  return found.user;
}

/** A stable authenticator id in Auth0's form, `totp|dev_<id>`. */
function totpAuthenticatorId(user: ResolvedUser): string {
  return `totp|dev_${createHash('sha256').update(user.userId).digest('base64url').slice(0, 16)}`;
}

/**
 * `POST /mfa/challenge`: `client_id`, `client_secret`?, `mfa_token`, `challenge_type` (one or more
 * of `otp`, `oob`, space-separated). Answers `{"challenge_type":"otp"}` for an OTP-enrolled user.
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
    if (challengeTypes.includes('otp') && user.mfa?.totpSecret !== undefined) {
      return jsonResponse(200, { challenge_type: 'otp' });
    }
    throw Auth0Errors.unsupportedChallengeType();
  } catch (error) {
    return errorResponse(error);
  }
}

/**
 * `GET /mfa/authenticators` with `Authorization: Bearer <mfa_token>`: the user's enrolled
 * authenticators, `[]` when none.
 */
export async function mfaAuthenticatorsEndpoint(
  state: ServerState,
  request: EndpointRequest,
): Promise<HttpResponse> {
  try {
    const mfaToken = bearerToken(request);
    if (mfaToken === undefined) {
      throw new OAuthError(401, 'unauthorized', 'Missing Bearer mfa_token', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const user = userOf(state, state.mfaTokens.get(mfaToken).userId);
    const authenticators =
      user.mfa?.totpSecret === undefined
        ? []
        : [{ id: totpAuthenticatorId(user), authenticator_type: 'otp', active: true }];
    return jsonResponse(200, authenticators);
  } catch (error) {
    return errorResponse(error);
  }
}
