import { inspect } from 'node:util';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
  type JWTPayload,
} from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  GrantType,
  MockServerControlClient,
  runCli,
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type ApiConfig,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';
import { validateTenant } from '../src/validate-config.js';
import { dpopKey, dpopProof } from './dpop-support.js';
import { expectTokens, postForm, requestToken, verifyToken } from './helpers.js';

/** The API's "Signing Secret": 40 characters, so 40 bytes of HMAC key. */
const SECRET = 'hs256-signing-secret-0123456789abcdefghij';
const secretKey = new TextEncoder().encode(SECRET);

/** The tutorial API, signing with HS256 (and `overrides`). */
function hs256Api(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    identifier: TUTORIAL.audience,
    scopes: [TUTORIAL.scope],
    allowOfflineAccess: true,
    signingAlgorithm: 'HS256',
    signingSecret: SECRET,
    ...overrides,
  };
}

/** The second API of the tenant, left at RS256. */
const RS256_API = 'https://rs256.example.com';

let server: MockServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

async function start(overrides: MockServerConfig = {}): Promise<MockServer> {
  server = await startMockServer(
    tutorialTenant({
      apis: [hs256Api(), { identifier: RS256_API, scopes: ['read:other'] }],
      ...overrides,
    }),
  );
  return server;
}

/** Verifies an HS256 access token with the secret, as the API would (RFC 7518 section 3.2). */
async function verifyWithSecret(
  target: MockServer,
  token: string,
  options: { typ?: string } = {},
): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(token, secretKey, {
    algorithms: ['HS256'],
    issuer: target.issuer,
    audience: TUTORIAL.audience,
    ...options,
  });
  expect(protectedHeader).toEqual({ alg: 'HS256', typ: options.typ ?? 'JWT' });
  return payload;
}

/** The parts of a `/userinfo` answer that tell a refusal: status, challenge and body. */
async function answer(response: Response): Promise<unknown> {
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: await response.text(),
  };
}

/** What starting with `config` throws (a server that starts is closed). */
async function rejectionOf(config: unknown): Promise<unknown> {
  return startMockServer(config as MockServerConfig).then(
    async (started) => started.close(),
    (error: unknown) => error,
  );
}

describe('an HS256 API (Auth0 "Signing Algorithm: HS256")', () => {
  it('gets HS256 access tokens signed with its secret: header {alg, typ} without kid', async () => {
    const target = await start();
    const body = await expectTokens(await requestToken(target, { scope: 'read:sample' }));
    expect(decodeProtectedHeader(body.access_token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = await verifyWithSecret(target, body.access_token);
    expect(payload).toMatchObject({
      iss: target.issuer,
      sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      aud: TUTORIAL.audience,
      azp: TUTORIAL.clientId,
      gty: 'password',
      scope: 'read:sample',
    });
    // Another secret does not verify it, nor does the tenant's key set.
    await expect(
      jwtVerify(body.access_token, new TextEncoder().encode(`${SECRET}-other`)),
    ).rejects.toThrow('signature verification failed');
    await expect(
      jwtVerify(body.access_token, createRemoteJWKSet(new URL(target.jwksUri))),
    ).rejects.toThrow('Unsupported "alg" value for a JSON Web Key Set');
  });

  it('keeps ID tokens, and the tokens of its RS256 neighbours, signed by the tenant key', async () => {
    const target = await start();
    const body = await expectTokens(
      await requestToken(target, { scope: 'openid read:sample offline_access' }),
    );
    expect(decodeProtectedHeader(body.id_token!)).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: expect.any(String),
    });
    const idToken = await verifyToken(target, body.id_token!, TUTORIAL.clientId);
    expect(idToken.payload['email']).toBe(TUTORIAL.username);
    // Even with openid the access token names the API alone: Auth0 adds the userinfo audience
    // only for an API that signs with RS256 ("Resource Owner Password Flow with OIDC").
    const payload = await verifyWithSecret(target, body.access_token);
    expect(payload.aud).toBe(TUTORIAL.audience);
    expect(String(payload.scope).split(' ')).toContain('openid');

    const other = await expectTokens(
      await requestToken(target, { audience: RS256_API, scope: 'read:other' }),
    );
    const { protectedHeader } = await verifyToken(target, other.access_token, RS256_API);
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toEqual(expect.any(String));
  });

  it('signs refreshed access tokens with the secret too', async () => {
    const target = await start();
    const first = await expectTokens(
      await requestToken(target, { scope: 'read:sample offline_access' }),
    );
    const refreshed = await expectTokens(
      await postForm(target.tokenEndpoint, {
        grant_type: GrantType.refreshToken,
        refresh_token: first.refresh_token!,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    );
    const payload = await verifyWithSecret(target, refreshed.access_token);
    expect(payload['gty']).toBe('refresh_token');
    expect(payload.aud).toBe(TUTORIAL.audience);
  });

  it('uses typ at+jwt with the RFC 9068 profile', async () => {
    const target = await start({ apis: [hs256Api({ tokenProfile: 'rfc9068' })] });
    const body = await expectTokens(await requestToken(target));
    const payload = await verifyWithSecret(target, body.access_token, { typ: 'at+jwt' });
    expect(payload['client_id']).toBe(TUTORIAL.clientId);
  });

  it("refuses an HS256 API's token at /userinfo, as Auth0 refuses a token not meant for it", async () => {
    const target = await start();
    const userinfo = async (token: string): Promise<Response> =>
      fetch(`${target.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
    const refusal = {
      status: 401,
      challenge: 'Bearer realm="Users", error="invalid_token"',
      body: 'Unauthorized',
    };
    const body = await expectTokens(await requestToken(target, { scope: 'openid email' }));
    expect(decodeJwt(body.access_token).aud).toBe(TUTORIAL.audience);
    expect(await answer(await userinfo(body.access_token))).toEqual(refusal);

    // The same answer as for an RS256 API's token without the userinfo audience (no openid)...
    const apiOnly = await expectTokens(
      await requestToken(target, { audience: RS256_API, scope: 'read:other' }),
    );
    expect(decodeJwt(apiOnly.access_token).aud).toBe(RS256_API);
    expect(await answer(await userinfo(apiOnly.access_token))).toEqual(refusal);
    // ...while that API's token granted openid has the userinfo audience and is served.
    const withOpenid = await expectTokens(
      await requestToken(target, { audience: RS256_API, scope: 'openid email' }),
    );
    expect(decodeJwt(withOpenid.access_token).aud).toEqual([RS256_API, `${target.issuer}userinfo`]);
    const served = await userinfo(withOpenid.access_token);
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ email: TUTORIAL.username });

    // An HS256 token is refused even when it names the userinfo audience and the API's secret
    // signs it: /userinfo verifies with the tenant's keys only.
    const claims = decodeJwt(body.access_token);
    const crafted = await new SignJWT({
      ...claims,
      aud: [TUTORIAL.audience, `${target.issuer}userinfo`],
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(secretKey);
    expect(await answer(await userinfo(crafted))).toEqual(refusal);
  });

  it('re-signs with the secret when a dpop-binding fault spoils a DPoP-bound token', async () => {
    const target = await start({ apis: [hs256Api({ proofOfPossession: 'allowed' })] });
    const key = await dpopKey();
    await target.control.queueFault({ kind: 'dpop-binding', endpoint: '/oauth/token' });
    const response = await requestToken(
      target,
      {},
      { headers: { dpop: await dpopProof(target, key, { htu: target.tokenEndpoint }) } },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('DPoP');
    const payload = await verifyWithSecret(target, body.access_token);
    expect(payload['cnf']).toEqual({ jkt: expect.stringMatching(/^[\w-]{43}$/) });
    expect(payload['cnf']).not.toEqual({ jkt: key.jkt });
  });

  it('can be set through the control API, in-process and over HTTP', async () => {
    const target = await start({ apis: [], controlApi: true });
    await target.control.setApi(hs256Api());
    const body = await expectTokens(await requestToken(target));
    await verifyWithSecret(target, body.access_token);
    const client = new MockServerControlClient(target.url);
    await client.setApi(hs256Api({ signingSecret: `${SECRET}-rotated` }));
    const rotated = await expectTokens(await requestToken(target));
    await expect(verifyWithSecret(target, rotated.access_token)).rejects.toThrow(
      'signature verification failed',
    );
  });
});

describe('the signing secret is validated and never shown', () => {
  it.each<[string, Partial<ApiConfig>, RegExp]>([
    [
      'HS256 without a secret',
      { signingAlgorithm: 'HS256', signingSecret: undefined },
      /^"apis\[0\]\.signingSecret" is required when signingAlgorithm is "HS256"$/,
    ],
    [
      'a secret for an RS256 API',
      { signingAlgorithm: 'RS256' },
      /^"apis\[0\]\.signingSecret" must be absent unless signingAlgorithm is "HS256"$/,
    ],
    [
      'a secret of 31 characters',
      { signingSecret: 'short-secret-of-31-characters!!' },
      /^"apis\[0\]\.signingSecret" must be at least 32 characters long/,
    ],
    [
      'another algorithm',
      { signingAlgorithm: 'HS512' as 'HS256' },
      /^"apis\[0\]\.signingAlgorithm" must be one of: RS256, HS256$/,
    ],
    ['a secret that is not a string', { signingSecret: 42 as unknown as string }, /must be/],
  ])('refuses %s at start, naming the option', async (_, overrides, pattern) => {
    const api = hs256Api(overrides);
    const error = await rejectionOf({ apis: [api] });
    expect(error).toBeInstanceOf(TypeError);
    const { message } = error as TypeError;
    expect(message).toMatch(pattern);
    expect(message).not.toContain(String(api.signingSecret));
  });

  it('takes a secret of exactly 32 characters', async () => {
    await expect(
      rejectionOf({ apis: [hs256Api({ signingSecret: 'x'.repeat(32) })] }),
    ).resolves.toBeUndefined();
  });

  it('refuses a bad API through the control API without its secret in the answer', async () => {
    const target = await start({ controlApi: true });
    const short = 'only-thirty-one-characters-long';
    const local = await target.control.setApi(hs256Api({ signingSecret: short })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((local as TypeError).message).toMatch(/^"api\.signingSecret" must be at least 32/);
    expect((local as TypeError).message).not.toContain(short);
    const response = await fetch(`${target.url}/__ropkit/apis`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hs256Api({ signingAlgorithm: 'RS256' })),
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('\\"api.signingSecret\\" must be absent');
    expect(text).not.toContain(SECRET);
  });

  it('keeps it out of token answers, the request log, stdout and stderr, and inspect()', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown): boolean => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const target = await start();
    const answers = [
      await (await requestToken(target, { scope: 'openid read:sample offline_access' })).text(),
      await (await requestToken(target, { password: 'wrong' })).text(),
      await (await requestToken(target, { audience: 'https://unknown.example.com' })).text(),
    ];
    const log = JSON.stringify(await target.control.requests());
    const resolved = inspect(validateTenant({ apis: [hs256Api()] }), { depth: null });
    vi.restoreAllMocks();
    for (const text of [...answers, log, resolved, ...written]) expect(text).not.toContain(SECRET);
    expect(resolved).toContain('signingAlgorithm');
  });

  it('keeps it out of the CLI error for a bad configuration', async () => {
    const stderr: string[] = [];
    const short = 'a-cli-secret-that-is-too-short';
    const outcome = await runCli({
      argv: [],
      env: {
        ROPKIT_MOCK_SERVER_CONFIG: JSON.stringify({
          apis: [hs256Api({ signingSecret: short })],
        }),
      },
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
    });
    expect(outcome).toEqual({ exitCode: 2 });
    expect(stderr.join('')).toMatch(/invalid configuration: "apis\[0\]\.signingSecret" must be/);
    expect(stderr.join('')).not.toContain(short);
  });
});
