import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from '../src/index.js';
import { rejection } from './support/fixture.js';
import { JwksServer } from './support/jwks-server.js';
import { createTestKey, type TestKey } from './support/keys.js';
import { AUDIENCE, signAccessToken } from './support/tokens.js';

/** Two issuers, as a tenant domain and its custom domain during a migration, each with its keys. */
let tenant: JwksServer;
let custom: JwksServer;
let tenantKey: TestKey;
let customKey: TestKey;

beforeAll(async () => {
  [tenant, custom] = await Promise.all([JwksServer.start(), JwksServer.start()]);
  [tenantKey, customKey] = await Promise.all([createTestKey('RS256'), createTestKey('ES256')]);
  tenant.keys = [tenantKey.publicJwk];
  custom.keys = [customKey.publicJwk];
});
afterAll(async () => {
  await Promise.all([tenant.close(), custom.close()]);
});

function verifier(options: Partial<AccessTokenVerifierOptions> = {}) {
  return createAccessTokenVerifier({
    issuer: [
      { issuer: tenant.issuer, jwksUri: tenant.jwksUri },
      { issuer: custom.issuer, jwksUri: custom.jwksUri },
    ],
    audience: AUDIENCE,
    algorithms: ['RS256', 'ES256'],
    ...options,
  });
}

const requests = (server: JwksServer) => server.requests.length;

describe('several issuers: each token checked with its own issuer keys', () => {
  it('accepts a token of each issuer, and says which issuer it came from', async () => {
    const v = verifier();
    const a = await v.verify(await signAccessToken(tenantKey, { issuer: tenant.issuer }));
    const b = await v.verify(await signAccessToken(customKey, { issuer: custom.issuer }));
    expect(a.issuer).toBe(tenant.issuer);
    expect(b.issuer).toBe(custom.issuer);
    expect(v.options.issuers.map((entry) => entry.issuer)).toEqual([tenant.issuer, custom.issuer]);
  });

  it('refuses a token naming one issuer but signed with the other issuer key', async () => {
    const v = verifier();
    const forged = await signAccessToken(customKey, { issuer: tenant.issuer });
    const error = await rejection(v.verify(forged));
    expect(error.code).toBe('invalid_token');
    expect(error.description).toBe('Token signing key is unknown');
  });

  it('refuses an issuer not configured without fetching anything', async () => {
    const v = verifier();
    const before = requests(tenant) + requests(custom);
    const error = await rejection(
      v.verify(await signAccessToken(tenantKey, { issuer: 'https://evil.example/' })),
    );
    expect(error.description).toBe("Token claim 'iss' is not accepted");
    const missing = await rejection(
      v.verify(await signAccessToken(tenantKey, { claims: { iss: undefined } })),
    );
    expect(missing.description).toBe("Token claim 'iss' is not accepted");
    expect(requests(tenant) + requests(custom)).toBe(before);
  });

  it('fetches only the key set of the issuer a token names', async () => {
    const v = verifier();
    const beforeCustom = requests(custom);
    await v.verify(await signAccessToken(tenantKey, { issuer: tenant.issuer }));
    expect(requests(custom)).toBe(beforeCustom);
  });

  it('one issuer down does not stop the other (each key set its own)', async () => {
    const v = verifier({ keySet: { timeoutMs: 300 } });
    custom.behaviour = { kind: 'status', status: 500 };
    try {
      await expect(
        v.verify(await signAccessToken(tenantKey, { issuer: tenant.issuer })),
      ).resolves.toBeDefined();
      const error = await rejection(
        v.verify(await signAccessToken(customKey, { issuer: custom.issuer })),
      );
      expect(error.status).toBe(503);
    } finally {
      custom.behaviour = { kind: 'ok' };
    }
  });

  it('answers a cached token of either issuer from the cache', async () => {
    const v = verifier();
    for (const [key, server] of [
      [tenantKey, tenant],
      [customKey, custom],
    ] as const) {
      const token = await signAccessToken(key, { issuer: server.issuer });
      const request = { headers: { authorization: `Bearer ${token}` } };
      await v.authenticate(request);
      await v.authenticate(request);
      expect(v.authenticateCached(request)?.issuer).toBe(server.issuer);
    }
  });

  it('discovers each issuer key set from its own metadata', async () => {
    const v = createAccessTokenVerifier({
      issuer: [tenant.issuer, custom.issuer],
      audience: AUDIENCE,
      algorithms: ['RS256', 'ES256'],
    });
    await expect(
      v.verify(await signAccessToken(customKey, { issuer: custom.issuer })),
    ).resolves.toMatchObject({ issuer: custom.issuer });
    await expect(
      v.verify(await signAccessToken(tenantKey, { issuer: tenant.issuer })),
    ).resolves.toMatchObject({ issuer: tenant.issuer });
  });
});

describe('the issuer list is checked when the verifier is created', () => {
  const cases: [unknown, Record<string, unknown>, string][] = [
    [[], {}, '"issuer" must be a non-empty string'],
    [['https://a.example/', 'https://a.example/'], {}, '"issuer[1]" repeats an issuer'],
    [
      ['https://a.example/', 42],
      {},
      '"issuer[1]" must be a non-empty string or { issuer, jwksUri? }',
    ],
    [[{ issuer: 'https://a.example/', jwks: 'x' }], {}, 'Unknown option "issuer[0].jwks"'],
    [
      ['https://a.example/'],
      { jwksUri: 'https://a.example/jwks' },
      '"jwksUri" goes with one issuer',
    ],
    [[{ issuer: 'http://a.example/' }], {}, 'issuer[0]'],
  ];
  for (const [issuer, extra, message] of cases) {
    it(`refuses ${JSON.stringify(issuer)}`, () => {
      expect(() =>
        createAccessTokenVerifier({ issuer: issuer as never, audience: 'a', ...extra }),
      ).toThrow(message);
    });
  }
});
