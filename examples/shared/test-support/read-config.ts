import { describe, expect, it } from 'vitest';

/**
 * The tests of an API example's `readConfig` (its `src/config.ts`, the same in every API example).
 * Call it at the top level of the example's `test/config.test.ts` with that module's exports.
 */
export function describeReadConfig({
  readConfig,
  ConfigError,
}: {
  readConfig: (env: Record<string, string>) => { readonly issuer: string };
  ConfigError: new (message?: string) => Error;
}): void {
  const base = {
    ISSUER_BASE_URL: 'https://tenant.example.com',
    AUDIENCE: 'https://api.example.com',
  };

  describe('readConfig', () => {
    it('has the defaults the README lists', () => {
      expect(readConfig(base)).toEqual({
        issuer: 'https://tenant.example.com/',
        audience: 'https://api.example.com',
        port: 3000,
        algorithms: ['RS256'],
        tokenProfile: 'auth0',
      });
    });

    it('adds the trailing slash of Auth0 issuers to a bare origin and keeps a path as written', () => {
      expect(readConfig({ ...base, ISSUER_BASE_URL: 'https://tenant.example.com/' }).issuer).toBe(
        'https://tenant.example.com/',
      );
      expect(
        readConfig({ ...base, ISSUER_BASE_URL: 'https://idp.example.com/realms/x' }).issuer,
      ).toBe('https://idp.example.com/realms/x');
    });

    it('reads PORT, ALGORITHMS and TOKEN_PROFILE', () => {
      expect(
        readConfig({ ...base, PORT: '0', ALGORITHMS: 'RS256, ES256', TOKEN_PROFILE: 'rfc9068' }),
      ).toMatchObject({ port: 0, algorithms: ['RS256', 'ES256'], tokenProfile: 'rfc9068' });
    });

    it.each([
      [{ ...base, AUDIENCE: ' ' }, 'AUDIENCE is required'],
      [
        { ...base, ISSUER_BASE_URL: 'tenant.example.com' },
        'ISSUER_BASE_URL must be an absolute URL',
      ],
      [{ ...base, ISSUER_BASE_URL: 'https://tenant.example.com/?x=1' }, 'ISSUER_BASE_URL must not'],
      [{ ...base, PORT: '65536' }, 'PORT must be'],
      [{ ...base, PORT: '-1' }, 'PORT must be'],
      [{ ...base, ALGORITHMS: 'RS256,' }, 'ALGORITHMS must be'],
      [{ ...base, ALGORITHMS: 'none' }, 'ALGORITHMS must be'],
    ])('refuses %j', (env, message) => {
      expect(() => readConfig(env)).toThrow(ConfigError);
      expect(() => readConfig(env)).toThrow(message);
    });
  });
}
