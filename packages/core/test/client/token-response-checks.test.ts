import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  InvalidTokenResponseError,
  OAuthError,
  TokenClient,
  TokenRequestError,
} from '../../src/index.js';
import { saneExpiresIn } from '../../src/client/token-response.js';
import { TUTORIAL, tutorialClient, useMockServer } from './support.js';

const mock = useMockServer();
const signIn = (client = tutorialClient(mock.server)) =>
  client.password({ username: TUTORIAL.username, password: TUTORIAL.password });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const tokenBody = (overrides: Record<string, unknown>) => ({
  access_token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
  token_type: 'Bearer',
  expires_in: 3600,
  ...overrides,
});

async function answerWith(body: unknown, status = 200): Promise<unknown> {
  await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'status', status, body });
  return signIn();
}

describe('RFC 6749 section 5.1: the answer is checked, not trusted', () => {
  it('refuses an HTML error page', async () => {
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'html', status: 502 });
    const error = await failure(signIn());
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as InvalidTokenResponseError).status).toBe(502);
    expect((error as Error).message).toContain('not JSON');
  });

  it('refuses truncated JSON', async () => {
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'malformed-json' });
    expect(await failure(signIn())).toBeInstanceOf(InvalidTokenResponseError);
  });

  it.each([
    ['no access_token', { access_token: undefined }],
    ['an access_token with characters outside b64token', { access_token: 'a b' }],
    ['a non-string access_token', { access_token: 42 }],
    ['token_type mac', { token_type: 'mac' }],
    ['no token_type', { token_type: undefined }],
    ['a non-string refresh_token', { refresh_token: 7 }],
  ])('refuses %s', async (_, overrides) => {
    expect(await failure(answerWith(tokenBody(overrides)))).toBeInstanceOf(
      InvalidTokenResponseError,
    );
  });

  it('accepts token_type in any case (RFC 6749 section 7.1)', async () => {
    const tokens = (await answerWith(tokenBody({ token_type: 'bearer' }))) as { tokenType: string };
    expect(tokens.tokenType).toBe('Bearer');
  });

  it('refuses a body over maxResponseBytes', async () => {
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 200,
      body: tokenBody({ padding: 'x'.repeat(100_000) }),
    });
    const error = await failure(signIn(tutorialClient(mock.server, { maxResponseBytes: 10_000 })));
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toContain('over 10000 bytes');
  });

  it('does not follow a redirect: a 307 would re-send the password elsewhere', async () => {
    let received = 0;
    const elsewhere = createServer((_req, res) => {
      received++;
      res.end();
    });
    elsewhere.listen(0, '127.0.0.1');
    await once(elsewhere, 'listening');
    try {
      const location = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
      await mock.server.control.queueFault({
        endpoint: '/oauth/token',
        kind: 'redirect',
        status: 307,
        location,
      });
      const error = await failure(signIn());
      expect(error).toBeInstanceOf(TokenRequestError);
      expect((error as TokenRequestError).reason).toBe('redirect');
      expect(received).toBe(0);
    } finally {
      elsewhere.close();
    }
  });

  it('gives up after timeoutMs when the server is slow', async () => {
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'latency',
      delayMs: 2_000,
    });
    const error = await failure(signIn(tutorialClient(mock.server, { timeoutMs: 200 })));
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).reason).toBe('timeout');
  });

  it('reports a dropped connection as a network failure', async () => {
    await mock.server.control.queueFault({ endpoint: '/oauth/token', kind: 'drop' });
    const error = await failure(signIn());
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).reason).toBe('network');
  });

  it('turns an OAuth error body into OAuthError with status and Retry-After', async () => {
    await mock.server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'status',
      status: 429,
      body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
      headers: { 'retry-after': '7' },
    });
    const error = (await failure(signIn())) as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect([error.status, error.error, error.retryAfter]).toEqual([429, 'too_many_requests', 7]);
  });

  it('cleans a hostile error_description (control characters, quotes, length)', async () => {
    const description = `bad"\r\nInjected: header\u0000${'x'.repeat(1000)}`;
    const error = (await failure(
      answerWith({ error: 'invalid_request', error_description: description }, 400),
    )) as OAuthError;
    expect(error.errorDescription).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/);
    expect(error.errorDescription?.length).toBeLessThanOrEqual(300);
  });

  it('refuses a 5xx without an OAuth error body', async () => {
    const error = await failure(answerWith('upstream failed', 503));
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as InvalidTokenResponseError).status).toBe(503);
  });
});

describe('expires_in is made safe to schedule with', () => {
  const policy = { defaultExpiresIn: 60, maxExpiresIn: 86_400 };

  it.each<[string, unknown, number]>([
    ['a normal value', 3600, 3600],
    ['a fraction: floored (RFC 6749 appendix A.14)', 3599.9, 3599],
    ['a fraction just above a whole second', 60.0001, 60],
    ['less than a second: floored to 0, so the default', 0.5, 60],
    ['a string with a fraction', '3599.9', 60],
    ['a string of digits', '3600', 3600],
    ['missing', undefined, 60],
    ['zero', 0, 60],
    ['negative', -5, 60],
    ['NaN-like text', 'soon', 60],
    ['a huge value', 1e12, 86_400],
    ['Infinity (JSON 1e400)', Infinity, 86_400],
    ['an object', { s: 1 }, 60],
  ])('%s', (_, value, expected) => {
    expect(saneExpiresIn(value, policy)).toBe(expected);
  });

  it('applies over the wire: expires_in 0 gets the default lifetime', async () => {
    const tokens = (await answerWith(tokenBody({ expires_in: 0 }))) as { expiresIn: number };
    expect(tokens.expiresIn).toBe(60);
  });

  it('applies over the wire: expires_in 3599.9 is 3599 whole seconds', async () => {
    const tokens = (await answerWith(tokenBody({ expires_in: 3599.9 }))) as {
      expiresIn: number;
      expiresAt: number;
      receivedAt: number;
    };
    expect(tokens.expiresIn).toBe(3599);
    expect(tokens.expiresAt - tokens.receivedAt).toBe(3_599_000);
  });

  it('records the server clock offset from the Date header', async () => {
    const tokens = await signIn();
    expect(Math.abs(tokens.clockOffsetMs ?? Infinity)).toBeLessThan(5_000);
  });
});

describe('plain http endpoints', () => {
  it('are refused unless loopback or allowed', () => {
    expect(
      () =>
        new TokenClient({ tokenEndpoint: 'http://auth.example.com/oauth/token', clientId: 'c' }),
    ).toThrow('"tokenEndpoint" must use https');
    expect(
      () =>
        new TokenClient({
          tokenEndpoint: 'http://auth.example.com/oauth/token',
          clientId: 'c',
          allowInsecureHttp: true,
        }),
    ).not.toThrow();
  });
});

describe('options are validated when the client is created', () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      'no endpoint',
      { tokenEndpoint: undefined },
      'Give "issuer" (for discovery) or "tokenEndpoint"',
    ],
    ['no client id', { clientId: '' }, '"clientId" must be a non-empty string'],
    [
      'basic without a secret',
      { clientSecret: undefined, clientAuthentication: 'client_secret_basic' },
      'needs "clientSecret"',
    ],
    ['none with a secret', { clientAuthentication: 'none' }, 'remove "clientSecret"'],
    [
      'an unknown method',
      { clientAuthentication: 'private_key_jwt' },
      '"clientAuthentication" must be',
    ],
    ['a bad scope', { scope: 'read "all"' }, '"scope" must be scope-tokens'],
    ['a zero timeout', { timeoutMs: 0 }, '"timeoutMs" must be a positive number'],
    ['a misspelt option', { clientSecrett: 'x' }, 'Unknown token client option "clientSecrett"'],
  ])('%s', (_, overrides, message) => {
    const options = {
      tokenEndpoint: 'https://tenant.example.com/oauth/token',
      clientId: 'client',
      clientSecret: 'secret',
      ...overrides,
    };
    expect(() => new TokenClient(options as never)).toThrow(message);
  });
});
