import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type MockServer } from '../src/index.js';
import { requestToken, startTutorial } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const BLOCKED_DESCRIPTION =
  "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.";

async function failLogins(
  target: MockServer,
  times: number,
  headers: Record<string, string> = {},
): Promise<void> {
  for (let attempt = 0; attempt < times; attempt += 1) {
    const response = await requestToken(target, { password: 'wrong' }, { headers });
    await expect(response).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
  }
}

describe('brute-force protection', () => {
  it('blocks the (user, IP) pair after 10 consecutive failures by default, even for the right password', async () => {
    server = await startTutorial();
    await failLogins(server, 10);
    await expect(await requestToken(server)).toBeOAuthError(
      429,
      'too_many_attempts',
      BLOCKED_DESCRIPTION,
    );
    await expect(await requestToken(server, { password: 'wrong' })).toBeOAuthError(
      429,
      'too_many_attempts',
      BLOCKED_DESCRIPTION,
    );
  });

  it('counts consecutive failures only: a success resets the count', async () => {
    server = await startTutorial({ bruteForce: { threshold: 3 } });
    await failLogins(server, 2);
    await expect(await requestToken(server)).toBeTokenResponse();
    await failLogins(server, 2);
    await expect(await requestToken(server)).toBeTokenResponse();
  });

  it('a trusted auth0-forwarded-for separates end users behind one backend', async () => {
    server = await startTutorial({ bruteForce: { threshold: 2 } });
    await server.control.setClient({
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      grantTypes: [GrantType.password],
      trustForwardedFor: true,
    });
    await failLogins(server, 2, { 'auth0-forwarded-for': '203.0.113.7' });
    const attacker = await requestToken(
      server,
      {},
      { headers: { 'auth0-forwarded-for': '203.0.113.7' } },
    );
    await expect(attacker).toBeOAuthError(429, 'too_many_attempts', BLOCKED_DESCRIPTION);
    const otherUser = await requestToken(
      server,
      {},
      { headers: { 'auth0-forwarded-for': '198.51.100.1' } },
    );
    await expect(otherUser).toBeTokenResponse();
    // The backend's own address was never blamed.
    await expect(await requestToken(server)).toBeTokenResponse();
  });

  it('ignores auth0-forwarded-for from a client without "trust token endpoint IP header"', async () => {
    server = await startTutorial({ bruteForce: { threshold: 2 } });
    await failLogins(server, 2, { 'auth0-forwarded-for': '203.0.113.7' });
    // Both failures counted against the socket's address, so a "different" user is blocked too.
    const response = await requestToken(
      server,
      {},
      { headers: { 'auth0-forwarded-for': '198.51.100.1' } },
    );
    await expect(response).toBeOAuthError(429, 'too_many_attempts', BLOCKED_DESCRIPTION);
  });

  it('ignores auth0-forwarded-for from a trusted but public client (no secret)', async () => {
    server = await startTutorial({ bruteForce: { threshold: 1 } });
    await server.control.setClient({
      clientId: 'public',
      grantTypes: [GrantType.password],
      trustForwardedFor: true,
    });
    const asPublic = { client_id: 'public', client_secret: undefined };
    await expect(
      await requestToken(
        server,
        { ...asPublic, password: 'wrong' },
        { headers: { 'auth0-forwarded-for': '203.0.113.7' } },
      ),
    ).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
    const response = await requestToken(server, asPublic, {
      headers: { 'auth0-forwarded-for': '198.51.100.1' },
    });
    await expect(response).toBeOAuthError(429, 'too_many_attempts', BLOCKED_DESCRIPTION);
  });

  it('a lockout with lockoutSeconds ends on the mock clock; clearLockouts lifts it at once', async () => {
    server = await startTutorial({ bruteForce: { threshold: 1, lockoutSeconds: 900 } });
    await failLogins(server, 1);
    await expect(await requestToken(server)).toBeOAuthError(
      429,
      'too_many_attempts',
      BLOCKED_DESCRIPTION,
    );
    await server.control.advanceClock(900);
    await expect(await requestToken(server)).toBeTokenResponse();
    await failLogins(server, 1);
    await server.control.clearLockouts();
    await expect(await requestToken(server)).toBeTokenResponse();
  });

  it('can be turned off', async () => {
    server = await startTutorial({ bruteForce: { enabled: false, threshold: 1 } });
    await failLogins(server, 3);
    await expect(await requestToken(server)).toBeTokenResponse();
  });
});

describe('rate limiting', () => {
  it('answers 429 too_many_requests with Retry-After, and X-RateLimit-* on success and failure alike', async () => {
    server = await startTutorial({ rateLimit: { limit: 2, windowSeconds: 60 } });
    // One second into a window, so the requests below cannot straddle two windows.
    const start = await server.control.advanceClock(60 - ((await server.control.now()) % 60) + 1);
    const reset = Math.floor(start / 60) * 60 + 60;
    const first = await requestToken(server);
    await expect(first).toBeTokenResponse();
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBe(reset);

    const failure = await requestToken(server, { password: 'wrong' });
    expect(failure.headers.get('x-ratelimit-remaining')).toBe('0');
    await expect(failure).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');

    const limited = await requestToken(server);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expect(limited).toBeOAuthError(429, 'too_many_requests', 'Rate limit exceeded.');

    // The window is on the mock clock: advancing past its end lets requests through.
    await server.control.advanceClock(retryAfter);
    const afterWindow = await requestToken(server);
    await expect(afterWindow).toBeTokenResponse();
    expect(afterWindow.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('has no limit and sends no X-RateLimit-* headers unless configured, on /oauth/token and /userinfo', async () => {
    server = await startTutorial();
    const response = await requestToken(server, { scope: 'openid' });
    await expect(response).toBeTokenResponse();
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    const { access_token } = (await response.json()) as { access_token: string };
    for (let request = 0; request < 20; request += 1) {
      const userinfo = await getUserinfo(server, access_token);
      expect(userinfo.status).toBe(200);
      expect(userinfo.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});

function getUserinfo(target: MockServer, accessToken: string): Promise<Response> {
  return fetch(`${target.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
}

async function userinfoToken(target: MockServer, username: string, password: string) {
  const response = await requestToken(target, { username, password, scope: 'openid' });
  await expect(response).toBeTokenResponse();
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('/userinfo rate limit (userinfoRateLimit, per user as Auth0 counts it)', () => {
  it('sends X-RateLimit-* on its answers and 429 too_many_requests with Retry-After past the limit, per user', async () => {
    server = await startTutorial({ userinfoRateLimit: { limit: 2, windowSeconds: 60 } });
    await server.control.setUser(TUTORIAL.connection, {
      email: 'other@example.com',
      password: 'pw2',
    });
    const start = await server.control.advanceClock(60 - ((await server.control.now()) % 60) + 1);
    const reset = String(Math.floor(start / 60) * 60 + 60);
    const first = await userinfoToken(server, TUTORIAL.username, TUTORIAL.password);
    // A second token for the same user shares the user's count.
    const second = await userinfoToken(server, TUTORIAL.username, TUTORIAL.password);
    const other = await userinfoToken(server, 'other@example.com', 'pw2');

    const one = await getUserinfo(server, first);
    expect(one.status).toBe(200);
    expect(one.headers.get('x-ratelimit-limit')).toBe('2');
    expect(one.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(one.headers.get('x-ratelimit-reset')).toBe(reset);
    const two = await getUserinfo(server, second);
    expect(two.status).toBe(200);
    expect(two.headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await getUserinfo(server, first);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe(reset);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expect(limited).toBeOAuthError(429, 'too_many_requests', 'Rate limit exceeded.');

    // Another user has a count of its own.
    const otherUser = await getUserinfo(server, other);
    expect(otherUser.status).toBe(200);
    expect(otherUser.headers.get('x-ratelimit-remaining')).toBe('1');
    // A request without a valid token names no user: 401, no headers, nothing counted.
    const garbled = await getUserinfo(server, 'not.a.jwt');
    expect(garbled.status).toBe(401);
    expect(garbled.headers.get('x-ratelimit-limit')).toBeNull();
    // The token endpoint has its own (here: no) limit.
    expect((await requestToken(server)).headers.get('x-ratelimit-limit')).toBeNull();

    await server.control.advanceClock(retryAfter);
    const afterWindow = await getUserinfo(server, first);
    expect(afterWindow.status).toBe(200);
    expect(afterWindow.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('counts POST /userinfo too, and reset() forgets the counts', async () => {
    server = await startTutorial({ userinfoRateLimit: { limit: 1, windowSeconds: 3600 } });
    const token = await userinfoToken(server, TUTORIAL.username, TUTORIAL.password);
    const post = () =>
      fetch(`${server!.url}/userinfo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await post()).status).toBe(200);
    expect((await getUserinfo(server, token)).status).toBe(429);
    await server.control.reset();
    const fresh = await userinfoToken(server, TUTORIAL.username, TUTORIAL.password);
    expect((await post()).status).toBe(200);
    expect((await getUserinfo(server, fresh)).status).toBe(429);
  });
});
