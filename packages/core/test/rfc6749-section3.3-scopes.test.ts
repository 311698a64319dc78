import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsufficientScopeError, checkScopes, parseScopeClaim } from '../src/index.js';
import { assertRequiredScopes, grantedScopes } from '../src/validation/scopes.js';

describe('RFC 6749 section 3.3: scope claim parsing', () => {
  it('splits a space-delimited string', () => {
    expect(parseScopeClaim('openid read:sample write:sample')).toEqual([
      'openid',
      'read:sample',
      'write:sample',
    ]);
  });

  it('is case-sensitive', () => {
    expect(parseScopeClaim('Read:Sample')).toEqual(['Read:Sample']);
    expect(parseScopeClaim('Read:Sample')).not.toContain('read:sample');
  });

  it('ignores empty entries from repeated spaces', () => {
    expect(parseScopeClaim('  a   b ')).toEqual(['a', 'b']);
  });

  it('grants nothing for a missing or non-string claim', () => {
    expect(parseScopeClaim(undefined)).toEqual([]);
    expect(parseScopeClaim(42)).toEqual([]);
    expect(parseScopeClaim({ scope: 'a' })).toEqual([]);
  });

  it('drops tokens with characters outside scope-token (quote, backslash, control)', () => {
    expect(parseScopeClaim('a "b" c\\d e\u0001')).toEqual(['a']);
  });

  it('never throws, whatever the claim', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const scopes = parseScopeClaim(value);
        for (const scope of scopes) expect(scope).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any list of scope-tokens joined with spaces', () => {
    const scopeToken = fc.stringMatching(/^[\x21\x23-\x5B\x5D-\x7E]+$/);
    fc.assert(
      fc.property(fc.array(scopeToken, { maxLength: 10 }), (scopes) => {
        expect(parseScopeClaim(scopes.join(' '))).toEqual(scopes);
      }),
    );
  });
});

describe('scope sources: the scope claim and Auth0 permissions', () => {
  const payload = { scope: 'openid read:a', permissions: ['read:a', 'write:b'] };

  it('reads the scope claim by default', () => {
    expect(grantedScopes(payload, ['scope'])).toEqual(['openid', 'read:a']);
  });

  it('reads the permissions array alone', () => {
    expect(grantedScopes(payload, ['permissions'])).toEqual(['read:a', 'write:b']);
  });

  it('merges both without duplicates', () => {
    expect(grantedScopes(payload, ['scope', 'permissions'])).toEqual([
      'openid',
      'read:a',
      'write:b',
    ]);
  });
});

describe('RFC 6750 section 3.1: insufficient_scope', () => {
  it('passes when every required scope is granted (all-of)', () => {
    expect(() => checkScopes(['a', 'b', 'c'], ['a', 'b'], 'all', 'api')).not.toThrow();
  });

  it('answers 403 naming every required scope when one is missing (all-of)', () => {
    let error: unknown;
    try {
      checkScopes(['a'], ['a', 'b'], 'all', 'api');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InsufficientScopeError);
    const scopeError = error as InsufficientScopeError;
    expect(scopeError.status).toBe(403);
    expect(scopeError.wwwAuthenticate).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient scope", scope="a b"',
    );
  });

  it('passes with any one of the listed scopes (any-of) and fails with none', () => {
    expect(() => checkScopes(['b'], ['a', 'b'], 'any', 'api')).not.toThrow();
    expect(() => checkScopes(['c'], ['a', 'b'], 'any', 'api')).toThrow(InsufficientScopeError);
  });

  it('compares case-sensitively', () => {
    expect(() => checkScopes(['READ:SAMPLE'], ['read:sample'], 'all', 'api')).toThrow(
      InsufficientScopeError,
    );
  });

  it('refuses invalid required scopes when a check is declared', () => {
    expect(() => assertRequiredScopes([], 'requireScopes')).toThrow('needs at least one scope');
    expect(() => assertRequiredScopes(['read sample'], 'requireScopes')).toThrow(TypeError);
    expect(() => assertRequiredScopes(['a"b'], 'requireScopes')).toThrow(TypeError);
    expect(assertRequiredScopes(['read:sample'], 'requireScopes')).toEqual(['read:sample']);
  });
});
