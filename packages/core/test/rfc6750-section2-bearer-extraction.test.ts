import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BearerError,
  InvalidRequestError,
  MissingCredentialsError,
  type BearerRequest,
  type TokenLocation,
} from '../src/index.js';
import { extractBearerToken } from '../src/validation/bearer-token.js';

const realm = 'api';
const headerOnly = { realm, locations: new Set<TokenLocation>(['header']) };
const everywhere = { realm, locations: new Set<TokenLocation>(['header', 'body', 'query']) };

function request(authorization?: string, extra: Partial<BearerRequest> = {}): BearerRequest {
  return {
    headers: authorization === undefined ? {} : { authorization },
    method: 'GET',
    ...extra,
  };
}

describe('RFC 6750 section 2.1: Authorization request header field', () => {
  it('extracts the b64token after "Bearer" and one or more spaces', () => {
    expect(extractBearerToken(request('Bearer abc.def-ghi_jkl~+/=='), headerOnly)).toBe(
      'abc.def-ghi_jkl~+/==',
    );
    expect(extractBearerToken(request('Bearer    tok'), headerOnly)).toBe('tok');
  });

  it('matches the scheme case-insensitively (RFC 7235 section 2.1)', () => {
    expect(extractBearerToken(request('bearer tok'), headerOnly)).toBe('tok');
    expect(extractBearerToken(request('BEARER tok'), headerOnly)).toBe('tok');
  });

  it.each([
    ['no token', 'Bearer'],
    ['no token after the space', 'Bearer '],
    ['two tokens', 'Bearer a b'],
    ['a tab instead of a space', 'Bearer\ttok'],
    ['characters outside b64token', 'Bearer tok,en'],
    ['padding in the middle', 'Bearer ab=c'],
    ['a quoted token', 'Bearer "tok"'],
  ])('answers invalid_request for %s', (_, header) => {
    expect(() => extractBearerToken(request(header), headerOnly)).toThrow(InvalidRequestError);
  });

  it('treats a missing header as missing credentials (section 3.1: no error code)', () => {
    const error = catchError(() => extractBearerToken(request(), headerOnly));
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.status).toBe(401);
    expect(error.wwwAuthenticate).toBe('Bearer realm="api"');
  });

  it('treats another authentication scheme as missing bearer credentials', () => {
    expect(() => extractBearerToken(request('Basic dXNlcjpwYXNz'), headerOnly)).toThrow(
      MissingCredentialsError,
    );
    expect(() => extractBearerToken(request('Bearerish tok'), headerOnly)).toThrow(
      MissingCredentialsError,
    );
  });

  it('refuses a repeated Authorization header, seen through rawHeaders', () => {
    const req = request('Bearer first', {
      rawHeaders: ['Authorization', 'Bearer first', 'authorization', 'Bearer second'],
    });
    const error = catchError(() => extractBearerToken(req, headerOnly));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.description).toBe('Repeated Authorization header');
  });

  it('refuses a header given as an array of several values', () => {
    const req: BearerRequest = { headers: { authorization: ['Bearer a', 'Bearer b'] } };
    expect(() => extractBearerToken(req, headerOnly)).toThrow(InvalidRequestError);
  });
});

describe('RFC 6750 section 2.2: form-encoded body parameter', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

  it('is ignored unless enabled', () => {
    const req: BearerRequest = { headers: form, method: 'POST', body: { access_token: 'tok' } };
    expect(() => extractBearerToken(req, headerOnly)).toThrow(MissingCredentialsError);
  });

  it('is read from a form-encoded POST when enabled', () => {
    const req: BearerRequest = { headers: form, method: 'POST', body: { access_token: 'tok' } };
    expect(extractBearerToken(req, everywhere)).toBe('tok');
  });

  it('is not read from a GET or from a JSON body', () => {
    const get: BearerRequest = { headers: form, method: 'GET', body: { access_token: 'tok' } };
    const json: BearerRequest = {
      headers: { 'content-type': 'application/json' },
      method: 'POST',
      body: { access_token: 'tok' },
    };
    expect(() => extractBearerToken(get, everywhere)).toThrow(MissingCredentialsError);
    expect(() => extractBearerToken(json, everywhere)).toThrow(MissingCredentialsError);
  });

  it('answers invalid_request for a repeated or non-string parameter', () => {
    const repeated: BearerRequest = {
      headers: form,
      method: 'POST',
      body: { access_token: ['a', 'b'] },
    };
    const object: BearerRequest = {
      headers: form,
      method: 'POST',
      body: { access_token: { a: 1 } },
    };
    expect(() => extractBearerToken(repeated, everywhere)).toThrow(InvalidRequestError);
    expect(() => extractBearerToken(object, everywhere)).toThrow(InvalidRequestError);
  });
});

describe('RFC 6750 section 2.3: URI query parameter', () => {
  it('is ignored unless enabled', () => {
    const req = request(undefined, { query: new URLSearchParams('access_token=tok') });
    expect(() => extractBearerToken(req, headerOnly)).toThrow(MissingCredentialsError);
  });

  it('is read from URLSearchParams or a parsed query object when enabled', () => {
    expect(
      extractBearerToken(
        request(undefined, { query: new URLSearchParams('access_token=tok') }),
        everywhere,
      ),
    ).toBe('tok');
    expect(
      extractBearerToken(request(undefined, { query: { access_token: 'tok' } }), everywhere),
    ).toBe('tok');
  });

  it('answers invalid_request when repeated', () => {
    const req = request(undefined, { query: new URLSearchParams('access_token=a&access_token=b') });
    expect(() => extractBearerToken(req, everywhere)).toThrow(InvalidRequestError);
  });
});

describe('RFC 6750 section 2: more than one method', () => {
  it('answers invalid_request for header and query together', () => {
    const req = request('Bearer a', { query: new URLSearchParams('access_token=a') });
    const error = catchError(() => extractBearerToken(req, everywhere));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
    expect(error.wwwAuthenticate).toBe(
      'Bearer realm="api", error="invalid_request", error_description="More than one method used to include the access token"',
    );
  });

  it('answers invalid_request for header and body together', () => {
    const req: BearerRequest = {
      headers: { authorization: 'Bearer a', 'content-type': 'application/x-www-form-urlencoded' },
      method: 'POST',
      body: { access_token: 'a' },
    };
    expect(() => extractBearerToken(req, everywhere)).toThrow(InvalidRequestError);
  });
});

describe('property: header parsing throws nothing but the typed error', () => {
  it('for any Authorization value, query and body', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
        fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 4 }),
        fc.anything(),
        fc.constantFrom('GET', 'POST', 'PUT'),
        (authorization, queryPairs, body, method) => {
          const req: BearerRequest = {
            headers: {
              ...(authorization === undefined ? {} : { authorization }),
              'content-type': 'application/x-www-form-urlencoded',
            },
            method,
            query: new URLSearchParams(queryPairs),
            body,
          };
          expect(outcome(() => extractBearerToken(req, everywhere))).toMatch(
            /^(token [A-Za-z0-9\-._~+/]+=*|BearerError)$/,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed bearer credential', () => {
    const b64token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]+=*$/);
    fc.assert(
      fc.property(
        b64token,
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('Bearer', 'bearer', 'BeArEr'),
        (token, spaces, scheme) => {
          expect(
            extractBearerToken(request(`${scheme}${' '.repeat(spaces)}${token}`), headerOnly),
          ).toBe(token);
        },
      ),
    );
  });
});

function catchError(fn: () => unknown): BearerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof BearerError) return error;
    throw error;
  }
  throw new Error('expected a BearerError');
}

/** `token <value>` on success, `BearerError` for the typed error; anything else is rethrown. */
function outcome(fn: () => string): string {
  try {
    return `token ${fn()}`;
  } catch (error) {
    if (error instanceof BearerError) return 'BearerError';
    throw error;
  }
}
