import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import {
  GrantType,
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type MfaEnrolment,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';
import { expectOAuthError, postForm, requestToken } from './helpers.js';

/** The RFC 6238 test secret ("12345678901234567890") in base32. */
export const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** Auth0's "MFA" grant types, as the dashboard enables them together, and the password grants. */
export const MFA_CLIENT_GRANTS = [
  GrantType.password,
  GrantType.passwordRealm,
  GrantType.refreshToken,
  GrantType.mfaOtp,
  GrantType.mfaOob,
  GrantType.mfaRecoveryCode,
];

/**
 * The tutorial tenant whose client may use every MFA grant and whose user has `mfa` (none when
 * `undefined`), with top-level overrides.
 */
export function mfaTenant(
  mfa: MfaEnrolment | undefined,
  overrides: MockServerConfig = {},
): MockServerConfig {
  return tutorialTenant({
    clients: [
      {
        clientId: TUTORIAL.clientId,
        clientSecret: TUTORIAL.clientSecret,
        grantTypes: MFA_CLIENT_GRANTS,
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          {
            email: TUTORIAL.username,
            password: TUTORIAL.password,
            ...(mfa === undefined ? {} : { mfa }),
          },
        ],
      },
    ],
    ...overrides,
  });
}

/** Starts {@link mfaTenant}. */
export function startMfa(
  mfa: MfaEnrolment | undefined,
  overrides: MockServerConfig = {},
): Promise<MockServer> {
  return startMockServer(mfaTenant(mfa, overrides));
}

/** The password grant answered `403 mfa_required`: its `mfa_token` and `mfa_requirements`. */
export async function mfaRequired(
  server: MockServer,
  overrides: Record<string, string | undefined> = {},
): Promise<{ mfaToken: string; requirements: unknown }> {
  const body = await expectOAuthError(
    await requestToken(server, { scope: 'openid read:sample offline_access', ...overrides }),
    403,
    'mfa_required',
    'Multifactor authentication required',
  );
  expect(body['mfa_token']).toEqual(expect.any(String));
  return { mfaToken: body['mfa_token'] as string, requirements: body['mfa_requirements'] };
}

/** A token request with the tutorial client's credentials. */
export function mfaGrant(
  server: MockServer,
  parameters: Record<string, string>,
): Promise<Response> {
  return postForm(server.tokenEndpoint, {
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    ...parameters,
  });
}

/** `POST /mfa/challenge` with the tutorial client's credentials. */
export function challenge(
  server: MockServer,
  parameters: Record<string, string>,
): Promise<Response> {
  return postForm(`${server.url}/mfa/challenge`, {
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    ...parameters,
  });
}

/** A request to the MFA API with `Authorization: Bearer <token>` (and a JSON body, if any). */
export function mfaApi(
  server: MockServer,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** `GET /mfa/authenticators`, expected to answer 200. */
export async function listAuthenticators(
  server: MockServer,
  token: string,
): Promise<Array<Record<string, unknown>>> {
  const response = await mfaApi(server, 'GET', '/mfa/authenticators', token);
  expect(response.status).toBe(200);
  return (await response.json()) as Array<Record<string, unknown>>;
}

/**
 * The code an authenticator app shows for `secret`, computed by `otpauth` (not by the mock), at
 * the mock's clock so that clock advances do not break it.
 */
export async function authenticatorCode(
  server: MockServer,
  secret = TOTP_SECRET,
  offsetSeconds = 0,
): Promise<string> {
  const now = await server.control.now();
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    timestamp: (now + offsetSeconds) * 1000,
  });
}

/** A JSON body, typed loosely for assertions. */
export async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}
