import { TokenClient, TokenManager } from '@ropkit/core';
import { TUTORIAL } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import {
  auth,
  claimCheck,
  claimEquals,
  claimIncludes,
  passwordLogin,
  requireAnyScope,
  requirement,
  requireScopes,
  type AuthOptions,
  type PasswordLoginOptions,
} from '../src/index.js';

// Nothing here is contacted: every check happens when the route is declared.
const issuer = 'https://tenant.example.com/';
const client = {
  issuer,
  clientId: TUTORIAL.clientId,
  clientSecret: TUTORIAL.clientSecret,
  audience: TUTORIAL.audience,
};
/** A value no error message may repeat. */
const CANARY = 'CANARY-not-for-messages';

/** The TypeError `declare` throws; fails the test when it throws nothing or something else. */
function typeErrorOf(declare: () => unknown): TypeError {
  let thrown: unknown;
  try {
    declare();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  return thrown as TypeError;
}

describe('auth(): its options are checked when the route is declared', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /^auth\(\) options must be an object$/],
    ['a string', issuer, /^auth\(\) options must be an object$/],
    ['no issuer', { audience: TUTORIAL.audience }, /^"issuer" must be a non-empty string/],
    ['an empty issuer', { issuer: '', audience: TUTORIAL.audience }, /^"issuer"/],
    [
      'an http issuer off loopback',
      { issuer: 'http://tenant.example.com/', audience: 'a' },
      /^"issuer"/,
    ],
    ['no audience', { issuer }, /^"audience" must be a non-empty string/],
    [
      'an unknown option',
      { issuer, audience: 'a', scopes: ['read:sample'] },
      /^Unknown verifier option "scopes"$/,
    ],
    [
      'a non-boolean optional',
      { issuer, audience: 'a', optional: 'yes' },
      /^"optional" must be a boolean$/,
    ],
    [
      'an unknown token location',
      { issuer, audience: 'a', tokenLocations: ['cookie'] },
      /^"tokenLocations"/,
    ],
    ['a realm with a quote', { issuer, audience: 'a', realm: 'a"b' }, /^"realm"/],
  ])('throws a TypeError for %s', (_name, options, message) => {
    expect(typeErrorOf(() => auth(options as AuthOptions)).message).toMatch(message);
  });

  it('names an option, never its value', () => {
    const error = typeErrorOf(() =>
      auth({ issuer: `https://admin:${CANARY}@tenant.example.com/`, audience: 'a' }),
    );
    expect(error.message).toBe('"issuer" must not contain credentials');
    const unknown = typeErrorOf(() =>
      auth({ issuer, audience: 'a', clientSecret: CANARY } as unknown as AuthOptions),
    );
    expect(unknown.message).toBe('Unknown verifier option "clientSecret"');
  });

  it('returns Express middleware for valid options', () => {
    const middleware = auth({ issuer, audience: TUTORIAL.audience, optional: true });
    expect(middleware).toBeTypeOf('function');
    expect(middleware).toHaveLength(3);
  });
});

describe('route requirements are checked when declared', () => {
  it.each<[string, () => unknown, RegExp]>([
    ['requireScopes()', () => requireScopes(), /^requireScopes needs at least one scope$/],
    ['requireAnyScope()', () => requireAnyScope(), /^requireAnyScope needs at least one scope$/],
    [
      'a scope with a space',
      () => requireScopes('read:sample write:sample'),
      /every scope must be/,
    ],
    ['a scope with a quote', () => requireAnyScope('bad"scope'), /every scope must be/],
    ['a scope that is not a string', () => requireScopes(42 as unknown as string), /every scope/],
    [
      'claimCheck without a function',
      () => claimCheck('yes' as unknown as () => boolean),
      /^the claim check must be a function$/,
    ],
    [
      'claimCheck with an empty description',
      () => claimCheck(() => true, ''),
      /^the claim check description/,
    ],
    [
      'claimEquals with an empty claim',
      () => claimEquals('', 'x'),
      /^the claim name must be a non-empty string$/,
    ],
    [
      'claimIncludes without values',
      () => claimIncludes('roles'),
      /^claimIncludes needs at least one value$/,
    ],
    [
      'requirement() without a function',
      () => requirement('admin' as never),
      /^the requirement must be a function$/,
    ],
  ])('%s throws a TypeError', (_name, declare, message) => {
    expect(typeErrorOf(declare).message).toMatch(message);
  });

  it('returns Express middleware for valid declarations', () => {
    for (const middleware of [
      requireScopes('read:sample'),
      requireAnyScope('read:sample', 'write:sample'),
      claimCheck(() => true),
      claimEquals('gty', 'password'),
      claimIncludes('aud', TUTORIAL.audience),
      requirement(() => undefined),
    ]) {
      expect(middleware).toBeTypeOf('function');
      expect(middleware).toHaveLength(3);
    }
  });
});

describe('passwordLogin(): its options are checked when it is called', () => {
  const manager = () => new TokenManager({ client: new TokenClient(client) });

  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /^passwordLogin\(\) options must be an object$/],
    ['no client', {}, /^"client" must be a TokenClient or TokenClient options$/],
    [
      'a misspelt option',
      { client, forwardUserip: true },
      /^Unknown passwordLogin\(\) option "forwardUserip"$/,
    ],
    [
      'an option of another adapter',
      { client, cookieName: 'sid' },
      /^Unknown passwordLogin\(\) option "cookieName"$/,
    ],
    [
      'a respond that is not a function',
      { client, respond: 'json' },
      /^"respond" must be a function$/,
    ],
    ['a null respond', { client, respond: null }, /^"respond" must be a function$/],
    [
      'a non-boolean forwardUserIp',
      { client, forwardUserIp: 'yes' },
      /^"forwardUserIp" must be a boolean$/,
    ],
    ['an empty realm', { client, realm: '' }, /^"realm" must be a non-empty string$/],
    [
      'a zero mfaStepTtlMs',
      { client, mfaStepTtlMs: 0 },
      /^"mfaStepTtlMs" must be a positive number/,
    ],
    [
      'a logger that is not an object',
      { client, logger: 'console' },
      /^"logger" must be an object/,
    ],
    ['client options without an endpoint', { client: { clientId: 'x' } }, /./],
  ])('throws a TypeError for %s', (_name, options, message) => {
    expect(typeErrorOf(() => passwordLogin(options as PasswordLoginOptions)).message).toMatch(
      message,
    );
  });

  it('refuses a ready manager together with a client', () => {
    // The types allow it (a manager looks like manager options): the call refuses it.
    const error = typeErrorOf(() => passwordLogin({ client, manager: manager() }));
    expect(error.message).toBe(
      'Give "client" or a ready "manager", not both: a manager has its client',
    );
  });

  it('names an unknown option, never its value', () => {
    const error = typeErrorOf(() =>
      passwordLogin({ client, clientSecret: CANARY } as unknown as PasswordLoginOptions),
    );
    expect(error.message).toBe('Unknown passwordLogin() option "clientSecret"');
  });

  it('takes respond as its own option (core never sees it) and returns the handlers', () => {
    const login = passwordLogin({ client, respond: () => undefined, forwardUserIp: true });
    for (const handler of [login.tokens, login.login, login.verifyOtp, login.logout]) {
      expect(handler).toBeTypeOf('function');
      expect(handler).toHaveLength(3);
    }
    expect(login.manager).toBeInstanceOf(TokenManager);
  });

  it('uses a ready TokenManager as it is', () => {
    const ready = manager();
    expect(passwordLogin({ manager: ready }).manager).toBe(ready);
  });
});
