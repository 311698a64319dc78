import { inspect } from 'node:util';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from '../src/index.js';
import { rejection } from './support/fixture.js';
import { createTestKey } from './support/keys.js';
import { AUDIENCE, ISSUER, signAccessToken } from './support/tokens.js';

/** An Auth0 API set to sign with HS256 has a signing secret; this one is 40 bytes. */
const SECRET = 'api-signing-secret-of-forty-bytes-length';
const now = Math.floor(Date.now() / 1000);

function hmacToken(
  alg: string,
  secret: string | Uint8Array = SECRET,
  claims: Record<string, unknown> = {},
) {
  return new SignJWT({ sub: 'auth0|user-1', scope: 'read:sample', ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
}

const verifier = (options: Partial<AccessTokenVerifierOptions> = {}) =>
  createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, ...options });

describe('HS256 with the API signing secret (RFC 7518 section 3.2)', () => {
  it('accepts a token signed with the secret, from the cache too, without any fetch', async () => {
    const v = verifier();
    const token = await hmacToken('HS256');
    expect((await v.verify(token)).payload.sub).toBe('auth0|user-1');
    // The cache admits a token on its second sight, then answers with the same object.
    const cached = await v.verify(token);
    expect(await v.verify(token)).toBe(cached);
  });

  it('accepts HS384 and HS512 when listed, each with a long enough secret', async () => {
    const long = 'x'.repeat(64);
    const v = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      secret: long,
      algorithms: ['HS384', 'HS512'],
    });
    await expect(v.verify(await hmacToken('HS512', long))).resolves.toBeDefined();
    await expect(v.verify(await hmacToken('HS384', long))).resolves.toBeDefined();
    expect((await rejection(v.verify(await hmacToken('HS256', long)))).description).toBe(
      'Token algorithm is not allowed',
    );
  });

  it('refuses another secret, a changed claim, and an asymmetric token (no key confusion)', async () => {
    const v = verifier();
    expect(
      (
        await rejection(
          v.verify(await hmacToken('HS256', 'another-secret-that-is-long-enough-too')),
        )
      ).description,
    ).toBe('Token signature is invalid');
    const [header, , signature] = (await hmacToken('HS256')).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', iat: now, exp: now + 600 })).toString('base64url')}.${signature}`;
    expect((await rejection(v.verify(forged))).description).toBe('Token signature is invalid');
    const rs256 = await signAccessToken(await createTestKey('RS256'));
    expect((await rejection(v.verify(rs256))).description).toBe('Token algorithm is not allowed');
  });

  it('refuses HMAC without a secret, as before: a public key is never an HMAC secret', async () => {
    const v = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'http://127.0.0.1:9/jwks',
    });
    expect((await rejection(v.verify(await hmacToken('HS256')))).description).toBe(
      'Token algorithm is not allowed',
    );
    expect(() =>
      createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }),
    ).toThrow('HMAC (HS*) needs "secret" and no key set');
  });

  it('checks the secret at creation, and never shows it', () => {
    const cases: [Partial<AccessTokenVerifierOptions>, string][] = [
      [{ secret: 'too-short-secret' }, '"secret" must be at least 32 bytes for HS256'],
      [
        { secret: 'x'.repeat(40), algorithms: ['HS512'] },
        '"secret" must be at least 64 bytes for HS512',
      ],
      [{ algorithms: ['HS256', 'RS256'] }, 'may only list HS256, HS384 and HS512'],
      [{ jwksUri: 'https://issuer.example/jwks' }, '"secret" replaces the key set'],
      [{ secret: 42 as never }, '"secret" must be a string, bytes or a secret KeyObject'],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        verifier(options);
      } catch (error) {
        thrown = error;
      }
      expect(String(thrown)).toContain(message);
      expect(String(thrown)).not.toContain('too-short-secret');
    }
    const v = verifier();
    expect(inspect(v, { depth: 10 })).not.toContain(SECRET);
    expect(JSON.stringify(v.options)).not.toContain(SECRET);
  });

  it('an error about a token never carries the secret', async () => {
    const error = await rejection(verifier().verify(await hmacToken('HS256', 'y'.repeat(32))));
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });
});
