import { describe, expect, it } from 'vitest';
import { rejection, useJwksFixture } from './support/fixture.js';
import { AUDIENCE, withRawPayload } from './support/tokens.js';
import { CompactSign, SignJWT, importJWK, jwtVerify } from 'jose';

const f = useJwksFixture();
const now = Math.floor(Date.now() / 1000);

describe('RFC 7519 section 4.1.1: iss is compared as an exact string', () => {
  it('accepts the configured issuer', async () => {
    await expect(f.verifier().verify(await f.sign())).resolves.toBeDefined();
  });

  it('rejects the issuer without its trailing slash', async () => {
    const token = await f.sign({ issuer: f.server.url });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'iss' is not accepted",
    );
  });

  it('rejects a token without iss', async () => {
    const token = await f.sign({ claims: { iss: undefined } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'iss' is missing",
    );
  });
});

describe('RFC 7519 section 4.1.3: aud', () => {
  it('accepts a token whose aud array contains the audience', async () => {
    await expect(
      f.verifier().verify(await f.sign({ claims: { aud: ['other', AUDIENCE] } })),
    ).resolves.toBeDefined();
  });

  it('accepts a string aud equal to one of several configured audiences', async () => {
    const token = await f.sign({ claims: { aud: 'https://second.example.com' } });
    await expect(
      f.verifier({ audience: [AUDIENCE, 'https://second.example.com'] }).verify(token),
    ).resolves.toBeDefined();
  });

  it('rejects another audience', async () => {
    const token = await f.sign({ claims: { aud: 'https://other.example.com' } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'aud' is not accepted",
    );
  });
});

describe('RFC 7519 section 4.1.4: exp', () => {
  it('rejects a token without exp, which jose alone accepts', async () => {
    const token = await f.sign({ claims: { exp: undefined } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'exp' is missing",
    );
  });

  it('rejects an expired token', async () => {
    const token = await f.sign({ now: now - 7200 });
    expect((await rejection(f.verifier().verify(token))).description).toBe('Token has expired');
  });

  it('allows the configured clock tolerance and no more', async () => {
    const token = await f.sign({ claims: { iat: now - 100, exp: now - 3 } });
    // The verifiers' clock is pinned to `now`: on a slow machine the wall clock could pass the
    // 2 s of margin between this token's expiry and the tolerance.
    const clock = () => now * 1000;
    await expect(f.verifier({ clockTolerance: 5, clock }).verify(token)).resolves.toBeDefined();
    expect((await rejection(f.verifier({ clockTolerance: 0, clock }).verify(token))).code).toBe(
      'invalid_token',
    );
  });

  it('rejects exp that parses to Infinity (1e400), which jose alone accepts', async () => {
    const rawPayload = `{"iss":"${f.server.issuer}","sub":"x","aud":"${AUDIENCE}","iat":${now},"exp":1e400}`;
    const token = await new CompactSign(new TextEncoder().encode(rawPayload))
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: f.key.kid })
      .sign(f.key.privateKey);
    // jose alone accepts it:
    const publicKey = await importJWK(f.key.publicJwk, 'RS256');
    await expect(
      jwtVerify(token, publicKey, { issuer: f.server.issuer, audience: AUDIENCE }),
    ).resolves.toBeDefined();
    const error = await rejection(f.verifier().verify(token));
    expect(error.description).toBe("Token claim 'exp' is malformed");
  });

  it('rejects a string exp', async () => {
    const token = await new SignJWT({
      iss: f.server.issuer,
      sub: 'x',
      aud: AUDIENCE,
      iat: now,
      exp: String(now + 60),
    } as Record<string, unknown>)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: f.key.kid })
      .sign(f.key.privateKey);
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'exp' is malformed",
    );
  });

  it('rejects a token whose signature no longer matches a hand-edited payload', async () => {
    const token = withRawPayload(await f.sign(), `{"exp":1e400}`);
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      'Token signature is invalid',
    );
  });
});

describe('RFC 7519 section 4.1.5: nbf', () => {
  it('rejects a token not valid yet, beyond the tolerance', async () => {
    const token = await f.sign({ claims: { nbf: now + 600 } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      'Token is not yet valid',
    );
  });

  it('accepts nbf within the tolerance', async () => {
    const token = await f.sign({ claims: { nbf: now + 2 } });
    await expect(f.verifier({ clockTolerance: 5 }).verify(token)).resolves.toBeDefined();
  });
});

describe('RFC 7519 section 4.1.6: iat', () => {
  it('rejects iat in the future, which jose alone accepts', async () => {
    const token = await f.sign({ claims: { iat: now + 600, exp: now + 1200 } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      'Token was issued in the future',
    );
  });

  it('rejects a lifetime (exp - iat) longer than maxTokenLifetime', async () => {
    const token = await f.sign({ claims: { iat: now, exp: now + 7200 } });
    await expect(f.verifier({ maxTokenLifetime: 7200 }).verify(token)).resolves.toBeDefined();
    expect(
      (await rejection(f.verifier({ maxTokenLifetime: 3600 }).verify(token))).description,
    ).toBe('Token lifetime is longer than allowed');
  });

  it('rejects an Auth0 token without iat or sub', async () => {
    const noIat = await f.sign({ claims: { iat: undefined } });
    const noSub = await f.sign({ claims: { sub: undefined } });
    expect((await rejection(f.verifier().verify(noIat))).description).toBe(
      "Token claim 'iat' is missing",
    );
    expect((await rejection(f.verifier().verify(noSub))).description).toBe(
      "Token claim 'sub' is missing",
    );
  });

  it('rejects non-string sub or scope claims', async () => {
    const token = await f.sign({ claims: { sub: 42 } });
    expect((await rejection(f.verifier().verify(token))).description).toBe(
      "Token claim 'sub' is malformed",
    );
    const scope = await f.sign({ claims: { scope: ['read:sample'] } });
    expect((await rejection(f.verifier().verify(scope))).description).toBe(
      "Token claim 'scope' is malformed",
    );
  });
});

describe('custom claim checks', () => {
  it('accepts when the check returns true and rejects otherwise', async () => {
    const verifier = f.verifier({ claimCheck: (payload) => payload['http://foo/bar'] === 'value' });
    await expect(
      verifier.verify(await f.sign({ claims: { 'http://foo/bar': 'value' } })),
    ).resolves.toBeDefined();
    const error = await rejection(
      verifier.verify(await f.sign({ claims: { 'http://foo/bar': 'other' } })),
    );
    expect(error.description).toBe('Token rejected by a claim check');
  });

  it('turns a throwing check into invalid_token, keeping the cause', async () => {
    const verifier = f.verifier({
      claimCheck: () => {
        throw new Error('boom');
      },
    });
    const error = await rejection(verifier.verify(await f.sign()));
    expect(error.code).toBe('invalid_token');
    expect((error.cause as Error).message).toBe('boom');
  });
});

describe('RBAC permissions as a scope source', () => {
  it('exposes permissions as granted scopes when configured', async () => {
    const token = await f.sign({ claims: { scope: 'openid', permissions: ['read:sample'] } });
    const verified = await f.verifier({ scopeSources: ['scope', 'permissions'] }).verify(token);
    expect(verified.scopes).toEqual(['openid', 'read:sample']);
    const scopeOnly = await f.verifier().verify(token);
    expect(scopeOnly.scopes).toEqual(['openid']);
  });
});
