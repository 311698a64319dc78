import { SignJWT, base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../src/index.js';
import { rejection, useJwksFixture } from './support/fixture.js';
import { createTestKey } from './support/keys.js';
import { AUDIENCE, b64json } from './support/tokens.js';

const f = useJwksFixture();

describe('RFC 7515 section 5.2: signature validation', () => {
  it('accepts a token signed by a published key', async () => {
    const verified = await f.verifier().verify(await f.sign());
    expect(verified.payload.sub).toBe('auth0|user-1');
    expect(verified.header.kid).toBe(f.key.kid);
    expect(verified.scopes).toEqual(['openid', 'read:sample']);
  });

  it('rejects a token whose signature was made by another key with the same kid', async () => {
    const impostor = await createTestKey('RS256', f.key.kid);
    const error = await rejection(f.verifier().verify(await f.sign({}, impostor)));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.description).toBe('Token signature is invalid');
  });

  it('rejects a token whose payload was changed after signing', async () => {
    const token = await f.sign();
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64json({ iss: f.server.issuer, sub: 'admin', aud: AUDIENCE, iat: 1, exp: 9e9 })}.${signature}`;
    expect((await rejection(f.verifier().verify(forged))).code).toBe('invalid_token');
  });
});

describe('RFC 7515 section 2 / RFC 4648 section 5: strict base64url', () => {
  it('rejects a signature with padding that jose alone would accept', async () => {
    const token = await f.sign();
    const error = await rejection(f.verifier({ cache: false }).verify(`${token}==`));
    expect(error.description).toBe('Token is malformed');
  });

  it('rejects whitespace inside a segment', async () => {
    const token = await f.sign();
    const withSpace = `${token.slice(0, 20)} ${token.slice(20)}`;
    expect((await rejection(f.verifier().verify(withSpace))).description).toBe(
      'Token is malformed',
    );
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['an empty signature', 'a.b.'],
    ['standard base64 characters', 'a+b.c/d.e'],
  ])('rejects %s', async (_, token) => {
    expect((await rejection(f.verifier().verify(token))).description).toBe('Token is malformed');
  });

  it('rejects a token larger than maxTokenSize before any other work', async () => {
    const token = await f.sign({ claims: { filler: 'x'.repeat(600) } });
    const error = await rejection(f.verifier({ maxTokenSize: 512 }).verify(token));
    expect(error.description).toBe('Token is larger than allowed');
  });
});

describe('RFC 8725 section 3.1: algorithm allow-list', () => {
  it('rejects alg "none"', async () => {
    const token = `${b64json({ alg: 'none', typ: 'JWT' })}.${b64json({ iss: f.server.issuer, aud: AUDIENCE, sub: 'x', iat: 1, exp: 9e9 })}.AAAA`;
    const error = await rejection(f.verifier().verify(token));
    expect(error.description).toBe('Token algorithm is not allowed');
  });

  it('rejects HS256 signed with the public RSA key as a secret (key confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(f.key.publicJwk));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      iss: f.server.issuer,
      aud: AUDIENCE,
      sub: 'x',
      iat: now,
      exp: now + 60,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: f.key.kid })
      .sign(secret);
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      'Token algorithm is not allowed',
    );
  });

  it('rejects an algorithm that is valid but not in the allow-list', async () => {
    const es = await createTestKey('ES256');
    f.server.keys = [f.key.publicJwk, es.publicJwk];
    try {
      const token = await f.sign({}, es);
      expect((await rejection(f.verifier().verify(token))).description).toBe(
        'Token algorithm is not allowed',
      );
      const accepted = await f.verifier({ algorithms: ['RS256', 'ES256'] }).verify(token);
      expect(accepted.header.alg).toBe('ES256');
    } finally {
      f.server.keys = [f.key.publicJwk];
    }
  });

  it.each(['PS256', 'ES384', 'EdDSA'])('verifies %s when allowed', async (alg) => {
    const key = await createTestKey(alg);
    f.server.keys = [f.key.publicJwk, key.publicJwk];
    try {
      const verified = await f
        .verifier({ algorithms: [alg as 'PS256'] })
        .verify(await f.sign({}, key));
      expect(verified.header.alg).toBe(alg);
    } finally {
      f.server.keys = [f.key.publicJwk];
    }
  });

  it('rejects a token whose alg does not fit the key named by kid', async () => {
    // Same kid as the published RS256 key, but the header says RS384.
    const other = await createTestKey('RS384', f.key.kid);
    const token = await f.sign({}, other);
    const error = await rejection(
      f.verifier({ algorithms: ['RS256', 'RS384'], keySet: { cooldownMs: 0 } }).verify(token),
    );
    expect(error.description).toBe('Token signing key is unknown');
  });
});

describe('RFC 8725 section 3.11: explicit typing', () => {
  it.each(['JWT', 'jwt', 'application/JWT'])('accepts typ %s for Auth0 tokens', async (typ) => {
    await expect(f.verifier().verify(await f.sign({ header: { typ } }))).resolves.toBeDefined();
  });

  it.each([
    ['missing', undefined],
    ['at+jwt', 'at+jwt'],
    ['something else', 'dpop+jwt'],
  ])('rejects typ %s for Auth0 tokens', async (_, typ) => {
    const error = await rejection(f.verifier().verify(await f.sign({ header: { typ } })));
    expect(error.description).toBe('Token type is not allowed');
  });
});

describe('nothing in a token causes a request or a key import', () => {
  it('ignores jku, x5u, x5c and jwk headers', async () => {
    const attacker = await createTestKey('RS256', 'attacker');
    const before = f.server.requests.length;
    const token = await f.sign(
      {
        header: {
          kid: 'attacker',
          jku: `${f.server.url}/attacker-jwks`,
          x5u: `${f.server.url}/attacker-cert`,
          jwk: attacker.publicJwk,
        },
      },
      attacker,
    );
    const error = await rejection(f.verifier({ keySet: { cooldownMs: 0 } }).verify(token));
    expect(error.description).toBe('Token signing key is unknown');
    const paths = f.server.requests.slice(before);
    expect(paths.every((path) => path === '/.well-known/jwks.json')).toBe(true);
  });

  it('does not contact the issuer named in the token', async () => {
    const before = f.server.requests.length;
    const token = await f.sign({ issuer: 'http://127.0.0.2:9/' });
    const error = await rejection(f.verifier().verify(token));
    expect(error.description).toBe("Token claim 'iss' is not accepted");
    expect(f.server.requests.slice(before).every((p) => p === '/.well-known/jwks.json')).toBe(true);
  });
});

describe('one decoded header for every token that carries it', () => {
  it('shares it between results, frozen all the way down', async () => {
    const header = { x5c: ['not-used'], extra: { nested: true } };
    const verifier = f.verifier();
    const first = await verifier.verify(await f.sign({ header, claims: { jti: 'a' } }));
    const second = await verifier.verify(await f.sign({ header, claims: { jti: 'b' } }));
    expect(second.header).toBe(first.header);
    expect(Object.isFrozen(first.header['extra'])).toBe(true);
    expect(Object.isFrozen(first.header['x5c'])).toBe(true);
  });
});

describe('error descriptions never echo token bytes or claim values', () => {
  it('for every kind of failure', async () => {
    const marker = 'CANARYVALUE';
    const tokens = [
      await f.sign({ claims: { sub: marker, iss: `https://${marker}/` } }),
      await f.sign({ claims: { aud: marker } }),
      await f.sign({ header: { typ: marker } }),
      await f.sign({ header: { kid: marker } }),
      `${b64json({ alg: marker })}.${b64json({ iss: marker })}.${base64url.encode(marker)}`,
    ];
    for (const token of tokens) {
      const error = await rejection(f.verifier().verify(token));
      const exposed = [
        error.message,
        error.description,
        error.wwwAuthenticate ?? '',
        JSON.stringify(error),
      ];
      for (const text of exposed) {
        expect(text).not.toContain(marker);
        expect(text).not.toContain(token.slice(0, 16));
      }
    }
  });
});
