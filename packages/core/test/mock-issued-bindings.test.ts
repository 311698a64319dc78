// The kit end to end for issue 17: tokens the mock server issues as Auth0 does (an HS256 API, a
// certificate-bound token, acr/amr/auth_time after MFA) are verified by core's verifier with the
// options a user would write. The verifier's rules are tested rule by rule elsewhere
// (hs256-secret, rfc8705-certificate-binding, rfc9470-step-up); this shows the two agree.
import { readFileSync } from 'node:fs';
import {
  GrantType,
  MFA_ACR,
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type MockServer,
} from '@ropkit/mock-server';
import { totp } from '@ropkit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireStepUp } from '../src/adapter.js';
import { BearerError, createAccessTokenVerifier, type BearerRequest } from '../src/index.js';

/** The API's "Signing Secret" (Auth0: an API set to HS256), 40 bytes. */
const SECRET = 'kit-hs256-signing-secret-0123456789abcde';
const HS256_API = 'https://hs256.example.com';
const BOUND_CLIENT = 'bound-client';
const OTP_SECRET = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU';

const pem = (name: string) =>
  readFileSync(new URL(`fixtures/mtls/${name}.crt`, import.meta.url), 'utf8');

let server: MockServer;

beforeAll(async () => {
  const tutorial = tutorialTenant();
  server = await startMockServer({
    ...tutorial,
    customDomain: true,
    apis: [
      ...(tutorial.apis ?? []),
      {
        identifier: HS256_API,
        scopes: ['read:sample'],
        signingAlgorithm: 'HS256',
        signingSecret: SECRET,
      },
    ],
    clients: [
      ...(tutorial.clients ?? []),
      {
        clientId: BOUND_CLIENT,
        clientSecret: `${BOUND_CLIENT}-secret`,
        grantTypes: [GrantType.password],
        tlsClientCertificateBoundAccessTokens: true,
      },
    ],
    connections: (tutorial.connections ?? []).map((connection, i) =>
      i === 0
        ? {
            ...connection,
            users: [
              ...(connection.users ?? []),
              {
                email: 'otp@example.com',
                password: 'otp-pwd',
                mfa: { required: false, totpSecret: OTP_SECRET },
              },
            ],
          }
        : connection,
    ),
  });
});

afterAll(async () => {
  await server.close();
});

async function tokenResponse(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return (await response.json()) as Record<string, unknown>;
}

function password(form: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'password',
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    username: TUTORIAL.username,
    password: TUTORIAL.password,
    audience: TUTORIAL.audience,
    scope: 'read:sample',
    ...form,
  };
}

function bearer(token: string, headers: Record<string, string> = {}): BearerRequest {
  return { headers: { authorization: `Bearer ${token}`, ...headers }, method: 'GET' };
}

describe('tokens the mock server issues, verified by core', () => {
  it('an HS256 API: accepted with its signing secret, refused by a key-set verifier', async () => {
    const body = await tokenResponse(server.tokenEndpoint, password({ audience: HS256_API }));
    const token = String(body['access_token']);
    const withSecret = createAccessTokenVerifier({
      issuer: server.issuer,
      audience: HS256_API,
      secret: SECRET,
    });
    expect((await withSecret.verify(token)).payload.aud).toBe(HS256_API);
    // The tenant's RS256 key set cannot verify an HS256 token (RFC 8725 section 3.1).
    const withKeySet = createAccessTokenVerifier({ issuer: server.issuer, audience: HS256_API });
    await expect(withKeySet.verify(token)).rejects.toMatchObject({ status: 401 });
  });

  it('a certificate-bound token: accepted with its certificate, refused without or with another', async () => {
    const certificate = pem('client-a');
    const edge = {
      'client-certificate': encodeURIComponent(certificate),
      'client-certificate-ca-verified': 'SUCCESS',
    };
    const url = `${String(server.customDomainUrl)}/oauth/token`;
    const body = await tokenResponse(
      url,
      password({ client_id: BOUND_CLIENT, client_secret: `${BOUND_CLIENT}-secret` }),
      edge,
    );
    const token = String(body['access_token']);
    const verifier = createAccessTokenVerifier({
      issuer: String(server.customDomainIssuer),
      audience: TUTORIAL.audience,
      mtls: { certificateHeader: 'x-client-cert' },
    });
    const header = (name: string) => ({ 'x-client-cert': encodeURIComponent(pem(name)) });
    const accepted = await verifier.authenticate(bearer(token, header('client-a')));
    expect(accepted.payload['cnf']).toEqual({ 'x5t#S256': expect.any(String) });
    expect(accepted.payload.sub).toMatch(/^auth0\|/);
    for (const request of [bearer(token), bearer(token, header('client-b'))]) {
      const error = await verifier.authenticate(request).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(BearerError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_token' });
    }
  });

  it('step-up: acr_values asks for MFA; the MFA token has the acr the API requires', async () => {
    const api = createAccessTokenVerifier({ issuer: server.issuer, audience: TUTORIAL.audience });
    const stepUp = requireStepUp({ acrValues: [MFA_ACR], maxAge: 300 });
    const user = { username: 'otp@example.com', password: 'otp-pwd' };

    // A password-only sign-in: served elsewhere, refused where the API asks for MFA.
    const plain = await tokenResponse(server.tokenEndpoint, password(user));
    const plainToken = await api.verify(String(plain['access_token']));
    expect(() => stepUp(plainToken)).toThrow(
      expect.objectContaining({ code: 'insufficient_user_authentication' }),
    );

    // The sign-in again with acr_values: MFA, then a token that meets the requirement.
    const asked = await tokenResponse(
      server.tokenEndpoint,
      password({ ...user, acr_values: MFA_ACR }),
    );
    expect(asked['error']).toBe('mfa_required');
    const stepped = await tokenResponse(server.tokenEndpoint, {
      grant_type: GrantType.mfaOtp,
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
      mfa_token: String(asked['mfa_token']),
      otp: totp(OTP_SECRET, await server.control.now()),
    });
    const verified = await api.verify(String(stepped['access_token']));
    expect(verified.payload).toMatchObject({ acr: MFA_ACR, amr: ['mfa'] });
    expect(() => stepUp(verified)).not.toThrow();
  });
});
