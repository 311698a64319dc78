import { describe, expect, it } from 'vitest';
import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from '../src/index.js';

const base: AccessTokenVerifierOptions = {
  issuer: 'https://tenant.example.com/',
  audience: 'https://api.example.com',
};

/** Options deliberately outside the declared types, as JavaScript callers may pass them. */
const create = (options: Record<string, unknown>) => {
  const untyped: object = { ...base, ...options };
  return createAccessTokenVerifier(untyped as AccessTokenVerifierOptions);
};

describe('options are validated when the verifier is created', () => {
  it('fills in documented defaults', () => {
    const { options } = createAccessTokenVerifier(base);
    expect(options.algorithms).toEqual(['RS256']);
    expect(options.tokenProfile).toBe('auth0');
    expect(options.clockTolerance).toBe(5);
    expect(options.maxTokenSize).toBe(8192);
    expect(options.maxTokenLifetime).toBe(2_592_000);
    expect(options.realm).toBe('api');
    expect([...options.tokenLocations]).toEqual(['header']);
    expect(options.scopeSources).toEqual(['scope']);
    expect(options.cacheMaxEntries).toBe(1000);
    expect(options.keySet).toEqual({
      timeoutMs: 5000,
      maxBytes: 262144,
      cooldownMs: 30000,
      maxAgeMs: 600000,
      staleMaxAgeMs: 3600000,
    });
    expect(options.jwksUri).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing issuer', { issuer: undefined }, '"issuer" must be a non-empty string'],
    ['a relative issuer', { issuer: 'tenant.example.com' }, '"issuer" must be an absolute URL'],
    [
      'an http issuer on a public host',
      { issuer: 'http://tenant.example.com/' },
      '"issuer" must use https',
    ],
    ['a missing audience', { audience: undefined }, '"audience" must be a non-empty string'],
    ['an empty audience list', { audience: [] }, '"audience" must be a non-empty string'],
    ['an http jwksUri', { jwksUri: 'http://keys.example.com/jwks' }, '"jwksUri" must use https'],
    ['alg none', { algorithms: ['none'] }, '"algorithms" may only list asymmetric'],
    ['HS256', { algorithms: ['HS256'] }, '"algorithms" may only list asymmetric'],
    ['no algorithms', { algorithms: [] }, '"algorithms" must be a non-empty array'],
    ['an unknown profile', { tokenProfile: 'okta' }, '"tokenProfile" must be "auth0" or "rfc9068"'],
    [
      'a negative tolerance',
      { clockTolerance: -1 },
      '"clockTolerance" must be a non-negative number of seconds',
    ],
    [
      'a string tolerance',
      { clockTolerance: '5s' },
      '"clockTolerance" must be a non-negative number of seconds',
    ],
    [
      'a zero token size',
      { maxTokenSize: 0 },
      '"maxTokenSize" must be a positive whole number of bytes',
    ],
    [
      'an infinite lifetime',
      { maxTokenLifetime: Infinity },
      '"maxTokenLifetime" must be a positive number of seconds',
    ],
    [
      'a realm with a quote',
      { realm: 'a"b' },
      '"realm" must be a non-empty string of printable ASCII',
    ],
    [
      'an unknown location',
      { tokenLocations: ['cookie'] },
      '"tokenLocations" must be a non-empty array',
    ],
    [
      'an unknown scope source',
      { scopeSources: ['roles'] },
      '"scopeSources" must be a non-empty array',
    ],
    ['a non-function claim check', { claimCheck: 'yes' }, '"claimCheck" must be a function'],
    ['an unknown key set option', { keySet: { ttl: 5 } }, 'Unknown option "keySet.ttl"'],
    [
      'a zero key set timeout',
      { keySet: { timeoutMs: 0 } },
      '"keySet.timeoutMs" must be a positive number of milliseconds',
    ],
    [
      'stale age below max age',
      { keySet: { maxAgeMs: 10_000, staleMaxAgeMs: 5_000 } },
      '"keySet.staleMaxAgeMs" must not be smaller',
    ],
    [
      'a bad cache size',
      { cache: { maxEntries: 1.5 } },
      '"cache.maxEntries" must be a positive whole number',
    ],
    ['a bad dispatcher', { dispatcher: {} }, '"dispatcher" must be an undici Dispatcher'],
    ['a misspelt option', { audiance: 'x' }, 'Unknown verifier option "audiance"'],
    [
      'credentials in a URL',
      { jwksUri: 'https://user:pw@keys.example.com/' },
      '"jwksUri" must not contain credentials',
    ],
  ])('throws a TypeError for %s', (_, options, message) => {
    expect(() => create(options)).toThrow(TypeError);
    expect(() => create(options)).toThrow(message);
  });

  it('allows plain http on loopback hosts and with allowInsecureHttp', () => {
    expect(() => create({ issuer: 'http://127.0.0.1:3000/' })).not.toThrow();
    expect(() => create({ issuer: 'http://localhost:3000/' })).not.toThrow();
    expect(() => create({ issuer: 'http://[::1]:3000/' })).not.toThrow();
    expect(() =>
      create({ issuer: 'http://auth.internal/', allowInsecureHttp: true }),
    ).not.toThrow();
  });

  it('does not read anything from the environment', () => {
    process.env['ISSUER_BASE_URL'] = 'https://env.example.com/';
    try {
      expect(() => create({ issuer: undefined })).toThrow('"issuer"');
    } finally {
      delete process.env['ISSUER_BASE_URL'];
    }
  });
});
