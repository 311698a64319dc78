import { describe, expect, it } from 'vitest';
import {
  claimEquals,
  claimIncludes,
  renderBearerError,
  renderError,
  requireAnyScope,
  requireScopes,
} from '../../src/adapter.js';
import {
  InsufficientScopeError,
  InvalidTokenError,
  MissingCredentialsError,
  OAuthError,
  ReauthenticationRequiredError,
  TokenRequestError,
  type VerifiedAccessToken,
} from '../../src/index.js';

const auth = (
  payload: Record<string, unknown>,
  scopes: string[],
  realm = 'api',
): VerifiedAccessToken =>
  Object.freeze({
    token: 't',
    header: { alg: 'RS256' },
    payload,
    scopes,
    realm,
    issuer: 'https://issuer.example/',
  });

describe('route requirements', () => {
  it('all-of and any-of scopes answer 403 with the realm of the verifier', () => {
    const allOf = requireScopes('read:sample', 'write:sample');
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
    const anyOf = requireAnyScope('a', 'b');
    expect(() => anyOf(auth({}, ['b']))).not.toThrow();
    expect(() => anyOf(auth({}, ['c']))).toThrow(InsufficientScopeError);
  });

  it('answers 401 without error code when an optional route gets no token', () => {
    expect(() => requireScopes('a')(undefined)).toThrow(MissingCredentialsError);
  });

  it("answers that 401 in the optional auth()'s realm when the adapter passes it", () => {
    let error: unknown;
    try {
      requireScopes('a')(undefined, 'shop');
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
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requireAnyScope('has space')).toThrow(TypeError);
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

describe('renderError: what every adapter answers for the errors ropkit raises', () => {
  it('answers a session that is not signed in with 401 login_required, not a 500', () => {
    expect(renderError(new ReauthenticationRequiredError('No tokens are stored'))).toEqual({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"error":"login_required","error_description":"Sign in to continue"}',
    });
  });

  it('renders a BearerError as renderBearerError does, and leaves other errors alone', () => {
    const error = new InvalidTokenError('Token has expired', { realm: 'api' });
    expect(renderError(error)).toEqual(renderBearerError(error));
    expect(renderError(new Error('a bug'))).toBeUndefined();
    expect(renderError('thrown string')).toBeUndefined();
  });
});

describe('renderError: a token service that fails while a refresh is due', () => {
  it('answers 503 temporarily_unavailable, with the Retry-After of the server', () => {
    const limited = new OAuthError({
      error: 'too_many_requests',
      description: undefined,
      status: 429,
      retryAfter: 30,
    });
    const answer = renderError(limited);
    expect(answer?.status).toBe(503);
    expect(answer?.headers['retry-after']).toBe('30');
    expect(answer?.body).toBe(
      '{"error":"temporarily_unavailable","error_description":"The sign-in service is unavailable: try again later"}',
    );
    expect(
      renderError(new TokenRequestError('The token request timed out', 'timeout'))?.status,
    ).toBe(503);
  });
});
