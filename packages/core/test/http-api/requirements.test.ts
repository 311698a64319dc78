import { describe, expect, it } from 'vitest';
import {
  InsufficientScopeError,
  InvalidTokenError,
  MissingCredentialsError,
  claimEquals,
  claimIncludes,
  renderBearerError,
  scopeRequirement,
  type VerifiedAccessToken,
} from '../../src/index.js';

const auth = (
  payload: Record<string, unknown>,
  scopes: string[],
  realm = 'api',
): VerifiedAccessToken =>
  Object.freeze({ token: 't', header: { alg: 'RS256' }, payload, scopes, realm });

describe('route requirements', () => {
  it('all-of and any-of scopes answer 403 with the realm of the verifier', () => {
    const allOf = scopeRequirement(['read:sample', 'write:sample'], 'all');
    expect(() => allOf(auth({}, ['read:sample', 'write:sample']))).not.toThrow();
    let error: unknown;
    try {
      allOf(auth({}, ['read:sample'], 'shop'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).wwwAuthenticate).toBe(
      'Bearer realm="shop", error="insufficient_scope", error_description="Insufficient scope", scope="read:sample write:sample"',
    );
    const anyOf = scopeRequirement(['a', 'b'], 'any');
    expect(() => anyOf(auth({}, ['b']))).not.toThrow();
    expect(() => anyOf(auth({}, ['c']))).toThrow(InsufficientScopeError);
  });

  it('answers 401 without error code when an optional route gets no token', () => {
    expect(() => scopeRequirement(['a'], 'all')(undefined)).toThrow(MissingCredentialsError);
  });

  it("answers that 401 in the optional auth()'s realm when the adapter passes it", () => {
    let error: unknown;
    try {
      scopeRequirement(['a'], 'all')(undefined, 'shop');
    } catch (caught) {
      error = caught;
    }
    expect((error as MissingCredentialsError).wwwAuthenticate).toBe('Bearer realm="shop"');
  });

  it('claim checks answer invalid_token without echoing the claim value', () => {
    const equals = claimEquals('http://foo/bar', 'value');
    expect(() => equals(auth({ 'http://foo/bar': 'value' }, []))).not.toThrow();
    let error: unknown;
    try {
      equals(auth({ 'http://foo/bar': 'SECRET-VALUE' }, []));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(JSON.stringify(error)).not.toContain('SECRET-VALUE');
    const includes = claimIncludes('permissions', 'read:a', 'write:b');
    expect(() => includes(auth({ permissions: ['read:a', 'write:b', 'x'] }, []))).not.toThrow();
    expect(() => includes(auth({ permissions: ['read:a'] }, []))).toThrow(InvalidTokenError);
  });

  it('refuses bad declarations at once', () => {
    expect(() => scopeRequirement([], 'all')).toThrow(TypeError);
    expect(() => scopeRequirement(['has space'], 'any')).toThrow(TypeError);
    expect(() => claimIncludes('permissions')).toThrow(TypeError);
  });
});

describe('renderBearerError: one answer for every adapter', () => {
  it('renders status, headers and exact body bytes', () => {
    const rendered = renderBearerError(
      new InvalidTokenError('Token has expired', { realm: 'api' }),
    );
    expect(rendered).toEqual({
      status: 401,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate':
          'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
      },
      body: '{"error":"invalid_token","error_description":"Token has expired"}',
    });
  });
});
