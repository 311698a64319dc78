import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderError } from '../../src/adapter.js';
import {
  TokenClient,
  TokenManager,
  UserinfoError,
  type UserinfoErrorReason,
} from '../../src/index.js';
import { isRetryable, retryAfterOf, statusOf } from '../../src/client/token-errors.js';
import {
  HOSTILE_CLIENT,
  HOSTILE_SUBJECT,
  hostileIssuerClient,
  useHostileIssuer,
} from '../support/hostile-issuer.js';

const hostile = useHostileIssuer();
const ACCESS_TOKEN = 'canary-access-token-0123456789';

const client = (): TokenClient => hostileIssuerClient(hostile.server);

async function failure(): Promise<UserinfoError> {
  const error: unknown = await client()
    .userinfo(ACCESS_TOKEN)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(UserinfoError);
  const shown = `${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error)}`;
  expect(shown).not.toContain(ACCESS_TOKEN);
  expect(shown).not.toContain(HOSTILE_CLIENT.clientSecret);
  return error as UserinfoError;
}

describe('TokenClient.userinfo (OpenID Connect Core 1.0 section 5.3)', () => {
  it('GETs the discovered userinfo_endpoint with the bearer token, and freezes the answer', async () => {
    hostile.server.userinfo = {
      status: 200,
      body: { sub: HOSTILE_SUBJECT, name: 'Canary', 'https://example.com/roles': ['admin'] },
    };
    const claims = await client().userinfo(ACCESS_TOKEN);
    expect(claims).toEqual({
      sub: HOSTILE_SUBJECT,
      name: 'Canary',
      'https://example.com/roles': ['admin'],
    });
    expect(Object.isFrozen(claims)).toBe(true);
    expect(hostile.server.lastUserinfoAuthorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it.each<
    [
      string,
      { status: number; body?: object | string; headers?: Record<string, string> },
      UserinfoErrorReason,
      boolean,
    ]
  >([
    ['a plain-text 401 (Auth0)', { status: 401, body: 'Unauthorized' }, 'unauthorized', false],
    ['a 403', { status: 403, body: { error: 'insufficient_scope' } }, 'forbidden', false],
    [
      'a 429',
      { status: 429, body: { error: 'too_many_requests' }, headers: { 'retry-after': '7' } },
      'rate_limited',
      true,
    ],
    ['a 503', { status: 503, body: 'down' }, 'unavailable', true],
    ['an answer without sub', { status: 200, body: { name: 'x' } }, 'invalid_response', false],
    ['an empty sub', { status: 200, body: { sub: '' } }, 'invalid_response', false],
    ['an array', { status: 200, body: [{ sub: HOSTILE_SUBJECT }] }, 'invalid_response', false],
    [
      'a mistyped claim',
      { status: 200, body: { sub: HOSTILE_SUBJECT, email_verified: 'yes' } },
      'invalid_response',
      false,
    ],
    [
      'a signed JWT answer',
      { status: 200, body: 'eyJ.eyJ.sig', headers: { 'content-type': 'application/jwt' } },
      'invalid_response',
      false,
    ],
    [
      'an echo of the token',
      { status: 400, body: { error: ACCESS_TOKEN } },
      'invalid_response',
      false,
    ],
  ])('%s is a typed UserinfoError', async (_, answer, reason, retryable) => {
    hostile.server.userinfo = answer;
    const error = await failure();
    expect(error.reason).toBe(reason);
    expect(error.code).toBe('userinfo_failed');
    expect(isRetryable(error)).toBe(retryable);
    expect(statusOf(error)).toBe(answer.status);
    expect(retryAfterOf(error)).toBe(reason === 'rate_limited' ? 7 : undefined);
    expect(renderError(error)?.status).toBe(retryable ? 503 : 502);
  });

  it('a 401 says the access token needs the userinfo audience, which openid brings', async () => {
    hostile.server.userinfo = { status: 401, body: 'Unauthorized' };
    const error = await failure();
    expect(error.message).toContain(`audience ${hostile.server.issuer}userinfo`);
    expect(error.message).toContain('"openid"');
  });

  it('a token that cannot be a bearer credential is refused before any request', async () => {
    await expect(client().userinfo('two words')).rejects.toThrow(TypeError);
    expect(hostile.server.lastUserinfoAuthorization).toBeUndefined();
  });

  it("TokenManager.userinfo checks the answer's sub against the ID token's", async () => {
    const manager = new TokenManager({
      client: hostileIssuerClient(hostile.server, { scope: 'openid' }),
    });
    await manager.signIn('k', { username: 'u', password: 'p' });
    hostile.server.userinfo = { status: 200, body: { sub: 'auth0|someone-else' } };
    await expect(manager.userinfo('k')).rejects.toMatchObject({ reason: 'subject_mismatch' });
    hostile.server.userinfo = { status: 200, body: { sub: HOSTILE_SUBJECT } };
    expect((await manager.userinfo('k')).sub).toBe(HOSTILE_SUBJECT);
  });
});
