import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.ts';

const base = {
  ISSUER_BASE_URL: 'https://tenant.example.com',
  CLIENT_ID: 'client',
  CLIENT_SECRET: 'secret',
  AUDIENCE: 'https://api.example.com',
  API_URL: 'http://127.0.0.1:3000/api/private-scoped',
  SESSION_SECRET: 'a session secret of 32 characters',
};

describe('readConfig', () => {
  it('has the defaults the README lists', () => {
    expect(readConfig(base)).toEqual({
      authorizationServer: { issuer: 'https://tenant.example.com/' },
      clientId: 'client',
      clientSecret: 'secret',
      audience: 'https://api.example.com',
      scope: 'openid offline_access read:sample',
      apiUrl: 'http://127.0.0.1:3000/api/private-scoped',
      sessionSecret: 'a session secret of 32 characters',
      port: 4000,
    });
  });

  it('takes TOKEN_ENDPOINT instead of ISSUER_BASE_URL, SCOPE and PORT', () => {
    const { ISSUER_BASE_URL: _issuer, ...rest } = base;
    expect(
      readConfig({
        ...rest,
        TOKEN_ENDPOINT: 'https://tenant.example.com/oauth/token',
        SCOPE: 'offline_access read:sample',
        PORT: '0',
      }),
    ).toMatchObject({
      authorizationServer: { tokenEndpoint: 'https://tenant.example.com/oauth/token' },
      scope: 'offline_access read:sample',
      port: 0,
    });
  });

  it('asks for no openid without the issuer: an ID token could not be validated', () => {
    const { ISSUER_BASE_URL: _issuer, ...rest } = base;
    const byEndpoint = { ...rest, TOKEN_ENDPOINT: 'https://tenant.example.com/oauth/token' };
    expect(readConfig(byEndpoint).scope).toBe('offline_access read:sample');
    expect(() => readConfig({ ...byEndpoint, SCOPE: 'openid read:sample' })).toThrow(
      /SCOPE asks for openid, whose ID token is validated with the issuer/,
    );
  });

  it.each([
    [{ ...base, CLIENT_ID: '' }, 'CLIENT_ID is required'],
    [{ ...base, AUDIENCE: ' ' }, 'AUDIENCE is required'],
    [{ ...base, API_URL: undefined }, 'API_URL is required'],
    [{ ...base, API_URL: 'https://user:pass@api.example.com/' }, 'API_URL must not contain'],
    [{ ...base, ISSUER_BASE_URL: 'tenant.example.com' }, 'ISSUER_BASE_URL must be an absolute'],
    [{ ...base, SESSION_SECRET: undefined }, 'SESSION_SECRET is required'],
    [{ ...base, PORT: '3.5' }, 'PORT must be'],
  ])('refuses %j', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('never repeats a value in its message', () => {
    expect(() => readConfig({ ...base, SESSION_SECRET: 'too-short-secret' })).toThrow(
      /^SESSION_SECRET must be at least 32 characters long$/,
    );
  });
});
