import { describe, expect, it } from 'vitest';
import { LOGIN_ROUTES, TokenClient, TokenManager } from '@ropkit/core';
import {
  auth,
  claimCheck,
  claimEquals,
  claimIncludes,
  passwordLogin,
  requireAnyScope,
  requireScopes,
  requirement,
} from '../src/index.js';

// Nothing here is served: a mistake must surface when the app is built, as a TypeError naming
// the option, and not as a 500 on the first request.
const verifier = { issuer: 'https://tenant.example.com/', audience: 'https://api.example.com' };
const client = {
  tokenEndpoint: 'https://tenant.example.com/oauth/token',
  clientId: 'app',
  clientSecret: 'client-secret-canary-7f3a',
};

/** What `declare` throws, or `undefined`. */
function thrownBy(declare: () => unknown): unknown {
  try {
    declare();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The message of the TypeError `declare` throws; anything else fails the test. */
function typeErrorOf(declare: () => unknown): string {
  const error = thrownBy(declare);
  if (!(error instanceof TypeError)) throw new Error(`expected a TypeError, got ${String(error)}`);
  return error.message;
}

describe('auth(options)', () => {
  it('returns middleware for valid options, without a request', () => {
    expect(typeof auth(verifier)).toBe('function');
    expect(typeof auth({ ...verifier, optional: true, tokenLocations: ['query'] })).toBe(
      'function',
    );
  });

  it('throws a TypeError naming the bad option', () => {
    expect(typeErrorOf(() => auth(undefined as never))).toBe('auth() options must be an object');
    expect(typeErrorOf(() => auth({ ...verifier, optional: 'yes' as never }))).toBe(
      '"optional" must be a boolean',
    );
    expect(typeErrorOf(() => auth({ ...verifier, audiences: 'x' } as never))).toBe(
      'Unknown verifier option "audiences"',
    );
    expect(typeErrorOf(() => auth({ ...verifier, issuer: '' }))).toMatch(/issuer/);
    expect(typeErrorOf(() => auth({ ...verifier, tokenLocations: ['cookie' as never] }))).toMatch(
      /tokenLocations/,
    );
  });
});

describe('requirements', () => {
  it('throw a TypeError when the route is declared', () => {
    expect(typeErrorOf(() => requireScopes())).toMatch(/requireScopes/);
    expect(typeErrorOf(() => requireAnyScope('bad"scope'))).toMatch(/requireAnyScope/);
    expect(typeErrorOf(() => claimCheck('gty' as never))).toBe(
      'the claim check must be a function',
    );
    expect(typeErrorOf(() => claimCheck(() => true, ''))).toBe(
      'the claim check description must be a non-empty string',
    );
    expect(typeErrorOf(() => claimEquals('', 'x'))).toBe(
      'the claim name must be a non-empty string',
    );
    expect(typeErrorOf(() => claimIncludes('permissions'))).toBe(
      'claimIncludes needs at least one value',
    );
    expect(typeErrorOf(() => requirement('gty' as never))).toBe(
      'the requirement must be a function',
    );
  });

  it('build middleware from valid declarations', () => {
    const built = [
      requireScopes('read:sample'),
      requireAnyScope('read:sample', 'write:sample'),
      claimCheck((payload) => payload.gty === 'password'),
      claimEquals('gty', 'password'),
      claimIncludes('permissions', 'read:orders'),
      requirement(() => undefined),
    ];
    expect(built.map((middleware) => typeof middleware)).toEqual(Array(6).fill('function'));
  });
});

describe('passwordLogin(options)', () => {
  it('throws a TypeError naming the bad option', () => {
    expect(typeErrorOf(() => passwordLogin(undefined as never))).toBe(
      'passwordLogin() options must be an object',
    );
    expect(typeErrorOf(() => passwordLogin({ client, forwardUserip: true } as never))).toBe(
      'Unknown passwordLogin() option "forwardUserip"',
    );
    expect(typeErrorOf(() => passwordLogin({ client, respond: 'redirect' as never }))).toBe(
      '"respond" must be a function',
    );
    expect(typeErrorOf(() => passwordLogin({ client, realm: '' }))).toBe(
      '"realm" must be a non-empty string',
    );
    expect(typeErrorOf(() => passwordLogin({ client, forwardUserIp: 'yes' as never }))).toMatch(
      /forwardUserIp/,
    );
    expect(typeErrorOf(() => passwordLogin({ client, mfaStepTtlMs: 0 }))).toMatch(/mfaStepTtlMs/);
    expect(typeErrorOf(() => passwordLogin({ client, logger: 'console' as never }))).toMatch(
      /logger/,
    );
  });

  it('never puts an option value, the client secret included, in the message', () => {
    const message = typeErrorOf(() =>
      passwordLogin({ client: { ...client, tokenEndpoint: `not a url ${client.clientSecret}` } }),
    );
    expect(message).not.toContain(client.clientSecret);
    expect(message).not.toContain('not a url');
  });

  it('takes a ready TokenManager instead of client, but not both', () => {
    const manager = new TokenManager({ client: new TokenClient(client) });
    expect(passwordLogin({ manager }).manager).toBe(manager);
    expect(typeErrorOf(() => passwordLogin({ manager, client }))).toMatch(/not both/);
  });

  it('returns a middleware per login route, tokens and the manager, without a request', () => {
    const login = passwordLogin({ client, respond: () => undefined });
    expect(Object.keys(login).toSorted()).toEqual(
      [...LOGIN_ROUTES, 'manager', 'tokens'].toSorted(),
    );
    expect(login.manager).toBeInstanceOf(TokenManager);
    login.manager.close();
  });
});
