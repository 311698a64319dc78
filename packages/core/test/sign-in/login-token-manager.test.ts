import { describe, expect, it } from 'vitest';
import { TokenClient, TokenManager } from '../../src/index.js';
import {
  loginTokenManager,
  type LoginManagerOptions,
} from '../../src/sign-in/login-token-manager.js';

const clientOptions = {
  tokenEndpoint: 'http://127.0.0.1:9/oauth/token',
  clientId: 'client',
  clientSecret: 'a-client-secret',
};

describe('loginTokenManager: the manager behind every adapter login handler', () => {
  it('returns a ready manager as it is', () => {
    const manager = new TokenManager({ client: new TokenClient(clientOptions) });
    expect(loginTokenManager({ manager })).toBe(manager);
  });

  it('builds a manager around a client, or around client options', () => {
    const client = new TokenClient(clientOptions);
    expect(loginTokenManager({ client })).toBeInstanceOf(TokenManager);
    expect(
      loginTokenManager({ client: clientOptions, manager: { refreshShare: 0.5 } }),
    ).toBeInstanceOf(TokenManager);
  });

  it('refuses a ready manager together with a client, and no client at all', () => {
    const manager = new TokenManager({ client: new TokenClient(clientOptions) });
    const both: unknown = { manager, client: clientOptions };
    expect(() => loginTokenManager(both as LoginManagerOptions)).toThrow(
      'Give "client" or a ready "manager", not both',
    );
    expect(() => loginTokenManager({} as never)).toThrow(
      '"client" must be a TokenClient or TokenClient options',
    );
    expect(() => loginTokenManager({ client: clientOptions, manager: 'fast' as never })).toThrow(
      '"manager" must be a TokenManager or TokenManager options',
    );
  });

  it('passes invalid options on to the client and manager checks, without secrets', () => {
    expect(() =>
      loginTokenManager({ client: { ...clientOptions, tokenEndpoint: 'not a url' } }),
    ).toThrow(TypeError);
    let message = '';
    try {
      loginTokenManager({ client: clientOptions, manager: { refreshShare: 7 } });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/TypeError/);
    expect(message).not.toContain('a-client-secret');
  });
});
