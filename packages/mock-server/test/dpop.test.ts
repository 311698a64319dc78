import { CompactSign, createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, totpCodeForSecret, TUTORIAL, type MockServer } from '../src/index.js';
import {
  dpopApi,
  dpopKey,
  dpopProof,
  dpopTenant,
  PUBLIC_CLIENT,
  publicClientParameters,
  rawPost,
  type DpopKey,
  type ProofOptions,
} from './dpop-support.js';
import {
  expectOAuthError,
  expectTokens,
  passwordParameters,
  postForm,
  startTutorial,
  type TokenBody,
} from './helpers.js';
import { TOTP_SECRET } from './mfa-support.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(overrides: Parameters<typeof dpopTenant>[0] = {}): Promise<MockServer> {
  server = await startTutorial(dpopTenant(overrides));
  return server;
}

/** A proof for the token endpoint of `target`. */
function tokenProof(
  target: MockServer,
  key: DpopKey,
  options: Partial<ProofOptions> = {},
): Promise<string> {
  return dpopProof(target, key, { htu: target.tokenEndpoint, ...options });
}

/** The tutorial client's password grant, with `proof` in a `DPoP` header. */
function passwordWithProof(
  target: MockServer,
  proof: string | undefined,
  overrides: Record<string, string | undefined> = {},
): Promise<Response> {
  return postForm(target.tokenEndpoint, passwordParameters(overrides), {
    headers: proof === undefined ? {} : { dpop: proof },
  });
}

/** A 200 answer with a DPoP-bound access token (RFC 9449 section 5), its body. */
async function expectDpopTokens(response: Response): Promise<TokenBody> {
  const body = (await response.json()) as TokenBody & Record<string, unknown>;
  expect({ status: response.status, token_type: body.token_type }).toEqual({
    status: 200,
    token_type: 'DPoP',
  });
  return body;
}

const INVALID = 'invalid_dpop_proof';

/** The `cnf.jkt` of a 200 DPoP answer's access token. */
async function boundJkt(response: Response): Promise<unknown> {
  const body = await expectDpopTokens(response);
  return (decodeJwt(body.access_token)['cnf'] as { jkt?: unknown } | undefined)?.jkt;
}

/** base64url of a JSON value: a hand-made JWS part. */
function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The public client's password grant with a proof of `key`: DPoP tokens and a refresh token. */
async function publicClientTokens(target: MockServer, key: DpopKey): Promise<TokenBody> {
  const response = await postForm(target.tokenEndpoint, publicClientParameters(), {
    headers: { dpop: await tokenProof(target, key) },
  });
  const body = await expectDpopTokens(response);
  expect(body.refresh_token).toEqual(expect.any(String));
  return body;
}

/** The public client's refresh grant, with `proof` in a `DPoP` header. */
function refreshPublic(
  target: MockServer,
  refreshToken: string,
  proof: string | undefined,
): Promise<Response> {
  return postForm(
    target.tokenEndpoint,
    { grant_type: 'refresh_token', client_id: PUBLIC_CLIENT, refresh_token: refreshToken },
    { headers: proof === undefined ? {} : { dpop: proof } },
  );
}

/** A revocation request of the public client. */
function revocationForm(token: string): Record<string, string> {
  return { client_id: PUBLIC_CLIENT, token };
}

describe('a DPoP proof at the token endpoint (RFC 9449 section 5)', () => {
  it('binds the access token: token_type DPoP and cnf.jkt, the thumbprint of the proof key', async () => {
    const target = await start();
    const key = await dpopKey();
    const response = await passwordWithProof(target, await tokenProof(target, key));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('dpop-nonce')).toBeNull();
    const body = await expectDpopTokens(response);
    const { payload } = await jwtVerify(
      body.access_token,
      createRemoteJWKSet(new URL(target.jwksUri)),
      { issuer: target.issuer, audience: TUTORIAL.audience },
    );
    expect(payload['cnf']).toEqual({ jkt: key.jkt });
    expect(payload['azp']).toBe(TUTORIAL.clientId);
    const log = await target.control.requests();
    expect(log.find((entry) => entry.path === '/oauth/token')).toMatchObject({
      status: 200,
      dpop: true,
    });
    expect(JSON.stringify(log)).not.toContain(key.jkt);
  });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS384', 'EdDSA', 'Ed25519'])(
    'accepts a proof signed with %s',
    async (alg) => {
      const target = await start();
      const key = await dpopKey(alg);
      const body = await expectDpopTokens(
        await passwordWithProof(target, await tokenProof(target, key)),
      );
      expect(decodeJwt(body.access_token)['cnf']).toEqual({ jkt: key.jkt });
    },
  );

  it('binds the RFC 9068 profile as well, and the password-realm grant', async () => {
    const target = await start({ apis: [{ ...dpopApi(), tokenProfile: 'rfc9068' }] });
    const key = await dpopKey();
    const body = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key), {
        grant_type: GrantType.passwordRealm,
        realm: TUTORIAL.connection,
      }),
    );
    expect(decodeJwt(body.access_token)).toMatchObject({
      client_id: TUTORIAL.clientId,
      cnf: { jkt: key.jkt },
    });
  });

  it('binds the tokens of an MFA grant to the key of its own request', async () => {
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
    const key = await dpopKey();
    const challenge = await expectOAuthError(
      await passwordWithProof(target, await tokenProof(target, key)),
      403,
      'mfa_required',
      'Multifactor authentication required',
    );
    const response = await postForm(
      target.tokenEndpoint,
      {
        grant_type: GrantType.mfaOtp,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        mfa_token: String(challenge['mfa_token']),
        otp: totpCodeForSecret(TOTP_SECRET, await target.control.now()),
      },
      { headers: { dpop: await tokenProof(target, key) } },
    );
    const body = await expectDpopTokens(response);
    expect(decodeJwt(body.access_token)['cnf']).toEqual({ jkt: key.jkt });
  });

  it('binds a token for /userinfo only (no audience) whenever a valid proof is sent', async () => {
    const target = await start({ apis: [dpopApi('none')] });
    const key = await dpopKey();
    const body = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key), {
        audience: undefined,
        scope: 'openid',
      }),
    );
    expect(decodeJwt(body.access_token)).toMatchObject({
      aud: `${target.issuer}userinfo`,
      cnf: { jkt: key.jkt },
    });
  });

  it('without a proof, answers Bearer tokens as before', async () => {
    const target = await start();
    const body = await expectTokens(await passwordWithProof(target, undefined));
    expect(decodeJwt(body.access_token)['cnf']).toBeUndefined();
  });

  it("gives a Bearer token for an API whose policy is 'none' (Auth0's default), after checking the proof", async () => {
    const target = await start({ apis: [dpopApi('none')] });
    const key = await dpopKey();
    const body = await expectTokens(await passwordWithProof(target, await tokenProof(target, key)));
    expect(decodeJwt(body.access_token)['cnf']).toBeUndefined();
    await expect(
      await passwordWithProof(target, await tokenProof(target, key, { htm: 'GET' })),
    ).toBeOAuthError(400, INVALID, 'DPoP proof htm does not match the request method');
  });

  it("refuses a request without a proof for an API whose policy is 'required'", async () => {
    const target = await start({ apis: [dpopApi('required')] });
    await expect(await passwordWithProof(target, undefined)).toBeOAuthError(
      400,
      'invalid_request',
      'A DPoP proof is required: the API requires sender-constrained tokens.',
    );
    await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, await dpopKey())),
    );
  });

  it('publishes dpop_signing_alg_values_supported in discovery (RFC 9449 section 5.1)', async () => {
    const target = await start();
    const discovery = (await (await fetch(target.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery['dpop_signing_alg_values_supported']).toEqual([
      'ES256',
      'ES384',
      'ES512',
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'EdDSA',
      'Ed25519',
    ]);
  });
});

describe('a proof that fails a check of RFC 9449 section 4.3 is answered 400 invalid_dpop_proof', () => {
  it('more than one DPoP header (step 1)', async () => {
    const target = await start();
    const key = await dpopKey();
    const answer = await rawPost(target.tokenEndpoint, passwordParameters(), {
      dpop: [await tokenProof(target, key), await tokenProof(target, key)],
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: INVALID,
      error_description: 'More than one DPoP header was sent',
    });
  });

  it.each<[string, (target: MockServer, key: DpopKey) => Promise<string>, string]>([
    ['not a JWT', async () => 'not-a-jwt', 'DPoP proof is not a well-formed JWT'],
    [
      'a JWS in the JSON serialization',
      async (target, key) => JSON.stringify({ proof: await tokenProof(target, key) }),
      'DPoP proof is not a well-formed JWT',
    ],
    [
      'typ JWT',
      (target, key) => tokenProof(target, key, { header: { typ: 'JWT' } }),
      'DPoP proof typ is not dpop+jwt',
    ],
    [
      'no typ',
      (target, key) => tokenProof(target, key, { header: { typ: undefined } }),
      'DPoP proof typ is not dpop+jwt',
    ],
    [
      'alg none',
      async (target, key) => {
        const [, payload] = (await tokenProof(target, key)).split('.');
        const header = Buffer.from(
          JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk }),
        ).toString('base64url');
        return `${header}.${payload}.`;
      },
      'DPoP proof is not a well-formed JWT',
    ],
    [
      'alg none, with a signature part',
      async (target, key) => {
        const [, payload] = (await tokenProof(target, key)).split('.');
        const header = Buffer.from(
          JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk }),
        ).toString('base64url');
        return `${header}.${payload}.AAAA`;
      },
      'DPoP proof alg is not allowed',
    ],
    [
      'alg HS256 (a symmetric key)',
      async (target) =>
        new SignJWT({
          jti: 'hs',
          htm: 'POST',
          htu: target.tokenEndpoint,
          iat: await target.control.now(),
        })
          .setProtectedHeader({
            typ: 'dpop+jwt',
            alg: 'HS256',
            // A symmetric JWK: jose's header type has no `k`, which is the point.
            jwk: { kty: 'oct', k: 'c2VjcmV0' } as JWK,
          })
          .sign(new TextEncoder().encode('secret')),
      'DPoP proof alg is not allowed',
    ],
    [
      'no jwk',
      (target, key) => tokenProof(target, key, { header: { jwk: undefined } }),
      'DPoP proof has no jwk header',
    ],
    [
      'a jwk with its private key (d)',
      (target, key) => tokenProof(target, key, { header: { jwk: { ...key.jwk, d: 'AAAA' } } }),
      'DPoP proof jwk contains a private key',
    ],
    [
      'a jwk of another key type than alg',
      async (target, key) =>
        tokenProof(target, key, { header: { jwk: (await dpopKey('EdDSA')).jwk } }),
      'DPoP proof jwk does not fit its alg',
    ],
    [
      'a jwk that is no key',
      (target, key) =>
        tokenProof(target, key, { header: { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } } }),
      'DPoP proof jwk is not a usable public key',
    ],
    [
      'a signature by another key than the jwk (step 6)',
      async (target, key) =>
        tokenProof(target, key, { header: { jwk: (await dpopKey('ES256')).jwk } }),
      'DPoP proof signature is invalid',
    ],
    [
      'no jti',
      (target, key) => tokenProof(target, key, { jti: undefined }),
      'DPoP proof jti is missing or malformed',
    ],
    [
      'a jti that is a number',
      (target, key) => tokenProof(target, key, { claims: { jti: 42 } }),
      'DPoP proof jti is missing or malformed',
    ],
    [
      'htm GET (step 8)',
      (target, key) => tokenProof(target, key, { htm: 'GET' }),
      'DPoP proof htm does not match the request method',
    ],
    [
      'htm post, in lower case',
      (target, key) => tokenProof(target, key, { htm: 'post' }),
      'DPoP proof htm does not match the request method',
    ],
    [
      'htu of another endpoint (step 9)',
      (target, key) => dpopProof(target, key, { htu: `${target.url}/oauth/revoke` }),
      'DPoP proof htu does not match the request URI',
    ],
    [
      'htu of another server',
      (target, key) => dpopProof(target, key, { htu: 'https://attacker.example/oauth/token' }),
      'DPoP proof htu does not match the request URI',
    ],
    [
      'no htu',
      (target, key) => tokenProof(target, key, { claims: { htu: undefined } }),
      'DPoP proof htu does not match the request URI',
    ],
    [
      'iat 61 s before the mock clock (step 11)',
      async (target, key) => tokenProof(target, key, { iat: (await target.control.now()) - 61 }),
      'DPoP proof iat is outside the acceptable window',
    ],
    [
      'iat 61 s after the mock clock',
      async (target, key) => tokenProof(target, key, { iat: (await target.control.now()) + 61 }),
      'DPoP proof iat is outside the acceptable window',
    ],
    [
      'no iat',
      (target, key) => tokenProof(target, key, { iat: undefined }),
      'DPoP proof iat is missing or malformed',
    ],
    [
      'a payload that is not a JSON object',
      (_, key) =>
        new CompactSign(new TextEncoder().encode('[]'))
          .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk })
          .sign(key.privateKey),
      'DPoP proof payload is not a JSON object',
    ],
  ])('%s', async (_, makeProof, description) => {
    const target = await start();
    const key = await dpopKey();
    await expect(await passwordWithProof(target, await makeProof(target, key))).toBeOAuthError(
      400,
      INVALID,
      description,
    );
  });

  it('a proof used before, within its window (section 11.1)', async () => {
    const target = await start();
    const proof = await tokenProof(target, await dpopKey());
    await expectDpopTokens(await passwordWithProof(target, proof));
    await expect(await passwordWithProof(target, proof)).toBeOAuthError(
      400,
      INVALID,
      'DPoP proof jti was used before',
    );
  });

  it('the same jti from two keys is no replay', async () => {
    const target = await start();
    const jti = 'same-jti';
    for (const key of [await dpopKey(), await dpopKey()]) {
      expect(
        await boundJkt(await passwordWithProof(target, await tokenProof(target, key, { jti }))),
      ).toBe(key.jkt);
    }
  });

  it('ignores the query and fragment of htu, and accepts the endpoint named under the issuer', async () => {
    const target = await start({ issuer: 'https://tenant.example.com/' });
    const key = await dpopKey();
    for (const htu of [
      `${target.tokenEndpoint}?x=1#y`,
      'https://TENANT.example.com:443/oauth/token',
    ]) {
      expect(
        await boundJkt(await passwordWithProof(target, await tokenProof(target, key, { htu }))),
      ).toBe(key.jkt);
    }
  });

  it("judges iat by the mock's clock, which tests may move", async () => {
    const target = await start();
    const key = await dpopKey();
    const realTime = Math.floor(Date.now() / 1000);
    await target.control.advanceClock(3600);
    await expect(
      await passwordWithProof(target, await tokenProof(target, key, { iat: realTime })),
    ).toBeOAuthError(400, INVALID, 'DPoP proof iat is outside the acceptable window');
    await expectDpopTokens(await passwordWithProof(target, await tokenProof(target, key)));
  });

  it('answers junk in the DPoP header with 400, never a 500', async () => {
    const target = await start();
    const key = await dpopKey();
    const valid = await tokenProof(target, key);
    const [, payload, signature] = valid.split('.');
    const junk = [
      '',
      '.',
      '..',
      'a.b.c',
      `${b64('x')}.${payload}.${signature}`,
      `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: 'a string' })}.${payload}.${signature}`,
      `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: [1, 2] })}.${payload}.${signature}`,
      `${b64({ typ: 'dpop+jwt', alg: 'RS256', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } })}.${payload}.${signature}`,
      `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk, crit: ['exp'] })}.${payload}.${signature}`,
      `${b64({ typ: ['dpop+jwt'], alg: 'ES256', jwk: key.jwk })}.${payload}.${signature}`,
      `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })}.${b64('"just a string"')}.${signature}`,
      'x'.repeat(9000),
      `${valid}\u00e9`,
    ];
    for (const proof of junk) {
      const answer = await rawPost(target.tokenEndpoint, passwordParameters(), { dpop: proof });
      expect({ proof: proof.slice(0, 40), status: answer.status }).toEqual({
        proof: proof.slice(0, 40),
        status: 400,
      });
      expect(JSON.parse(answer.body)).toMatchObject({ error: INVALID });
    }
  });
});

describe('server-provided nonces (RFC 9449 section 8), with dpop.requireNonce', () => {
  it('answers use_dpop_nonce with a DPoP-Nonce, takes a proof with it, and sends one on success', async () => {
    const target = await start({ dpop: { requireNonce: true } });
    const key = await dpopKey();
    const first = await passwordWithProof(target, await tokenProof(target, key));
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toEqual(expect.any(String));
    await expect(first).toBeOAuthError(
      400,
      'use_dpop_nonce',
      'Authorization server requires nonce in DPoP proof',
    );
    const second = await passwordWithProof(
      target,
      await tokenProof(target, key, { nonce: nonce! }),
    );
    expect(second.headers.get('dpop-nonce')).toEqual(expect.any(String));
    const body = await expectDpopTokens(second);
    expect(decodeJwt(body.access_token)['cnf']).toEqual({ jkt: key.jkt });
  });

  it('sends a DPoP-Nonce on every token answer, errors and Bearer answers included', async () => {
    const target = await start({ dpop: { requireNonce: true } });
    const bearer = await passwordWithProof(target, undefined);
    expect(bearer.headers.get('dpop-nonce')).toEqual(expect.any(String));
    const wrong = await passwordWithProof(target, undefined, { password: 'wrong' });
    expect(wrong.headers.get('dpop-nonce')).toEqual(expect.any(String));
  });

  it('refuses a nonce it did not issue, and checks the rest of the proof first', async () => {
    const target = await start({ dpop: { requireNonce: true } });
    const key = await dpopKey();
    await expect(
      await passwordWithProof(
        target,
        await tokenProof(target, key, { nonce: '1.AAAAAAAAAAAAAAAAAAAAAA' }),
      ),
    ).toBeOAuthError(400, 'use_dpop_nonce', 'DPoP proof nonce is not current');
    await expect(
      await passwordWithProof(target, await tokenProof(target, key, { htm: 'PUT' })),
    ).toBeOAuthError(400, INVALID, 'DPoP proof htm does not match the request method');
  });

  it("lets nonces expire on the mock's clock: accepted for one to two lifetimes", async () => {
    const target = await start({ dpop: { requireNonce: true, nonceLifetime: 60 } });
    await target.control.freezeClock();
    const key = await dpopKey();
    const nonce = (await passwordWithProof(target, undefined)).headers.get('dpop-nonce')!;
    await target.control.advanceClock(60);
    await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key, { nonce })),
    );
    await target.control.advanceClock(60);
    const stale = await passwordWithProof(target, await tokenProof(target, key, { nonce }));
    const fresh = stale.headers.get('dpop-nonce');
    expect(fresh).not.toBe(nonce);
    await expect(stale).toBeOAuthError(400, 'use_dpop_nonce', 'DPoP proof nonce is not current');
    await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key, { nonce: fresh! })),
    );
  });
});

describe('refresh tokens and DPoP (RFC 9449 section 5)', () => {
  it("binds a public client's refresh token to the key: refreshing needs a proof of that key", async () => {
    const target = await start();
    const key = await dpopKey();
    const { refresh_token: refreshToken } = await publicClientTokens(target, key);
    await expect(await refreshPublic(target, refreshToken!, undefined)).toBeOAuthError(
      403,
      'invalid_grant',
      'The refresh token is DPoP-bound: a DPoP proof of its key is required.',
    );
    const otherKey = await dpopKey();
    await expect(
      await refreshPublic(target, refreshToken!, await tokenProof(target, otherKey)),
    ).toBeOAuthError(
      403,
      'invalid_grant',
      'The DPoP proof key is not the key the refresh token is bound to.',
    );
    // The refused attempts did not spend the (rotating) token.
    const renewed = await expectDpopTokens(
      await refreshPublic(target, refreshToken!, await tokenProof(target, key)),
    );
    expect(decodeJwt(renewed.access_token)['cnf']).toEqual({ jkt: key.jkt });
    // The rotated token belongs to the same family, bound to the same key.
    await expect(
      await refreshPublic(target, renewed.refresh_token!, await tokenProof(target, otherKey)),
    ).toBeOAuthError(
      403,
      'invalid_grant',
      'The DPoP proof key is not the key the refresh token is bound to.',
    );
    await expectDpopTokens(
      await refreshPublic(target, renewed.refresh_token!, await tokenProof(target, key)),
    );
  });

  it("does not bind a confidential client's refresh token; a refresh with a proof gets a bound access token", async () => {
    const target = await start();
    const key = await dpopKey();
    const first = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key), {
        scope: 'read:sample offline_access',
      }),
    );
    const refresh = (proof: string | undefined) =>
      postForm(
        target.tokenEndpoint,
        {
          grant_type: 'refresh_token',
          client_id: TUTORIAL.clientId,
          client_secret: TUTORIAL.clientSecret,
          refresh_token: first.refresh_token!,
        },
        { headers: proof === undefined ? {} : { dpop: proof } },
      );
    const bearer = await expectTokens(await refresh(undefined));
    expect(decodeJwt(bearer.access_token)['cnf']).toBeUndefined();
    const otherKey = await dpopKey();
    const bound = await expectDpopTokens(await refresh(await tokenProof(target, otherKey)));
    expect(decodeJwt(bound.access_token)['cnf']).toEqual({ jkt: otherKey.jkt });
  });

  it('leaves refresh tokens unbound when the access token is Bearer (an API without DPoP)', async () => {
    const target = await start({ apis: [dpopApi('none')] });
    const key = await dpopKey();
    const response = await postForm(target.tokenEndpoint, publicClientParameters(), {
      headers: { dpop: await tokenProof(target, key) },
    });
    const body = await expectTokens(response);
    const refreshed = await expectTokens(
      await refreshPublic(target, body.refresh_token!, undefined),
    );
    expect(decodeJwt(refreshed.access_token)['cnf']).toBeUndefined();
  });
});

describe('a client with require_proof_of_possession (Auth0\'s "Require Sender Constraining")', () => {
  const requiring = {
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    grantTypes: [GrantType.password, GrantType.refreshToken],
    requireProofOfPossession: true,
  };

  it('is refused a token without a proof, and gets DPoP tokens with one', async () => {
    const target = await start({ clients: [requiring] });
    await expect(await passwordWithProof(target, undefined)).toBeOAuthError(
      400,
      'invalid_request',
      'A DPoP proof is required: the application requires sender-constrained tokens.',
    );
    await expect(
      await passwordWithProof(target, undefined, { audience: undefined, scope: 'openid' }),
    ).toBeOAuthError(
      400,
      'invalid_request',
      'A DPoP proof is required: the application requires sender-constrained tokens.',
    );
    const key = await dpopKey();
    const body = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key)),
    );
    expect(decodeJwt(body.access_token)['cnf']).toEqual({ jkt: key.jkt });
  });

  it("is refused a token for an API whose policy is 'none', even with a proof", async () => {
    const target = await start({ clients: [requiring], apis: [dpopApi('none')] });
    await expect(
      await passwordWithProof(target, await tokenProof(target, await dpopKey())),
    ).toBeOAuthError(
      400,
      'invalid_request',
      `The application requires sender-constrained tokens, which the API does not issue: ${TUTORIAL.audience}`,
    );
  });

  it('can be set through the control API', async () => {
    const target = await start();
    await target.control.setClient(requiring);
    await expect(await passwordWithProof(target, undefined)).toBeOAuthError(
      400,
      'invalid_request',
      'A DPoP proof is required: the application requires sender-constrained tokens.',
    );
  });
});

describe('DPoP at /oauth/revoke and /userinfo', () => {
  it('revocation checks a proof when one is sent, and needs none', async () => {
    const target = await start();
    const key = await dpopKey();
    const revoke = `${target.url}/oauth/revoke`;
    const tokens = await expectDpopTokens(
      await postForm(target.tokenEndpoint, publicClientParameters(), {
        headers: { dpop: await tokenProof(target, key) },
      }),
    );
    await expect(
      await postForm(revoke, revocationForm(tokens.refresh_token!), {
        headers: { dpop: await dpopProof(target, key, { htu: target.tokenEndpoint }) },
      }),
    ).toBeOAuthError(400, INVALID, 'DPoP proof htu does not match the request URI');
    const revoked = await postForm(revoke, revocationForm(tokens.refresh_token!), {
      headers: { dpop: await dpopProof(target, key, { htu: revoke }) },
    });
    expect(revoked.status).toBe(200);
    const withoutProof = await postForm(revoke, revocationForm(tokens.refresh_token!));
    expect(withoutProof.status).toBe(200);
  });

  it('/userinfo takes a DPoP-bound token with the DPoP scheme and a proof with ath (section 7)', async () => {
    const target = await start();
    const key = await dpopKey();
    const { access_token: accessToken } = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key), {
        scope: 'openid read:sample',
      }),
    );
    const userinfo = `${target.url}/userinfo`;
    const get = (authorization: string, proof?: string) =>
      fetch(userinfo, {
        headers: { authorization, ...(proof === undefined ? {} : { dpop: proof }) },
      });
    const ok = await get(
      `DPoP ${accessToken}`,
      await dpopProof(target, key, { htm: 'GET', htu: userinfo, accessToken }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sub: expect.stringMatching(/^auth0\|/) });

    const asBearer = await get(`Bearer ${accessToken}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toBe(
      'Bearer realm="Users", error="invalid_token"',
    );

    const noAth = await get(
      `DPoP ${accessToken}`,
      await dpopProof(target, key, { htm: 'GET', htu: userinfo }),
    );
    expect(noAth.status).toBe(401);
    expect(noAth.headers.get('www-authenticate')).toMatch(
      /^DPoP realm="Users", error="invalid_dpop_proof", algs="ES256 /,
    );

    const otherKey = await dpopKey();
    const wrongKey = await get(
      `DPoP ${accessToken}`,
      await dpopProof(target, otherKey, { htm: 'GET', htu: userinfo, accessToken }),
    );
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const noProof = await get(`DPoP ${accessToken}`);
    expect(noProof.headers.get('www-authenticate')).toMatch(/error="invalid_dpop_proof"/);
  });

  it('/userinfo refuses a Bearer token sent with the DPoP scheme', async () => {
    const target = await start();
    const key = await dpopKey();
    const { access_token: accessToken } = await expectTokens(
      await passwordWithProof(target, undefined, { scope: 'openid read:sample' }),
    );
    const userinfo = `${target.url}/userinfo`;
    const response = await fetch(userinfo, {
      headers: {
        authorization: `DPoP ${accessToken}`,
        dpop: await dpopProof(target, key, { htm: 'GET', htu: userinfo, accessToken }),
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

describe("the 'dpop-binding' fault", () => {
  it('re-signs the next DPoP-bound access token with a cnf.jkt of no key; Bearer answers leave it queued', async () => {
    const target = await start();
    await target.control.queueFault({ kind: 'dpop-binding', endpoint: '/oauth/token' });
    await expectTokens(await passwordWithProof(target, undefined));
    const key = await dpopKey();
    const body = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key)),
    );
    const { payload } = await jwtVerify(
      body.access_token,
      createRemoteJWKSet(new URL(target.jwksUri)),
      { issuer: target.issuer, audience: TUTORIAL.audience },
    );
    const jkt = (payload['cnf'] as { jkt: string }).jkt;
    expect(jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(jkt).not.toBe(key.jkt);
    const log = await target.control.requests();
    expect(
      log.filter((entry) => entry.path === '/oauth/token').map((entry) => entry.fault),
    ).toEqual([undefined, 'dpop-binding']);
    const next = await expectDpopTokens(
      await passwordWithProof(target, await tokenProof(target, key)),
    );
    expect(decodeJwt(next.access_token)['cnf']).toEqual({ jkt: key.jkt });
  });

  it('is for the token endpoint only', async () => {
    const target = await start();
    await expect(
      target.control.queueFault({ kind: 'dpop-binding', endpoint: '/userinfo' as '/oauth/token' }),
    ).rejects.toThrow(
      '"fault.endpoint" must be "/oauth/token" for a dpop-binding fault: only the token endpoint issues access tokens',
    );
  });
});

describe('DPoP options are validated at start', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'dpop.requireNonce',
      { dpop: { requireNonce: 'yes' } },
      '"dpop.requireNonce" must be a boolean',
    ],
    [
      'dpop.nonceLifetime',
      { dpop: { nonceLifetime: 0 } },
      '"dpop.nonceLifetime" must be an integer from 1 to 86400 seconds',
    ],
    ['dpop (unknown member)', { dpop: { nonce: true } }, 'Unknown option "dpop.nonce"'],
    [
      'apis[0].proofOfPossession',
      { apis: [{ identifier: 'x', proofOfPossession: 'always' }] },
      '"apis[0].proofOfPossession" must be one of: none, allowed, required',
    ],
    [
      'clients[0].requireProofOfPossession',
      { clients: [{ clientId: 'c', requireProofOfPossession: 1 }] },
      '"clients[0].requireProofOfPossession" must be a boolean',
    ],
  ])('%s', async (_, config, message) => {
    await expect(startTutorial(config)).rejects.toThrow(message);
  });
});
