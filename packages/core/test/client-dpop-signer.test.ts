import { createHash, createPrivateKey, generateKeyPairSync, generateKeySync } from 'node:crypto';
import { inspect } from 'node:util';
import {
  EmbeddedJWK,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  jwtVerify,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenClient } from '../src/index.js';
import { parseChallenges, challengeError } from '../src/client/auth-challenges.js';
import { DpopHandle } from '../src/dpop/dpop-handle.js';
import { DpopNonceMemory } from '../src/dpop/dpop-nonce-memory.js';
import {
  DPOP_SIGNING_ALGORITHMS,
  DpopProofSigner,
  proofTarget,
} from '../src/dpop/dpop-proof-signer.js';

const NOW = 1_750_000_000_000;
const clock = () => NOW;

/** Every member a private JWK has that a public one must not (RFC 7517 section 6, 7518 6.3.2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** What `run` throws, or `undefined`. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Verifies a proof as a resource server would, with jose and the key the proof carries. */
async function verified(proof: string, alg: string) {
  return jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [alg] });
}

function privateJwkOf(alg: 'ES256' | 'EdDSA' | 'RS256') {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair, jwk: pair.privateKey.export({ format: 'jwk' }) };
}

describe('RFC 9449 section 4.2: the proof a DpopProofSigner makes', () => {
  it.each(DPOP_SIGNING_ALGORITHMS)(
    '%s: typ dpop+jwt, the public jwk only, verified with the key it carries',
    async (alg) => {
      const signer = new DpopProofSigner({ alg }, clock);
      const proof = signer.proof({ method: 'POST', url: 'https://as.example/oauth/token' });
      const header = decodeProtectedHeader(proof);
      expect(Object.keys(header).toSorted()).toEqual(['alg', 'jwk', 'typ']);
      expect(header.typ).toBe('dpop+jwt');
      expect(header.alg).toBe(alg);
      for (const member of PRIVATE_MEMBERS) expect(header.jwk).not.toHaveProperty(member);
      expect(header.jwk).toEqual(signer.publicJwk);
      const { payload } = await verified(proof, alg);
      expect(Object.keys(payload).toSorted()).toEqual(['htm', 'htu', 'iat', 'jti']);
      // RFC 7638 thumbprint, as jose computes it: what a bound token's cnf.jkt holds.
      expect(signer.thumbprint).toBe(await calculateJwkThumbprint(header.jwk ?? {}));
    },
  );

  it('claims: a fresh jti of 128 bits, htm, htu without query, fragment or user, iat, ath, nonce', async () => {
    const signer = new DpopProofSigner({}, clock);
    const token = 'eyJ.access-token~+/=';
    const proof = signer.proof({
      method: 'PATCH',
      url: 'https://user:password@api.example:443/a/b%20c?x=1#frag',
      accessToken: token,
      nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v',
    });
    const { payload } = await verified(proof, 'ES256');
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[\w-]{22}$/),
      htm: 'PATCH',
      htu: 'https://api.example/a/b%20c',
      iat: NOW / 1000,
      ath: createHash('sha256').update(token).digest('base64url'),
      nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v',
    });
    expect(proof).not.toContain(Buffer.from('password').toString('base64url'));
    const jtis = new Set(
      Array.from({ length: 200 }, () =>
        String(
          JSON.parse(
            Buffer.from(
              signer.proof({ method: 'GET', url: 'https://a.example/' }).split('.')[1] ?? '',
              'base64url',
            ).toString(),
          )['jti'],
        ),
      ),
    );
    expect(jtis.size).toBe(200);
  });

  it('iat follows the clock it was given, floored to seconds', async () => {
    let now = NOW + 999;
    const signer = new DpopProofSigner({}, () => now);
    expect(
      (await verified(signer.proof({ method: 'GET', url: 'https://a.example' }), 'ES256')).payload
        .iat,
    ).toBe(NOW / 1000);
    now += 61_000;
    expect(
      (await verified(signer.proof({ method: 'GET', url: 'https://a.example' }), 'ES256')).payload
        .iat,
    ).toBe(NOW / 1000 + 61);
  });

  it('htu: the origin and path as URL normalises them (section 4.3)', () => {
    expect(proofTarget('HTTPS://AS.Example:443/oauth/token?x#y')).toBe(
      'https://as.example/oauth/token',
    );
    expect(proofTarget('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/');
    expect(proofTarget(new URL('http://[::1]:80/p?q'))).toBe('http://[::1]/p');
    expect(() => proofTarget('/relative')).toThrow('"url" must be an absolute http: or https: URL');
    expect(() => proofTarget('ftp://a.example/')).toThrow(TypeError);
  });

  it('refuses what cannot go in a proof: a method with a space, a nonce with a quote, a token with a space', () => {
    const signer = new DpopProofSigner({}, clock);
    const url = 'https://a.example/';
    expect(() => signer.proof({ method: 'GET /', url })).toThrow('"method" must be an HTTP method');
    expect(() => signer.proof({ method: 'GET', url, nonce: 'a"b' })).toThrow('"nonce"');
    expect(() => signer.proof({ method: 'GET', url, accessToken: 'a b' })).toThrow('"accessToken"');
  });
});

describe('the key: a KeyObject, a private JWK, or generated; checked against alg', () => {
  it('signs with a given KeyObject, defaulting alg from its curve or type', async () => {
    const cases = [
      [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256'],
      [generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ES384'],
      [generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, 'ES512'],
      [generateKeyPairSync('ed25519').privateKey, 'EdDSA'],
      [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256'],
    ] as const;
    for (const [privateKey, alg] of cases) {
      const signer = new DpopProofSigner({ privateKey }, clock);
      expect(signer.alg).toBe(alg);
      await verified(signer.proof({ method: 'GET', url: 'https://a.example/' }), alg);
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(new DpopProofSigner({ privateKey: rsa, alg: 'PS256' }, clock).alg).toBe('PS256');
  });

  it('signs with a private JWK, whose public half is the proof key', async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
      const { jwk, publicKey } = privateJwkOf(alg);
      const signer = new DpopProofSigner({ privateKey: jwk }, clock);
      expect(signer.alg).toBe(alg);
      expect(signer.publicJwk).toEqual(await exportJWK(publicKey));
      await verified(signer.proof({ method: 'GET', url: 'https://a.example/' }), alg);
    }
    // The JWK's own "alg" is the default, and must agree with the option.
    const rsa = privateJwkOf('RS256').jwk;
    expect(new DpopProofSigner({ privateKey: { ...rsa, alg: 'PS256' } }, clock).alg).toBe('PS256');
    expect(
      () => new DpopProofSigner({ privateKey: { ...rsa, alg: 'PS256' }, alg: 'RS256' }),
    ).toThrow('"dpop.privateKey" is a JWK for another algorithm than "RS256"');
  });

  it('refuses keys that do not fit, naming the option and never the key', () => {
    const p256 = privateJwkOf('ES256');
    const attempts: [unknown, string][] = [
      [{ alg: 'HS256' }, '"dpop.alg" must be one of ES256, ES384, ES512, RS256, PS256, EdDSA'],
      [{ alg: 'none' }, '"dpop.alg" must be one of'],
      [
        { privateKey: p256.jwk, alg: 'ES384' },
        '"dpop.privateKey" does not fit "ES384": it needs an EC P-384 key',
      ],
      [{ privateKey: p256.privateKey, alg: 'RS256' }, 'it needs an RSA key of at least 2048 bits'],
      [
        { privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey },
        'an RSA key of at least 2048 bits',
      ],
      [
        { privateKey: generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey },
        'a key type no DPoP algorithm here signs with',
      ],
      [
        { privateKey: generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey },
        'a key type no DPoP algorithm here signs with',
      ],
      [
        { privateKey: generateKeyPairSync('x25519').privateKey },
        'a key type no DPoP algorithm here signs with',
      ],
      [
        { privateKey: p256.publicKey },
        '"dpop.privateKey" must be a private key: this is a public key',
      ],
      [
        { privateKey: generateKeySync('hmac', { length: 256 }) },
        'a secret key cannot sign DPoP proofs',
      ],
      [
        { privateKey: p256.publicKey.export({ format: 'jwk' }) },
        'must be a private JWK (with "d"), not a public one',
      ],
      [{ privateKey: { kty: 'oct', k: 'c2VjcmV0', d: 'x' } }, 'must be an EC, RSA or OKP JWK'],
      [{ privateKey: { ...p256.jwk, d: 'not-a-key' } }, 'is not a usable private JWK'],
      [{ privateKey: 'PEM TEXT' }, 'must be a private KeyObject or a private JWK'],
      ['yes', '"dpop" must be an object'],
    ];
    for (const [options, message] of attempts) {
      const caught = thrown(() => new DpopProofSigner(options as never, clock));
      expect(caught).toBeInstanceOf(TypeError);
      const text = (caught as TypeError).message;
      expect(text).toContain(message);
      expect(text).not.toContain(String(p256.jwk.d));
    }
  });

  it('a JWK whose d is not the private half of its public members is refused, unquoted', () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
      const { jwk } = privateJwkOf(alg);
      const other = privateJwkOf(alg).jwk;
      // EC and OKP: another d; RSA: the other key's private members with this key's n.
      const wrong = alg === 'RS256' ? { ...other, n: jwk.n, e: jwk.e } : { ...jwk, d: other.d };
      const caught = thrown(() => new DpopProofSigner({ privateKey: wrong }, clock));
      expect(caught).toBeInstanceOf(TypeError);
      const { message } = caught as TypeError;
      expect(message).toMatch(
        /^"dpop\.privateKey" (is not a usable private JWK|cannot sign "\w+" proofs its public key verifies)$/,
      );
      expect(message).not.toContain(String(other.d));
    }
  });
});

describe('the private key never shows', () => {
  it('is absent from util.inspect, JSON and String() of the signer, the handle and the client', () => {
    const { jwk, privateKey } = privateJwkOf('ES256');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const pemBody = pem.split('\n')[1] ?? '';
    const signer = new DpopProofSigner({ privateKey: jwk }, clock);
    const handle = new DpopHandle(signer);
    const client = new TokenClient({
      tokenEndpoint: 'https://as.example/oauth/token',
      clientId: 'c',
      dpop: { privateKey: createPrivateKey(pem) },
    });
    const views = [
      inspect(signer, { depth: 10, showHidden: true }),
      inspect(handle, { depth: 10, showHidden: true }),
      inspect(client, { depth: 10, showHidden: true }),
      inspect(client.dpop, { depth: 10, showHidden: true }),
      JSON.stringify(signer),
      JSON.stringify(handle),
      JSON.stringify(client),
      JSON.stringify({ dpop: client.dpop }),
      String(signer),
      signer.toString(),
    ];
    for (const view of views) {
      expect(view).not.toContain(String(jwk.d));
      expect(view).not.toContain(pemBody);
      expect(view).not.toMatch(/"d"|\bd:/);
    }
    expect(JSON.parse(JSON.stringify(signer))).toEqual({
      alg: 'ES256',
      thumbprint: signer.thumbprint,
    });
    expect(inspect(handle)).toBe(`DpopHandle { alg: ES256, thumbprint: ${signer.thumbprint} }`);
  });
});

describe('RFC 9449 section 8 and 9: the nonces a handle keeps', () => {
  it('keeps the last DPoP-Nonce per origin and puts it in the next proof to that origin', async () => {
    const handle = new DpopHandle(new DpopProofSigner({}, clock));
    const nonceOf = async (url: string) =>
      (await verified(handle.proof('GET', url), 'ES256')).payload['nonce'];
    expect(await nonceOf('https://a.example/x')).toBeUndefined();
    expect(handle.rememberNonce('https://a.example/token', { 'dpop-nonce': 'n-1' })).toBe('n-1');
    expect(await nonceOf('https://a.example/other/path?q')).toBe('n-1');
    expect(await nonceOf('https://b.example/x')).toBeUndefined();
    expect(await nonceOf('https://a.example:8443/x')).toBeUndefined();
    handle.rememberNonce('https://a.example/', new Headers({ 'DPoP-Nonce': 'n-2' }));
    expect(await nonceOf('https://a.example/x')).toBe('n-2');
    // A header name in any case, as undici's request gives them lower-cased and others do not.
    handle.rememberNonce('https://a.example/', { 'DPoP-Nonce': 'n-3' });
    expect(await nonceOf('https://a.example/x')).toBe('n-3');
  });

  it('ignores a missing, empty or malformed nonce (section 8.1: 1*NQCHAR)', () => {
    const memory = new DpopNonceMemory();
    expect(memory.remember('https://a.example/', undefined)).toBeUndefined();
    expect(memory.remember('https://a.example/', '')).toBeUndefined();
    expect(memory.remember('https://a.example/', 'has space')).toBeUndefined();
    expect(memory.remember('https://a.example/', 'quo"te')).toBeUndefined();
    expect(memory.remember('https://a.example/', 'x'.repeat(1025))).toBeUndefined();
    expect(memory.size).toBe(0);
    expect(memory.remember('https://a.example/', ['first', 'second'])).toBe('first');
  });

  it('is bounded: the least recently used origin goes first', () => {
    const memory = new DpopNonceMemory(2);
    memory.remember('https://a.example/', 'a');
    memory.remember('https://b.example/', 'b');
    expect(memory.get('https://a.example/')).toBe('a');
    memory.remember('https://c.example/', 'c');
    expect(memory.size).toBe(2);
    expect(memory.get('https://b.example/')).toBeUndefined();
    expect(memory.get('https://a.example/')).toBe('a');
    expect(() => new DpopNonceMemory(0)).toThrow(TypeError);
  });
});

describe('WWW-Authenticate: each scheme its own parameters (RFC 9110 section 11.6.1)', () => {
  it('reads the DPoP challenge beside a Bearer one (RFC 9449 section 7.2)', () => {
    const header =
      'Bearer realm="api", error="invalid_token", error_description="a, b", DPoP realm="api", algs="ES256 PS256", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"';
    expect(challengeError(header, 'DPoP')).toBe('use_dpop_nonce');
    expect(challengeError(header, 'Bearer')).toBe('invalid_token');
    expect(parseChallenges(header).map((c) => c.scheme)).toEqual(['Bearer', 'DPoP']);
    expect(parseChallenges(header)[1]?.params).toEqual({
      realm: 'api',
      algs: 'ES256 PS256',
      error: 'use_dpop_nonce',
      error_description: 'Resource server requires nonce in DPoP proof',
    });
  });

  it('is case-insensitive in schemes and parameter names, reads tokens and quoted pairs', () => {
    expect(challengeError('dpop ERROR=use_dpop_nonce', 'DPoP')).toBe('use_dpop_nonce');
    expect(parseChallenges('DPoP error="a\\"b"')[0]?.params['error']).toBe('a"b');
    expect(challengeError('Basic realm="x", error="use_dpop_nonce"', 'DPoP')).toBeUndefined();
    expect(challengeError('Bearer error="use_dpop_nonce"', 'DPoP')).toBeUndefined();
    expect(challengeError(null, 'DPoP')).toBeUndefined();
    expect(parseChallenges('Negotiate abc==, DPoP error="x"').at(-1)).toEqual({
      scheme: 'DPoP',
      params: { error: 'x' },
    });
  });
});

describe('the "dpop" option of TokenClient: validated at construction', () => {
  const base = { tokenEndpoint: 'https://as.example/oauth/token', clientId: 'c' };

  it('is off by default and with false; true generates an ES256 key', () => {
    expect(new TokenClient(base).dpop).toBeUndefined();
    expect(new TokenClient({ ...base, dpop: false }).dpop).toBeUndefined();
    const client = new TokenClient({ ...base, dpop: true });
    expect(client.dpop?.alg).toBe('ES256');
    expect(client.dpop?.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    // One key per client: two clients, two keys.
    expect(new TokenClient({ ...base, dpop: true }).dpop?.thumbprint).not.toBe(
      client.dpop?.thumbprint,
    );
    expect(new TokenClient({ ...base, dpop: { alg: 'EdDSA' } }).dpop?.publicJwk).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
    });
  });

  it('throws TypeErrors naming the option', () => {
    const bad: [unknown, string][] = [
      ['yes', '"dpop" must be true, false or { privateKey?, alg? }'],
      [1, '"dpop" must be true, false or { privateKey?, alg? }'],
      [null, '"dpop" must be true, false or { privateKey?, alg? }'],
      [[], '"dpop" must be true, false or { privateKey?, alg? }'],
      [{ key: 'x' }, 'Unknown dpop option "key"'],
      [{ alg: 'HS256' }, '"dpop.alg" must be one of'],
      [{ privateKey: {} }, '"dpop.privateKey" must be a private JWK (with "d")'],
    ];
    for (const [dpop, message] of bad) {
      const caught = thrown(() => new TokenClient({ ...base, dpop: dpop as never }));
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as TypeError).message).toContain(message);
    }
  });
});
