import { randomBytes } from 'node:crypto';
import { startMockServer, TUTORIAL, tutorialTenant, type MockServer } from '@ropkit/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from './support/browser.ts';
import {
  EXPRESS_API_DIR,
  PASSWORD_LOGIN_DIR,
  runToExit,
  startProgram,
  type RunningProgram,
} from './support/program.ts';
import { totp } from './support/totp.ts';

const SESSION_COOKIE = 'password-login.sid';
const MFA_USER = { email: 'mfa@example.com', password: 'mfa-pwd' };
const MFA_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/**
 * Access tokens live 2 seconds on this mock API, so the background refresh (at about 80% of the
 * lifetime) happens while the test waits, without moving any clock.
 */
const TOKEN_LIFETIME_SECONDS = 2;

let mock: MockServer;
let api: RunningProgram;
let app: RunningProgram;

beforeAll(async () => {
  mock = await startMockServer(
    tutorialTenant({
      apis: [
        {
          identifier: TUTORIAL.audience,
          scopes: [TUTORIAL.scope],
          allowOfflineAccess: true,
          tokenLifetime: TOKEN_LIFETIME_SECONDS,
        },
      ],
      connections: [
        {
          name: TUTORIAL.connection,
          users: [
            { email: TUTORIAL.username, password: TUTORIAL.password },
            { ...MFA_USER, mfa: { totpSecret: MFA_SECRET } },
          ],
        },
      ],
    }),
  );
  // The express API example, as its README runs it against the mock server.
  api = await startProgram(EXPRESS_API_DIR, {
    ISSUER_BASE_URL: mock.url,
    AUDIENCE: TUTORIAL.audience,
    PORT: '0',
  });
  app = await startProgram(PASSWORD_LOGIN_DIR, appEnvironment());
});

afterAll(async () => {
  await app?.stop();
  await api?.stop();
  await mock?.close();
});

function appEnvironment(): Record<string, string> {
  return {
    ISSUER_BASE_URL: mock.url,
    CLIENT_ID: TUTORIAL.clientId,
    CLIENT_SECRET: TUTORIAL.clientSecret,
    AUDIENCE: TUTORIAL.audience,
    API_URL: `${api.url}/api/private-scoped`,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORT: '0',
  };
}

async function tokenRequests(grantType: string): Promise<number> {
  const log = await mock.control.requests();
  return log.filter((entry) => entry.path === '/oauth/token' && entry.grantType === grantType)
    .length;
}

async function revocations(): Promise<number> {
  const log = await mock.control.requests();
  return log.filter((entry) => entry.path === '/oauth/revoke').length;
}

describe('the password-login example', () => {
  it('prints one line with its URL, the issuer, the client and the API, and no secret', () => {
    expect(app.logLine).toBe(
      `password-login example listening on ${app.url} (issuer ${mock.issuer}, client ${TUTORIAL.clientId}, API ${api.url}/api/private-scoped)`,
    );
    expect(app.logLine).not.toContain(TUTORIAL.clientSecret);
  });

  it('signs in with the form, calls the API, refreshes in the background and signs out', async () => {
    await mock.control.clearRequests();
    const browser = new Browser(app.url);

    const home = await browser.get('/');
    expect(home.status).toBe(200);
    const form = await home.text();
    expect(form).toContain('<form method="post" action="/login">');
    expect(form).toContain('name="username"');
    expect(form).toContain('name="password"');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();

    const signIn = await browser.submit('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    expect(await tokenRequests('password')).toBe(1);

    // The session cookie is the signed session id, nothing else: no token travels to the browser.
    const cookie = browser.cookie(SESSION_COOKIE) ?? '';
    expect(cookie).toMatch(/^s%3A[\w-]+\.[\w%+/-]+$/);
    expect(cookie.length).toBeLessThan(100);
    expect(cookie).not.toContain('eyJ'); // how every JWT (its header, base64url JSON) begins

    const signedIn = await browser.get('/');
    expect(await signedIn.text()).toContain(`Signed in as <strong>${TUTORIAL.username}</strong>`);

    const called = await browser.get('/call-api');
    expect(called.status).toBe(200);
    const answer = await called.text();
    expect(answer).toContain('answered <strong>HTTP 200</strong>');
    expect(answer).toContain('have a scope of read:sample to see this.');

    // The tokens are refreshed by the server's timer: no request reaches the app meanwhile.
    await vi.waitFor(
      async () => {
        expect(await tokenRequests('refresh_token')).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const afterRefresh = await browser.get('/call-api');
    expect(await afterRefresh.text()).toContain('answered <strong>HTTP 200</strong>');
    expect(await tokenRequests('password')).toBe(1); // refreshed, never signed in again

    const signedInCookies = browser.cookies();
    const signOut = await browser.submit('/logout', {});
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('location')).toBe('/');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
    expect(await revocations()).toBe(1); // RFC 7009: the refresh token is revoked
    expect(await (await browser.get('/')).text()).toContain('action="/login"');

    // The old cookie is worth nothing now.
    browser.setCookies(signedInCookies);
    const replayed = await (await browser.get('/call-api')).text();
    expect(replayed).toContain('Sign in to call the API');
  });

  it('shows an error for a wrong password, escapes what was typed and starts no session', async () => {
    const browser = new Browser(app.url);
    const typed = '<script>alert(1)</script>@example.com';
    const response = await browser.submit('/login', { username: typed, password: 'wrong' });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('Wrong email or password');
    expect(page).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;@example.com"');
    expect(page).not.toContain('<script>');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('asks a user with MFA for the code, refuses a wrong one and signs in with the right one', async () => {
    const browser = new Browser(app.url);
    const step = await browser.submit('/login', {
      username: MFA_USER.email,
      password: MFA_USER.password,
    });
    expect(step.status).toBe(200);
    expect(await step.text()).toContain('<form method="post" action="/login/otp">');

    const code = totp(MFA_SECRET, await mock.control.now());
    // Another six digits: valid in no step the server accepts (one step of drift either way).
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
    const refused = await browser.submit('/login/otp', { otp: wrong });
    expect(refused.status).toBe(400);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain('The code is not valid');
    expect(refusedPage).toContain('action="/login/otp"');

    const verified = await browser.submit('/login/otp', {
      otp: totp(MFA_SECRET, await mock.control.now()),
    });
    expect(verified.status).toBe(303);
    expect(await (await browser.get('/')).text()).toContain(
      `Signed in as <strong>${MFA_USER.email}</strong>`,
    );
    expect(await (await browser.get('/call-api')).text()).toContain(
      'answered <strong>HTTP 200</strong>',
    );
    expect((await browser.submit('/logout', {})).status).toBe(303);
  });

  it('sends a visitor who is not signed in to the sign-in form instead of calling the API', async () => {
    const page = await (await new Browser(app.url).get('/call-api')).text();
    expect(page).toContain('Sign in to call the API');
    expect(page).toContain('action="/login"');
  });
});

describe('TOKEN_ENDPOINT instead of ISSUER_BASE_URL', () => {
  it('signs in through that endpoint, with no discovery request', async () => {
    const { ISSUER_BASE_URL: _issuer, ...environment } = appEnvironment();
    const byEndpoint = await startProgram(PASSWORD_LOGIN_DIR, {
      ...environment,
      TOKEN_ENDPOINT: mock.tokenEndpoint,
    });
    try {
      expect(byEndpoint.logLine).toContain(`(token endpoint ${mock.tokenEndpoint}, `);
      await mock.control.clearRequests();
      const browser = new Browser(byEndpoint.url);
      const signIn = await browser.submit('/login', {
        username: TUTORIAL.username,
        password: TUTORIAL.password,
      });
      expect(signIn.status).toBe(303);
      const paths = (await mock.control.requests()).map((entry) => entry.path);
      expect(paths).toContain('/oauth/token');
      expect(paths).not.toContain('/.well-known/openid-configuration');
      expect((await browser.submit('/logout', {})).status).toBe(303);
    } finally {
      await byEndpoint.stop();
    }
  });
});

describe('a missing or bad variable', () => {
  it.each([
    ['ISSUER_BASE_URL', { ISSUER_BASE_URL: '' }, 'ISSUER_BASE_URL (or TOKEN_ENDPOINT) is required'],
    [
      'TOKEN_ENDPOINT',
      { TOKEN_ENDPOINT: 'http://127.0.0.1:1/oauth/token' },
      'Set ISSUER_BASE_URL or TOKEN_ENDPOINT, not both',
    ],
    ['CLIENT_SECRET', { CLIENT_SECRET: '' }, 'CLIENT_SECRET is required'],
    ['API_URL', { API_URL: 'file:///etc/passwd' }, 'API_URL must be an absolute http'],
    ['SESSION_SECRET', { SESSION_SECRET: 'short' }, 'SESSION_SECRET must be at least 32'],
    ['PORT', { PORT: '99999' }, 'PORT must be'],
  ])('%s (%j) exits 1 with a message naming it', async (_name, override, message) => {
    const run = await runToExit(PASSWORD_LOGIN_DIR, { ...appEnvironment(), ...override });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`password-login example: ${message}`);
  });
});
