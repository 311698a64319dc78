import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { startMockServer, TUTORIAL, tutorialTenant, type MockServerConfig } from '../src/index.js';

/** What starting with `config` throws (a server that does start is closed and yields `undefined`). */
async function rejectionOf(config: unknown): Promise<unknown> {
  return startMockServer(config as MockServerConfig).then(
    async (server) => server.close(),
    (error: unknown) => error,
  );
}

/** Starting must fail with a TypeError whose message matches `pattern`; returns the message. */
async function expectRejected(config: unknown, pattern: RegExp): Promise<string> {
  const error = await rejectionOf(config);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as TypeError).message).toMatch(pattern);
  return (error as TypeError).message;
}

const user = { email: TUTORIAL.username, password: TUTORIAL.password };

describe('configuration is validated at start, with the option named', () => {
  it.each<[string, unknown, RegExp]>([
    ['a misspelt top-level option', { defaultDirectroy: 'x' }, /Unknown option "defaultDirectroy"/],
    [
      'an issuer without the trailing slash',
      { issuer: 'https://tenant.example.com' },
      /"issuer" must be an absolute/,
    ],
    ['an issuer with a path', { issuer: 'https://tenant.example.com/tenant/' }, /"issuer" must be/],
    ['a relative issuer', { issuer: '/' }, /"issuer" must be/],
    [
      'a default directory that names no connection',
      { defaultDirectory: 'nowhere' },
      /"defaultDirectory" names no connection/,
    ],
    [
      'a default audience that names no API',
      { defaultAudience: 'https://nowhere' },
      /"defaultAudience" names no API/,
    ],
    [
      'a misspelt grant type',
      { clients: [{ clientId: 'c', grantTypes: ['pasword'] }] },
      /"clients\[0\]\.grantTypes\[0\]" is not an Auth0 grant type/,
    ],
    [
      'two clients with one id',
      { clients: [{ clientId: 'c' }, { clientId: 'c' }] },
      /"clients" has two entries with clientId "c"/,
    ],
    [
      'a post client without a secret',
      { clients: [{ clientId: 'c', tokenEndpointAuthMethod: 'client_secret_post' }] },
      /"clients\[0\]\.clientSecret" is required/,
    ],
    [
      'an unknown auth method',
      {
        clients: [{ clientId: 'c', clientSecret: 's', tokenEndpointAuthMethod: 'private_key_jwt' }],
      },
      /must be one of: client_secret_post, client_secret_basic, none/,
    ],
    [
      'a brute-force threshold of 0',
      { bruteForce: { threshold: 0 } },
      /"bruteForce.threshold" must be an integer from 1 to 100/,
    ],
    ['a brute-force threshold of 101', { bruteForce: { threshold: 101 } }, /from 1 to 100/],
    [
      'a rate limit without a window',
      { rateLimit: { limit: 5 } },
      /^"rateLimit\.windowSeconds" is required: an integer from 1 to 86400 seconds$/,
    ],
    [
      'a fractional token lifetime',
      { apis: [{ identifier: 'https://a', tokenLifetime: 1.5 }] },
      /"apis\[0\]\.tokenLifetime" must be an integer/,
    ],
    [
      'an unknown token profile',
      { apis: [{ identifier: 'https://a', tokenProfile: 'jwt' }] },
      /must be one of: auth0, rfc9068/,
    ],
    [
      'a short TOTP secret',
      {
        connections: [
          { name: 'db', users: [{ ...user, mfa: { totpSecret: 'JBSWY3DPEHPK3PXP' } }] },
        ],
      },
      /at least 16 bytes/,
    ],
    [
      'an SMS authenticator without an E.164 phone number',
      { connections: [{ name: 'db', users: [{ ...user, mfa: { sms: ['555-0100'] } }] }] },
      /"connections\[0\]\.users\[0\]\.mfa\.sms\[0\]" must be a phone number in E\.164 format/,
    ],
    [
      'an email authenticator that is not an address',
      { connections: [{ name: 'db', users: [{ ...user, mfa: { email: ['nobody'] } }] }] },
      /"connections\[0\]\.users\[0\]\.mfa\.email\[0\]" must be an email address/,
    ],
    [
      'an unknown MFA factor',
      { mfaFactors: ['otp', 'webauthn-roaming'] },
      /"mfaFactors\[1\]" is not an MFA factor; expected one of: otp, sms, voice, email, push-notification, recovery-code/,
    ],
    [
      'an idle refresh token lifetime beyond the lifetime',
      { clients: [{ clientId: 'c', refreshToken: { lifetime: 3600, idleLifetime: 3601 } }] },
      /^"clients\[0\]\.refreshToken\.idleLifetime" must not exceed "lifetime"$/,
    ],
    [
      'an idle refresh token lifetime beyond a year',
      { clients: [{ clientId: 'c', refreshToken: { idleLifetime: 31_557_601 } }] },
      /"clients\[0\]\.refreshToken\.idleLifetime" must be an integer from 1 to 31557600 seconds/,
    ],
    [
      'a user without a password',
      { connections: [{ name: 'db', users: [{ email: 'a@example.com' }] }] },
      /"connections\[0\]\.users\[0\]\.password" is required: a non-empty string/,
    ],
    [
      'two users with one email',
      { connections: [{ name: 'db', users: [user, { ...user, password: 'other' }] }] },
      /two entries with login name/,
    ],
    [
      'a permission the API does not define',
      {
        apis: [{ identifier: 'https://a', scopes: ['read'] }],
        connections: [
          { name: 'db', users: [{ ...user, permissions: { 'https://a': ['write'] } }] },
        ],
      },
      /gives "write", which API "https:\/\/a" does not define/,
    ],
    [
      'a claim that is not namespaced',
      { rules: [{ name: 'r', accessTokenClaims: { role: 'admin' } }] },
      /claim "role", which is not namespaced/,
    ],
    [
      'a rule for an unknown connection',
      { rules: [{ name: 'r', connection: 'nowhere' }] },
      /"rules\[0\]\.connection" names no connection/,
    ],
    [
      'an unsupported signing algorithm',
      { signingKeys: [{ alg: 'HS256' }] },
      /"signingKeys\[0\]\.alg" must be one of: RS256, PS256, ES256, EdDSA/,
    ],
    ['a port out of range', { port: 70_000 }, /"port" must be an integer from 0 to 65535/],
  ])('rejects %s', async (_what, config, pattern) => {
    const error = await rejectionOf(config);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toMatch(pattern);
  });

  it('rejects a fixed key of the wrong type without printing it', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const message = await expectRejected(
      { signingKeys: [{ alg: 'RS256', privateJwk }] },
      /"signingKeys\[0\]\.privateJwk" must be a kty "RSA" key for RS256/,
    );
    expect(message).not.toContain(privateJwk.d);
  });

  it('rejects a public key given as the private key', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const error = await rejectionOf({
      signingKeys: [{ alg: 'ES256', privateJwk: await exportJWK(publicKey) }],
    });
    expect(error).toEqual(
      new TypeError('"signingKeys[0].privateJwk" must be a private key (it has no "d")'),
    );
  });

  it('never puts a secret into a message', async () => {
    const secrets = {
      clientSecret: 'CLIENT-SECRET-1234',
      password: 'PASSWORD-5678',
      totpSecret: 'NOT+BASE32+SECRET',
    };
    const messages = [
      await expectRejected(
        tutorialTenant({
          clients: [
            {
              clientId: 'c',
              clientSecret: secrets.clientSecret,
              grantTypes: [secrets.clientSecret],
            },
          ],
        }),
        /is not an Auth0 grant type/,
      ),
      await expectRejected(
        {
          connections: [
            {
              name: 'db',
              users: [
                { email: 'a@example.com', password: secrets.password, pasword: secrets.password },
              ],
            },
          ],
        },
        /Unknown option "connections\[0\]\.users\[0\]\.pasword"/,
      ),
      await expectRejected(
        {
          connections: [
            { name: 'db', users: [{ ...user, mfa: { totpSecret: secrets.totpSecret } }] },
          ],
        },
        /must be base32/,
      ),
    ];
    for (const message of messages) {
      for (const secret of Object.values(secrets)) expect(message).not.toContain(secret);
    }
  });

  it('accepts the tutorial tenant and an empty configuration', async () => {
    const tutorial = await startMockServer(tutorialTenant());
    await tutorial.close();
    const empty = await startMockServer();
    expect(empty.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await empty.close();
  });
});
