import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../src/index.js';
import { rejection } from './support/fixture.js';
import { createTestKey } from './support/keys.js';
import { AUDIENCE, ISSUER, signAccessToken } from './support/tokens.js';

describe('a static public key: no discovery, no key set, no fetch', () => {
  it('verifies with a PEM, a JWK or a KeyObject, whatever the kid', async () => {
    const key = await createTestKey('RS256', 'static');
    const keyObject = createPublicKey({ key: key.publicJwk, format: 'jwk' });
    const pem = keyObject.export({ type: 'spki', format: 'pem' }).toString();
    const token = await signAccessToken(key);
    for (const publicKey of [pem, key.publicJwk as Record<string, unknown>, keyObject]) {
      const v = createAccessTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey });
      await expect(v.verify(token)).resolves.toMatchObject({ payload: { sub: 'auth0|user-1' } });
      await expect(
        v.verify(await signAccessToken(key, { header: { kid: 'other' } })),
      ).resolves.toBeDefined();
    }
  });

  it('takes its algorithm from the key (ES256 for a P-256 key) and refuses a token by another key', async () => {
    const key = await createTestKey('ES256');
    const v = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      publicKey: key.publicJwk,
    });
    expect(v.options.algorithms).toEqual(['ES256']);
    await expect(v.verify(await signAccessToken(key))).resolves.toBeDefined();
    const other = await createTestKey('ES256');
    expect((await rejection(v.verify(await signAccessToken(other)))).description).toBe(
      'Token signature is invalid',
    );
    expect(
      (await rejection(v.verify(await signAccessToken(await createTestKey('RS256'))))).description,
    ).toBe('Token algorithm is not allowed');
  });

  it('is checked at creation: a private key, a broken JWK, an algorithm the key cannot verify', async () => {
    const key = await createTestKey('RS256');
    const privatePem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    const cases: [unknown, Record<string, unknown>, string][] = [
      [privatePem, {}, '"publicKey" must be a public key'],
      [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, {}, '"publicKey" must be a public key'],
      [
        key.publicJwk,
        { algorithms: ['ES256'] },
        '"algorithms": ES256 cannot be verified with the "publicKey" given',
      ],
      [
        key.publicJwk,
        { jwksUri: 'https://issuer.example/jwks' },
        '"publicKey" replaces the key set',
      ],
      [key.publicJwk, { secret: 'x'.repeat(32) }, '"secret" and "publicKey" exclude each other'],
    ];
    for (const [publicKey, extra, message] of cases) {
      expect(() =>
        createAccessTokenVerifier({
          issuer: ISSUER,
          audience: AUDIENCE,
          publicKey: publicKey as never,
          ...extra,
        }),
      ).toThrow(message);
    }
  });
});
