import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MfaRequiredError, TokenClient, TokenManager } from '../../src/index.js';
import { SECRETS, TUTORIAL, useMockServer } from './support.js';

const mock = useMockServer();

/** Every spelling of a secret that could end up somewhere: plain, URL-encoded, base64. */
function spellings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(`basic-client:${secret}`).toString('base64'),
  ];
}

function everythingShown(value: unknown): string {
  const parts = [inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) {
    parts.push(
      value.message,
      value.stack ?? '',
      inspect(value.cause, { depth: 10, showHidden: true }),
    );
  }
  return parts.join('\n');
}

function expectNoSecret(value: unknown, secrets: string[]): void {
  const shown = everythingShown(value);
  for (const secret of secrets) {
    for (const spelling of spellings(secret)) expect(shown).not.toContain(spelling);
  }
}

describe('no secret appears in a message, stack, cause, JSON or inspect output', () => {
  const password = 'CanaryPassword!+/ %1';
  const clientSecret = 'CanaryClientSecret:+/%';

  it('in the client itself', () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret,
      clientAuthentication: 'client_secret_basic',
    });
    expectNoSecret(client, [clientSecret]);
    expectNoSecret(new TokenManager({ client }), [clientSecret]);
  });

  it('in errors from a wrong client secret (Basic) and a wrong password', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret,
      clientAuthentication: 'client_secret_basic',
      audience: TUTORIAL.audience,
    });
    const error = await client
      .password({ username: TUTORIAL.username, password })
      .catch((e: unknown) => e);
    expectNoSecret(error, [password, clientSecret]);
    const good = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: 'basic-client',
      clientSecret: SECRETS.basicSecret,
      clientAuthentication: 'client_secret_basic',
      audience: TUTORIAL.audience,
    });
    const wrongPassword = await good
      .password({ username: TUTORIAL.username, password })
      .catch((e: unknown) => e);
    expectNoSecret(wrongPassword, [password, SECRETS.basicSecret]);
  });

  it('in errors from network failures, timeouts and bad answers', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret,
      timeoutMs: 200,
    });
    for (const fault of [
      { kind: 'drop' },
      { kind: 'latency', delayMs: 1_000 },
      { kind: 'html' },
      { kind: 'malformed-json' },
    ] as const) {
      await mock.server.control.queueFault({ endpoint: '/oauth/token', ...fault });
      const error = await client
        .password({ username: TUTORIAL.username, password })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expectNoSecret(error, [password, clientSecret]);
    }
  });

  it('in MfaRequiredError: the mfa_token is reachable only through its getter', async () => {
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
    });
    const error = await client
      .password({ username: 'mfa@example.com', password: 'mfa-pwd' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MfaRequiredError);
    const { mfaToken } = error as MfaRequiredError;
    expect(mfaToken.length).toBeGreaterThan(10);
    expectNoSecret(error, [mfaToken, 'mfa-pwd']);
  });

  it('in errors from refresh tokens that are refused', async () => {
    const refreshToken = 'CanaryRefreshToken-1234567890';
    const client = new TokenClient({
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    });
    const error = await client.refresh({ refreshToken }).catch((e: unknown) => e);
    expectNoSecret(error, [refreshToken, TUTORIAL.clientSecret]);
  });
});
