// Mistakes in a route declaration or in passwordLogin() options are thrown when the app is built,
// as TypeErrors naming the option, before any request: the Fastify entry points are checked here
// (the rules themselves are core's, tested there).
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

const verifier: AuthOptions = {
  issuer: 'https://tenant.example.com/',
  audience: TUTORIAL.audience,
};

const client = {
  tokenEndpoint: 'https://tenant.example.com/oauth/token',
  clientId: TUTORIAL.clientId,
  clientSecret: TUTORIAL.clientSecret,
};

/** Calls `create` with an options object the types would refuse. */
function untyped(create: (options: never) => unknown, options: unknown): () => unknown {
  return () => create(options as never);
}

/** The error `passwordLogin(options)` throws. */
function thrownBy(options: unknown): unknown {
  try {
    passwordLogin(options as PasswordLoginOptions);
  } catch (error) {
    return error;
  }
  throw new Error('passwordLogin() accepted the options');
}

describe('auth() checks its options when the hook is created', () => {
  it('accepts valid options and returns a hook', () => {
    expect(typeof auth(verifier)).toBe('function');
  });

  it.each([
    ['no options object', null, 'auth() options must be an object'],
    ['no audience', { issuer: verifier.issuer }, '"audience" must be a non-empty string'],
    [
      'optional that is not a boolean',
      { ...verifier, optional: 'yes' },
      '"optional" must be a boolean',
    ],
    ['a negative clock tolerance', { ...verifier, clockTolerance: -1 }, '"clockTolerance"'],
    ['an unknown token location', { ...verifier, tokenLocations: ['cookie'] }, '"tokenLocations"'],
  ])('throws a TypeError for %s', (_case, options, message) => {
    const create = untyped(auth, options);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
  });
});

describe('requirements are checked when the route is declared', () => {
  it('returns hooks for valid declarations', () => {
    for (const hook of [
      requireScopes('read:sample'),
      requireAnyScope('read:sample', 'write:sample'),
      claimCheck(() => true),
      claimEquals('azp', TUTORIAL.clientId),
      claimIncludes('roles', 'reader'),
      requirement(() => undefined),
    ]) {
      expect(typeof hook).toBe('function');
    }
  });

  it.each([
    ['requireScopes() without a scope', () => requireScopes()],
    [
      'requireAnyScope() with a scope holding a space and a quote',
      () => requireAnyScope('bad scope"'),
    ],
    ['claimCheck() without a function', () => claimCheck('nope' as never)],
    ['claimCheck() with an empty description', () => claimCheck(() => true, '')],
    ['claimIncludes() without a value', () => claimIncludes('roles')],
    ['claimEquals() with an empty claim name', () => claimEquals('', 'x')],
    ['requirement() without a function', () => requirement('nope' as never)],
  ])('throws a TypeError for %s', (_case, declare) => {
    expect(declare).toThrow(TypeError);
  });
});

describe('passwordLogin() checks its options when it is called', () => {
  it('refuses an unknown option, naming it and passwordLogin()', () => {
    expect(untyped(passwordLogin, { client, x: 1 })).toThrow(
      new TypeError('Unknown passwordLogin() option "x"'),
    );
    // A misspelling of a real option is an unknown one too, not silently ignored.
    expect(untyped(passwordLogin, { client, forwardUserip: true })).toThrow(
      'Unknown passwordLogin() option "forwardUserip"',
    );
  });

  it('refuses a respond that is not a function', () => {
    expect(untyped(passwordLogin, { client, respond: 'redirect' })).toThrow(
      new TypeError('"respond" must be a function'),
    );
  });

  it('accepts respond, which is not one of core options', () => {
    const options: PasswordLoginOptions = { client, respond: () => undefined };
    expect(typeof passwordLogin(options).login).toBe('function');
  });

  it('refuses no options, no client, and a client next to a ready manager', () => {
    for (const options of [undefined, null, 'client']) {
      expect(untyped(passwordLogin, options)).toThrow(
        new TypeError('passwordLogin() options must be an object'),
      );
    }
    expect(untyped(passwordLogin, {})).toThrow(
      new TypeError('"client" must be a TokenClient or TokenClient options'),
    );
    const manager = new TokenManager({ client: new TokenClient(client) });
    expect(untyped(passwordLogin, { manager, client })).toThrow(
      'Give "client" or a ready "manager", not both',
    );
    expect(passwordLogin({ manager }).manager).toBe(manager);
  });

  it.each([
    ['an empty realm', { realm: '' }, '"realm" must be a non-empty string'],
    [
      'forwardUserIp that is not a boolean',
      { forwardUserIp: 'yes' },
      '"forwardUserIp" must be a boolean',
    ],
    ['a zero mfaStepTtlMs', { mfaStepTtlMs: 0 }, '"mfaStepTtlMs" must be a positive number'],
    ['a logger that is not an object', { logger: 'console' }, '"logger" must be an object'],
  ])('throws a TypeError for %s', (_case, extra, message) => {
    const create = untyped(passwordLogin, { client, ...extra });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
  });

  it('names the option, never its value', () => {
    const badTtl = thrownBy({ client, mfaStepTtlMs: -987_654_321 });
    expect(badTtl).toBeInstanceOf(TypeError);
    expect(String(badTtl)).toContain('"mfaStepTtlMs"');
    expect(String(badTtl)).not.toContain('987');
    const badRealm = thrownBy({ client, realm: 987_654_321 });
    expect(String(badRealm)).toContain('"realm"');
    expect(String(badRealm)).not.toContain('987');
  });
});
