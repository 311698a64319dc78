import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../src/index.js';
import { metadataUrls } from '../src/validation/discovery.js';
import { rejection } from './support/fixture.js';
import { JwksServer } from './support/jwks-server.js';
import { createTestKey, type TestKey } from './support/keys.js';
import { AUDIENCE, signAccessToken } from './support/tokens.js';

let server: JwksServer;
let key: TestKey;

beforeEach(async () => {
  server = await JwksServer.start();
  key = await createTestKey('RS256');
  server.keys = [key.publicJwk];
});
afterEach(async () => {
  await server.close();
});

const discovering = (issuer = server.issuer) =>
  createAccessTokenVerifier({ issuer, audience: AUDIENCE, keySet: { cooldownMs: 0 } });

describe('OpenID Connect Discovery 1.0 section 4', () => {
  it('finds jwks_uri from /.well-known/openid-configuration', async () => {
    const token = await signAccessToken(key, { issuer: server.issuer });
    await expect(discovering().verify(token)).resolves.toBeDefined();
    expect(server.count('/.well-known/openid-configuration')).toBe(1);
  });

  it('discovers once, not per key set fetch', async () => {
    const verifier = discovering();
    const token = await signAccessToken(key, { issuer: server.issuer });
    await verifier.verify(token);
    await verifier
      .verify(await signAccessToken(await createTestKey('RS256'), { issuer: server.issuer }))
      .catch(() => undefined);
    expect(server.count('/.well-known/openid-configuration')).toBe(1);
    expect(server.count('/.well-known/jwks.json')).toBe(2);
  });

  it('refuses a document whose issuer differs from the configured one (section 4.3)', async () => {
    server.discoveredIssuer = server.url; // no trailing slash
    const token = await signAccessToken(key, { issuer: server.issuer });
    const error = await rejection(discovering().verify(token));
    expect(error.status).toBe(503);
    expect(server.count('/.well-known/jwks.json')).toBe(0);
  });

  it('refuses a plain-http jwks_uri on a non-loopback host', async () => {
    server.discoveredJwksUri = 'http://keys.example.com/jwks.json';
    const token = await signAccessToken(key, { issuer: server.issuer });
    const error = await rejection(discovering().verify(token));
    expect(error.status).toBe(503);
    expect(String((error.cause as Error).cause)).toContain('must use https');
  });
});

describe('RFC 8414 section 3', () => {
  it('falls back to /.well-known/oauth-authorization-server', async () => {
    server.missingPaths.add('/.well-known/openid-configuration');
    const token = await signAccessToken(key, { issuer: server.issuer });
    await expect(discovering().verify(token)).resolves.toBeDefined();
    expect(server.count('/.well-known/oauth-authorization-server')).toBe(1);
  });

  it('inserts the well-known segment before an issuer path', () => {
    const urls = metadataUrls(new URL('https://example.com/tenant/'));
    expect(urls.map(String)).toEqual([
      'https://example.com/tenant/.well-known/openid-configuration',
      'https://example.com/.well-known/oauth-authorization-server/tenant',
    ]);
    expect(metadataUrls(new URL('https://example.com/')).map(String)).toEqual([
      'https://example.com/.well-known/openid-configuration',
      'https://example.com/.well-known/oauth-authorization-server',
    ]);
  });
});
