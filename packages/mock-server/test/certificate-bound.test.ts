import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GrantType,
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type ClientConfig,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';
import { dpopKey, dpopProof } from './dpop-support.js';
import {
  expectOAuthError,
  expectTokens,
  passwordParameters,
  postForm,
  verifyToken,
  type TokenBody,
} from './helpers.js';
import { authenticatorCode, TOTP_SECRET } from './mfa-support.js';
import { certificatePem, edgeHeaders, thumbprintOf } from './mtls-support.js';

const CERT_A = certificatePem('client-a');
const CERT_B = certificatePem('client-b');

/** A confidential client like the tutorial's, with mTLS token binding (and `overrides`). */
function mtlsClient(clientId: string, overrides: Partial<ClientConfig> = {}): ClientConfig {
  return {
    clientId,
    clientSecret: `${clientId}-secret`,
    grantTypes: [GrantType.password, GrantType.refreshToken, GrantType.mfaOtp],
    tlsClientCertificateBoundAccessTokens: true,
    ...overrides,
  };
}

const BOUND = 'bound-client';
const STRICT = 'strict-client';
const ROTATING = 'rotating-client';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(overrides: MockServerConfig = {}): Promise<MockServer> {
  const tutorial = tutorialTenant();
  server = await startMockServer({
    ...tutorial,
    customDomain: true,
    clients: [
      ...(tutorial.clients ?? []),
      mtlsClient(BOUND),
      mtlsClient(STRICT, { requireProofOfPossession: true }),
      mtlsClient(ROTATING, {
        requireProofOfPossession: true,
        refreshToken: { rotation: 'rotating' },
      }),
    ],
    ...overrides,
  });
  return server;
}

/** The custom domain's token endpoint. */
function customTokenEndpoint(target: MockServer): string {
  expect(target.customDomainUrl).toBeDefined();
  return `${target.customDomainUrl!}/oauth/token`;
}

/** A password grant for `clientId` to `url`, with `headers`. */
function passwordGrant(
  url: string,
  clientId: string,
  headers: Record<string, string> = {},
  overrides: Record<string, string | undefined> = {},
): Promise<Response> {
  return postForm(
    url,
    passwordParameters({
      client_id: clientId,
      client_secret: clientId === TUTORIAL.clientId ? TUTORIAL.clientSecret : `${clientId}-secret`,
      scope: 'read:sample offline_access',
      ...overrides,
    }),
    { headers },
  );
}

/** A refresh grant for `clientId` to `url`, with `headers`. */
function refreshGrant(
  url: string,
  clientId: string,
  refreshToken: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return postForm(
    url,
    {
      grant_type: GrantType.refreshToken,
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: `${clientId}-secret`,
    },
    { headers },
  );
}

function cnfOf(body: TokenBody): unknown {
  return decodeJwt(body.access_token)['cnf'];
}

describe('certificate-bound access tokens (RFC 8705 section 3, Auth0 mTLS token binding)', () => {
  it('binds the token to the certificate the edge forwarded to the custom domain', async () => {
    const target = await start();
    const body = await expectTokens(
      await passwordGrant(customTokenEndpoint(target), BOUND, edgeHeaders(CERT_A)),
    );
    // RFC 8705 leaves the token type alone: a Bearer token that carries cnf.
    expect(body.token_type).toBe('Bearer');
    const { payload } = await verifyToken(target, body.access_token, TUTORIAL.audience, {
      issuer: target.customDomainIssuer,
    });
    expect(payload['cnf']).toEqual({ 'x5t#S256': thumbprintOf(CERT_A) });
    expect(thumbprintOf(CERT_A)).toMatch(/^[\w-]{43}$/);
    expect(thumbprintOf(CERT_A)).not.toBe(thumbprintOf(CERT_B));
  });

  it('binds the tokens of the MFA grant, with the certificate of that request', async () => {
    const target = await start({
      connections: [
        {
          name: TUTORIAL.connection,
          users: [
            {
              email: TUTORIAL.username,
              password: TUTORIAL.password,
              mfa: { totpSecret: TOTP_SECRET },
            },
          ],
        },
      ],
    });
    const url = customTokenEndpoint(target);
    const challenge = await expectOAuthError(
      await passwordGrant(url, BOUND, edgeHeaders(CERT_A)),
      403,
      'mfa_required',
      'Multifactor authentication required',
    );
    const body = await expectTokens(
      await postForm(
        url,
        {
          grant_type: GrantType.mfaOtp,
          mfa_token: String(challenge['mfa_token']),
          otp: await authenticatorCode(target),
          client_id: BOUND,
          client_secret: `${BOUND}-secret`,
        },
        { headers: edgeHeaders(CERT_B) },
      ),
    );
    expect(cnfOf(body)).toEqual({ 'x5t#S256': thumbprintOf(CERT_B) });
  });

  it.each<[string, Record<string, string>]>([
    ['no certificate', {}],
    [
      'a certificate the edge could not verify',
      edgeHeaders(CERT_A, 'FAILED:self signed certificate'),
    ],
    [
      'a certificate without the verification header',
      { 'client-certificate': encodeURIComponent(CERT_A) },
    ],
  ])('issues a Bearer token without cnf for %s (RFC 8705 section 3.4)', async (_, headers) => {
    const target = await start();
    const body = await expectTokens(
      await passwordGrant(customTokenEndpoint(target), BOUND, headers),
    );
    expect(cnfOf(body)).toBeUndefined();
  });

  it("ignores the headers on the tenant's own domain, where Auth0 has no mTLS", async () => {
    const target = await start();
    const body = await expectTokens(
      await passwordGrant(target.tokenEndpoint, BOUND, edgeHeaders(CERT_A)),
    );
    expect(cnfOf(body)).toBeUndefined();
    await expectOAuthError(
      await passwordGrant(target.tokenEndpoint, STRICT, edgeHeaders(CERT_A)),
      400,
      'invalid_request',
      'A client certificate is required: the application requires certificate-bound tokens (mTLS, RFC 8705). Send the request to the custom domain, with the certificate the edge verified in client-certificate.',
    );
  });

  it('leaves the tokens of a client without mTLS token binding unbound', async () => {
    const target = await start();
    const body = await expectTokens(
      await passwordGrant(customTokenEndpoint(target), TUTORIAL.clientId, edgeHeaders(CERT_A)),
    );
    expect(cnfOf(body)).toBeUndefined();
  });

  it('refuses a client that requires sender constraining and sent no certificate', async () => {
    const target = await start();
    const url = customTokenEndpoint(target);
    await expectOAuthError(
      await passwordGrant(url, STRICT),
      400,
      'invalid_request',
      'A client certificate is required: the application requires certificate-bound tokens (mTLS, RFC 8705). Send the request to the custom domain, with the certificate the edge verified in client-certificate.',
    );
    const body = await expectTokens(await passwordGrant(url, STRICT, edgeHeaders(CERT_A)));
    expect(cnfOf(body)).toEqual({ 'x5t#S256': thumbprintOf(CERT_A) });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a header that is not URL-encoded',
      { 'client-certificate': '%E0%A4%A', 'client-certificate-ca-verified': 'SUCCESS' },
      'The client-certificate header is not URL-encoded',
    ],
    [
      'a header that is no PEM certificate',
      edgeHeaders('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      'The client-certificate header is not one PEM certificate',
    ],
    [
      "a header over Auth0's 4096 bytes",
      edgeHeaders(`${CERT_A}${' '.repeat(4000)}`),
      'The client-certificate header is longer than 4096 bytes',
    ],
  ])('answers 400 invalid_request for %s', async (_, headers, description) => {
    const target = await start();
    const response = await passwordGrant(customTokenEndpoint(target), BOUND, headers);
    await expect(response).toBeOAuthError(400, 'invalid_request', description);
    expect(await response.text()).not.toContain('BEGIN');
  });

  it('refuses a request that would bind a DPoP key and a certificate (RFC 7800 section 3.1)', async () => {
    const target = await start({
      apis: [
        { identifier: TUTORIAL.audience, scopes: [TUTORIAL.scope], proofOfPossession: 'allowed' },
      ],
    });
    const url = customTokenEndpoint(target);
    const key = await dpopKey();
    const proof = await dpopProof(target, key, { htu: url });
    await expectOAuthError(
      await passwordGrant(url, BOUND, { ...edgeHeaders(CERT_A), dpop: proof }),
      400,
      'invalid_request',
      'A token is bound to one key: send a DPoP proof or a client certificate, not both.',
    );
    // Either one alone is fine.
    const dpopBound = await passwordGrant(url, BOUND, {
      dpop: await dpopProof(target, key, { htu: url }),
    });
    expect(dpopBound.status).toBe(200);
    expect(cnfOf((await dpopBound.json()) as TokenBody)).toEqual({ jkt: key.jkt });
  });

  it('refuses mTLS token binding for a public client, as Auth0 does', async () => {
    const error = await startMockServer({
      clients: [
        {
          clientId: 'spa',
          tokenEndpointAuthMethod: 'none',
          tlsClientCertificateBoundAccessTokens: true,
        },
      ],
    }).then(
      async (started) => started.close(),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe(
      '"clients[0].tlsClientCertificateBoundAccessTokens" needs a confidential client: Auth0 binds tokens to certificates for confidential clients only',
    );
  });

  it('marks the request log entry, without the certificate', async () => {
    const target = await start();
    await passwordGrant(customTokenEndpoint(target), BOUND, edgeHeaders(CERT_A));
    const [entry] = await target.control.requests();
    expect(entry).toMatchObject({ customDomain: true, clientCertificate: true, status: 200 });
    const log = JSON.stringify(await target.control.requests());
    expect(log).not.toContain('BEGIN CERTIFICATE');
    expect(log).not.toContain(thumbprintOf(CERT_A));
  });
});

describe('refreshing a certificate-bound token', () => {
  it('re-binds to the certificate of the refresh request (RFC 8705 section 7.1)', async () => {
    const target = await start();
    const url = customTokenEndpoint(target);
    const first = await expectTokens(await passwordGrant(url, BOUND, edgeHeaders(CERT_A)));
    expect(cnfOf(first)).toEqual({ 'x5t#S256': thumbprintOf(CERT_A) });
    // A renewed certificate: the new access token is bound to it.
    const renewed = await expectTokens(
      await refreshGrant(url, BOUND, first.refresh_token!, edgeHeaders(CERT_B)),
    );
    expect(cnfOf(renewed)).toEqual({ 'x5t#S256': thumbprintOf(CERT_B) });
    // Without a certificate a client that does not require binding gets a Bearer token.
    const unbound = await expectTokens(await refreshGrant(url, BOUND, first.refresh_token!));
    expect(cnfOf(unbound)).toBeUndefined();
  });

  it('refuses a refresh without a certificate when the client requires one, without spending a rotating token', async () => {
    const target = await start();
    const url = customTokenEndpoint(target);
    const first = await expectTokens(await passwordGrant(url, ROTATING, edgeHeaders(CERT_A)));
    expect(first.refresh_token).toEqual(expect.any(String));
    await expectOAuthError(
      await refreshGrant(url, ROTATING, first.refresh_token!),
      400,
      'invalid_request',
      'A client certificate is required: the application requires certificate-bound tokens (mTLS, RFC 8705). Send the request to the custom domain, with the certificate the edge verified in client-certificate.',
    );
    const refreshed = await expectTokens(
      await refreshGrant(url, ROTATING, first.refresh_token!, edgeHeaders(CERT_A)),
    );
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect(cnfOf(refreshed)).toEqual({ 'x5t#S256': thumbprintOf(CERT_A) });
  });
});

describe('/userinfo with a certificate-bound token (RFC 8705 section 3)', () => {
  it('serves it with its certificate on the custom domain, and refuses it without or with another', async () => {
    const target = await start();
    const body = await expectTokens(
      await passwordGrant(customTokenEndpoint(target), BOUND, edgeHeaders(CERT_A), {
        scope: 'openid email',
      }),
    );
    const userinfo = (headers: Record<string, string>) =>
      fetch(`${target.customDomainUrl!}/userinfo`, {
        headers: { authorization: `Bearer ${body.access_token}`, ...headers },
      });
    const served = await userinfo(edgeHeaders(CERT_A));
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ email: TUTORIAL.username });
    for (const headers of [{}, edgeHeaders(CERT_B), edgeHeaders(CERT_A, 'FAILED')]) {
      const refused = await userinfo(headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer realm="Users", error="invalid_token"',
      );
    }
  });
});
