import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BearerError,
  MemoryDpopReplayStore,
  accessTokenHash,
  createAccessTokenVerifier,
  jwkThumbprint,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type BearerRequest,
} from '../../src/index.js';
import { renderBearerError } from '../../src/adapter.js';
import { useJwksFixture } from '../support/fixture.js';

const f = useJwksFixture();

/** A client's DPoP key pair. */
interface ProofKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}
async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

interface ProofRecipe {
  key: ProofKey;
  htm?: string;
  htu: string;
  token?: string;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  alg?: string;
}
async function proof(recipe: ProofRecipe): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: recipe.htm ?? 'GET',
    htu: recipe.htu,
    iat: Math.floor(Date.now() / 1000),
    ...(recipe.token === undefined ? {} : { ath: accessTokenHash(recipe.token) }),
    ...recipe.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: recipe.alg ?? 'ES256',
      typ: 'dpop+jwt',
      jwk: recipe.key.jwk,
      ...recipe.header,
    })
    .sign(recipe.key.privateKey);
}

/** An API on 127.0.0.1 answering with core's rendering; its verifier is swapped per test. */
let api: Server;
let origin = '';
let verifier: AccessTokenVerifier;
const url = (path = '/api/private'): string => `${origin}${path}`;

function bearerRequestOf(req: IncomingMessage): BearerRequest {
  return {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    originalUrl: req.url,
    secure: false,
  };
}

beforeAll(async () => {
  api = createServer((req, res) => {
    verifier.authenticate(bearerRequestOf(req)).then(
      (verified) => res.writeHead(200).end(JSON.stringify({ sub: verified.payload.sub })),
      (error: unknown) => {
        if (error instanceof BearerError) {
          const answer = renderBearerError(error);
          res.writeHead(answer.status, answer.headers).end(answer.body);
        } else res.writeHead(500).end(String(error));
      },
    );
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => {
  api.close();
});

function use(options: Partial<AccessTokenVerifierOptions>): AccessTokenVerifier {
  verifier = f.verifier(options);
  return verifier;
}

async function call(headers: Record<string, string>, path?: string, method = 'GET') {
  const response = await fetch(url(path), { method, headers });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    nonce: response.headers.get('dpop-nonce'),
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, string>),
  };
}

/** A token bound to `key` (RFC 9449 section 6.1). */
const boundToken = (key: ProofKey) => f.sign({ claims: { cnf: { jkt: key.jkt } } });

describe('RFC 9449 section 7.1: the DPoP scheme, with a proof', () => {
  it('accepts a bound token with a valid proof of its key, as often as fresh proofs come', async () => {
    use({ dpop: { mode: 'allowed' } });
    const key = await proofKey();
    const token = await boundToken(key);
    for (let i = 0; i < 3; i++) {
      const answer = await call({
        authorization: `DPoP ${token}`,
        dpop: await proof({ key, htu: url(), token }),
      });
      expect(answer).toMatchObject({ status: 200, body: { sub: 'auth0|user-1' } });
    }
  });

  it('ignores the query and fragment of htu, and normalizes its case and default port', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    const port = new URL(origin).port;
    const htu = `HTTP://127.0.0.1:${port}/api/%7Eprivate?x=1#y`;
    const answer = await call(
      { authorization: `DPoP ${token}`, dpop: await proof({ key, htu, token }) },
      '/api/~private?other=2',
    );
    expect(answer.status).toBe(200);
  });

  it('accepts the proof algorithms on the list: ES384, PS256, EdDSA', async () => {
    use({ dpop: {} });
    for (const alg of ['ES384', 'PS256', 'EdDSA']) {
      const key = await proofKey(alg);
      const token = await boundToken(key);
      const answer = await call({
        authorization: `DPoP ${token}`,
        dpop: await proof({ key, alg, htu: url(), token }),
      });
      expect({ alg, status: answer.status }).toEqual({ alg, status: 200 });
    }
  });

  it('the thumbprint core computes is RFC 7638 as jose computes it', async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA', 'ES512']) {
      const key = await proofKey(alg);
      expect(jwkThumbprint({ ...key.jwk, kid: 'extra', use: 'sig' })).toBe(key.jkt);
    }
  });
});

describe('RFC 9449 section 4.3: each rule of a proof, answered invalid_dpop_proof', () => {
  const cases: [string, (key: ProofKey, token: string) => Promise<string>, string][] = [
    [
      'typ other than dpop+jwt',
      (key, token) => proof({ key, htu: url(), token, header: { typ: 'JWT' } }),
      'DPoP proof type is not dpop+jwt',
    ],
    [
      'no jwk header',
      (key, token) => proof({ key, htu: url(), token, header: { jwk: undefined } }),
      'DPoP proof has no jwk header',
    ],
    [
      'a jwk with a private member',
      async (key, token) =>
        proof({ key, htu: url(), token, header: { jwk: { ...key.jwk, d: 'AAAA' } } }),
      'DPoP proof key is not a usable public key',
    ],
    [
      'a signature by another key',
      async (key, token) =>
        proof({ key: { ...(await proofKey()), jwk: key.jwk }, htu: url(), token }),
      'DPoP proof signature is invalid',
    ],
    [
      'htm of another method',
      (key, token) => proof({ key, htm: 'POST', htu: url(), token }),
      "DPoP proof claim 'htm' does not match the request",
    ],
    [
      'htm in lower case',
      (key, token) => proof({ key, htm: 'get', htu: url(), token }),
      "DPoP proof claim 'htm' does not match the request",
    ],
    [
      'htu of another path',
      (key, token) => proof({ key, htu: url('/api/other'), token }),
      "DPoP proof claim 'htu' does not match the request",
    ],
    [
      'htu of another host',
      (key, token) => proof({ key, htu: 'https://api.example.com/api/private', token }),
      "DPoP proof claim 'htu' does not match the request",
    ],
    [
      'htu that is not a URL',
      (key, token) => proof({ key, htu: 'not a url', token }),
      "DPoP proof claim 'htu' does not match the request",
    ],
    [
      'iat older than the window',
      (key, token) =>
        proof({ key, htu: url(), token, claims: { iat: Math.floor(Date.now() / 1000) - 301 } }),
      'DPoP proof is outside its time window',
    ],
    [
      'iat in the future beyond the leeway',
      (key, token) =>
        proof({ key, htu: url(), token, claims: { iat: Math.floor(Date.now() / 1000) + 60 } }),
      'DPoP proof is outside its time window',
    ],
    [
      'iat not a number',
      (key, token) => proof({ key, htu: url(), token, claims: { iat: '1700000000' } }),
      "DPoP proof claim 'iat' is missing or malformed",
    ],
    [
      'no jti',
      (key, token) => proof({ key, htu: url(), token, claims: { jti: undefined } }),
      "DPoP proof claim 'jti' is missing or malformed",
    ],
    [
      'no ath',
      (key) => proof({ key, htu: url() }),
      "DPoP proof claim 'ath' does not match the access token",
    ],
    [
      'ath of another token',
      (key) => proof({ key, htu: url(), token: 'another.token.value' }),
      "DPoP proof claim 'ath' does not match the access token",
    ],
    ['a proof that is not a JWS', async () => 'not-a-jws', 'DPoP proof is malformed'],
  ];
  for (const [name, make, description] of cases) {
    it(`refuses ${name}`, async () => {
      use({ dpop: {} });
      const key = await proofKey();
      const token = await boundToken(key);
      const answer = await call({ authorization: `DPoP ${token}`, dpop: await make(key, token) });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
      expect(answer.challenge).toContain(`DPoP realm="api", algs="`);
      expect(answer.challenge).toContain(`error="invalid_dpop_proof"`);
    });
  }

  it('refuses alg none and HS256 before any key is read', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    const good = await proof({ key, htu: url(), token });
    const [, payload] = good.split('.');
    for (const alg of ['none', 'HS256']) {
      const header = Buffer.from(JSON.stringify({ alg, typ: 'dpop+jwt', jwk: key.jwk })).toString(
        'base64url',
      );
      const answer = await call({
        authorization: `DPoP ${token}`,
        dpop: `${header}.${payload}.c2ln`,
      });
      expect({ alg, description: answer.body?.error_description }).toEqual({
        alg,
        description: 'DPoP proof algorithm is not allowed',
      });
    }
  });

  it('refuses a proof algorithm left off the configured list', async () => {
    use({ dpop: { algorithms: ['ES256'] } });
    const key = await proofKey('PS256');
    const token = await boundToken(key);
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, alg: 'PS256', htu: url(), token }),
    });
    expect(answer.body?.error_description).toBe('DPoP proof algorithm is not allowed');
    expect(answer.challenge).toContain('algs="ES256"');
  });

  it('section 11.1: accepts a proof once; a replay is refused', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    const dpop = await proof({ key, htu: url(), token });
    expect((await call({ authorization: `DPoP ${token}`, dpop })).status).toBe(200);
    const replay = await call({ authorization: `DPoP ${token}`, dpop });
    expect(replay).toMatchObject({
      status: 401,
      body: { error: 'invalid_dpop_proof', error_description: 'DPoP proof was used before' },
    });
  });

  it('step 1: refuses two DPoP headers', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    const dpop = await proof({ key, htu: url(), token });
    const { port } = new URL(origin);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `GET /api/private HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: DPoP ${token}\r\nDPoP: ${dpop}\r\nDPoP: ${dpop}\r\nConnection: close\r\n\r\n`,
    );
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    expect(text).toMatch(/^HTTP\/1.1 401/);
    expect(text).toContain('More than one DPoP proof');
  });
});

describe('RFC 9449 section 7: the token binding and the schemes', () => {
  it('section 7.1: a proof by another key than the token is bound to is invalid_token', async () => {
    use({ dpop: {} });
    const token = await boundToken(await proofKey());
    const other = await proofKey();
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key: other, htu: url(), token }),
    });
    expect(answer).toMatchObject({
      status: 401,
      body: { error: 'invalid_token', error_description: 'Token is bound to another DPoP key' },
    });
    expect(answer.challenge).toBe(
      `Bearer realm="api", DPoP realm="api", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA", error="invalid_token", error_description="Token is bound to another DPoP key"`,
    );
  });

  it('section 7.2: a bound token sent as Bearer is refused, after a cache hit too', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    for (let i = 0; i < 2; i++) {
      expect(
        (
          await call({
            authorization: `DPoP ${token}`,
            dpop: await proof({ key, htu: url(), token }),
          })
        ).status,
      ).toBe(200);
    }
    for (let i = 0; i < 2; i++) {
      const answer = await call({ authorization: `Bearer ${token}` });
      expect(answer).toMatchObject({
        status: 401,
        body: {
          error: 'invalid_token',
          error_description: 'DPoP-bound token was sent with the Bearer scheme',
        },
      });
      expect(answer.challenge).toMatch(
        /^Bearer realm="api", error="invalid_token", .*, DPoP realm="api", algs="[^"]+"$/,
      );
    }
    expect(
      verifier.authenticateCached({ headers: { authorization: `Bearer ${token}` } }),
    ).toBeUndefined();
  });

  it('the cache never lets a bound token skip its proof', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    expect(
      (
        await call({
          authorization: `DPoP ${token}`,
          dpop: await proof({ key, htu: url(), token }),
        })
      ).status,
    ).toBe(200);
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key: await proofKey(), htu: url(), token }),
    });
    expect(answer.status).toBe(401);
    expect((await call({ authorization: `DPoP ${token}` })).status).toBe(400);
  });

  it('an unbound token goes as Bearer (also from the cache), not as DPoP', async () => {
    use({ dpop: {} });
    const token = await f.sign();
    // The cache admits a token on its second sight.
    for (let i = 0; i < 2; i++)
      expect((await call({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(
      verifier.authenticateCached({ headers: { authorization: `Bearer ${token}` } }),
    ).toBeDefined();
    const key = await proofKey();
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    expect(answer).toMatchObject({
      status: 401,
      body: { error: 'invalid_token', error_description: 'Token is not DPoP-bound' },
    });
  });

  it('a Bearer request with a DPoP proof, and a DPoP request without one, are invalid_request', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await f.sign();
    const withProof = await call({
      authorization: `Bearer ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    expect(withProof).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const bound = await boundToken(key);
    const noProof = await call({ authorization: `DPoP ${bound}` });
    expect(noProof).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'The DPoP scheme came without a DPoP proof',
      },
    });
    expect(noProof.challenge).toContain('DPoP realm="api", algs="ES256');
  });

  it('without credentials, both schemes are challenged, neither with an error', async () => {
    use({ dpop: { algorithms: ['ES256', 'EdDSA'] } });
    const answer = await call({});
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe('Bearer realm="api", DPoP realm="api", algs="ES256 EdDSA"');
  });

  it('mode required: only DPoP is challenged; a Bearer token is answered as no credentials', async () => {
    use({ dpop: { mode: 'required', algorithms: ['ES256'] } });
    const token = await f.sign();
    const answer = await call({ authorization: `Bearer ${token}` });
    expect(answer).toMatchObject({ status: 401, challenge: 'DPoP realm="api", algs="ES256"' });
    const key = await proofKey();
    const bound = await boundToken(key);
    expect(
      (
        await call({
          authorization: `DPoP ${bound}`,
          dpop: await proof({ key, htu: url(), token: bound }),
        })
      ).status,
    ).toBe(200);
  });

  it('mode off (the default): the DPoP scheme is not read, a bound token passes as Bearer', async () => {
    use({});
    const key = await proofKey();
    const bound = await boundToken(key);
    expect((await call({ authorization: `Bearer ${bound}` })).status).toBe(200);
    const answer = await call({
      authorization: `DPoP ${bound}`,
      dpop: await proof({ key, htu: url(), token: bound }),
    });
    expect(answer).toMatchObject({ status: 401, challenge: 'Bearer realm="api"' });
  });
});

describe('RFC 9449 section 9: server nonces', () => {
  const secret = 'a nonce secret of at least thirty-two bytes';

  it('a proof without a nonce gets use_dpop_nonce and a nonce; the retry with it passes', async () => {
    use({ dpop: { nonce: { secret } } });
    const key = await proofKey();
    const token = await boundToken(key);
    const first = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    expect(first).toMatchObject({ status: 401, body: { error: 'use_dpop_nonce' } });
    expect(first.challenge).toContain('error="use_dpop_nonce"');
    expect(first.nonce).toMatch(/^\d+\.[\w-]{22}$/);
    const retry = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token, claims: { nonce: first.nonce } }),
    });
    expect(retry.status).toBe(200);
  });

  it('a nonce made with another secret, or a made-up one, is not accepted', async () => {
    use({ dpop: { nonce: { secret: 'another secret that is also long enough!!' } } });
    const key = await proofKey();
    const token = await boundToken(key);
    const { nonce } = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    use({ dpop: { nonce: { secret } } });
    for (const bad of [nonce, '0.AAAAAAAAAAAAAAAAAAAAAA', 'x'.repeat(100)]) {
      const answer = await call({
        authorization: `DPoP ${token}`,
        dpop: await proof({ key, htu: url(), token, claims: { nonce: bad } }),
      });
      expect(answer.body?.error).toBe('use_dpop_nonce');
    }
  });

  it('a nonce stops being accepted after two lifetimes', async () => {
    let now = Date.now();
    use({ dpop: { nonce: { secret, lifetime: 60 } }, clock: () => now });
    const key = await proofKey();
    const token = await f.sign({ claims: { cnf: { jkt: key.jkt } } });
    const { nonce } = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    now += 121_000;
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token, claims: { nonce, iat: Math.floor(now / 1000) } }),
    });
    expect(answer.body?.error).toBe('use_dpop_nonce');
    expect(answer.nonce).not.toBe(nonce);
  });
});

describe('the request URI behind a proxy, and the replay store', () => {
  it('publicOrigin is what htu must name; the Host header and X-Forwarded-Host are not', async () => {
    use({ dpop: { publicOrigin: 'https://api.example.com' } });
    const key = await proofKey();
    const token = await boundToken(key);
    const good = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: 'https://api.example.com/api/private', token }),
    });
    expect(good.status).toBe(200);
    const local = await call({
      authorization: `DPoP ${token}`,
      'x-forwarded-host': '127.0.0.1',
      dpop: await proof({ key, htu: url(), token }),
    });
    expect(local.body?.error_description).toBe("DPoP proof claim 'htu' does not match the request");
  });

  it('without publicOrigin, X-Forwarded-Host does not change the URI', async () => {
    use({ dpop: {} });
    const key = await proofKey();
    const token = await boundToken(key);
    const answer = await call({
      authorization: `DPoP ${token}`,
      'x-forwarded-host': 'api.example.com',
      dpop: await proof({ key, htu: 'http://api.example.com/api/private', token }),
    });
    expect(answer.body?.error_description).toBe(
      "DPoP proof claim 'htu' does not match the request",
    );
  });

  it('a replay store that fails answers 503, not 401 and not a pass', async () => {
    use({ dpop: { replayStore: { claim: () => Promise.reject(new Error('down')) } } });
    const key = await proofKey();
    const token = await boundToken(key);
    const answer = await call({
      authorization: `DPoP ${token}`,
      dpop: await proof({ key, htu: url(), token }),
    });
    expect(answer).toMatchObject({
      status: 503,
      challenge: null,
      body: { error: 'temporarily_unavailable' },
    });
  });

  it('a shared replay store: a proof accepted by one verifier is refused by another', async () => {
    const replayStore = new MemoryDpopReplayStore();
    const key = await proofKey();
    const token = await boundToken(key);
    const dpop = await proof({ key, htu: url(), token });
    use({ dpop: { replayStore } });
    expect((await call({ authorization: `DPoP ${token}`, dpop })).status).toBe(200);
    use({ dpop: { replayStore } });
    expect((await call({ authorization: `DPoP ${token}`, dpop })).body?.error_description).toBe(
      'DPoP proof was used before',
    );
  });

  it('the memory replay store stays within its bound, dropping the oldest entry', () => {
    let now = 1_000;
    const store = new MemoryDpopReplayStore(3, () => now);
    for (const key of ['a', 'b', 'c']) expect(store.claim(key, 10_000)).toBe(true);
    expect(store.claim('a', 10_000)).toBe(false);
    expect(store.claim('d', 10_000)).toBe(true);
    expect(store.claim('a', 10_000)).toBe(true);
    now = 20_000;
    expect(store.claim('d', 30_000)).toBe(true);
  });
});

describe('the dpop option is checked when the verifier is created', () => {
  const cases: [unknown, string][] = [
    ['yes', '"dpop" must be an object'],
    [{ mode: 'sometimes' }, '"dpop.mode" must be "off", "allowed" or "required"'],
    [{ algorithms: ['HS256'] }, '"dpop.algorithms" must be a non-empty array'],
    [{ algorithms: [] }, '"dpop.algorithms" must be a non-empty array'],
    [{ iatWindow: 0 }, '"dpop.iatWindow" must be a positive number of seconds'],
    [{ iatLeeway: -1 }, '"dpop.iatLeeway" must be a non-negative number of seconds'],
    [
      { publicOrigin: 'https://api.example.com/path' },
      '"dpop.publicOrigin" must be an http(s) origin',
    ],
    [{ publicOrigin: 'ftp://api.example.com' }, '"dpop.publicOrigin" must be an http(s) origin'],
    [{ replayStore: {} }, '"dpop.replayStore" must be an object with a claim'],
    [
      { nonce: { secret: 'short-secret-value' } },
      '"dpop.nonce.secret" must be a string or bytes of at least 32 bytes',
    ],
    [{ nonce: { secret: 'x'.repeat(32), ttl: 5 } }, 'Unknown option "dpop.nonce.ttl"'],
    [{ iatOffset: 300 }, 'Unknown dpop option "iatOffset"'],
  ];
  for (const [dpop, message] of cases) {
    it(`refuses ${JSON.stringify(dpop)}`, () => {
      expect(() =>
        createAccessTokenVerifier({
          issuer: 'https://issuer.example/',
          audience: 'a',
          dpop: dpop as never,
        }),
      ).toThrow(message);
    });
  }

  it('never puts the nonce secret in an error', () => {
    const secret = 'SECRET-'.repeat(3);
    expect(() =>
      createAccessTokenVerifier({
        issuer: 'https://issuer.example/',
        audience: 'a',
        dpop: { nonce: { secret } },
      }),
    ).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET') as unknown }),
    );
  });
});
