import type { MockServer, MockServerConfig } from '@ropkit/mock-server';
import { describe, expect, it } from 'vitest';
import type { Browser } from './browser.ts';
import { testTenant, TUTORIAL } from './tenant.ts';

/**
 * The suite every adapter runs on its `identity()` and `userinfo()` (over real HTTP, against the
 * mock server): what a signed-in session answers, the 401 when no one is signed in, and a sign-in
 * whose ID token is refused. The adapter gives an app with `POST /login` and `GET /identity`,
 * `GET /userinfo` answering the session's claims as JSON, built with {@link identityClient}.
 */

/** A namespaced claim that a rule of {@link identityTenant} adds to every ID token. */
export const ROLES_CLAIM = 'https://example.com/roles';

/** The test tenant, with a rule adding {@link ROLES_CLAIM} to ID tokens, as an Auth0 rule would. */
export function identityTenant(): MockServerConfig {
  return testTenant({
    rules: [
      ...(testTenant().rules ?? []),
      { name: 'roles', idTokenClaims: { [ROLES_CLAIM]: ['reader'] } },
    ],
  });
}

/** The token client options of the identity apps: the issuer (ID tokens are validated), openid. */
export function identityClient(server: MockServer) {
  return {
    issuer: server.issuer,
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    audience: TUTORIAL.audience,
    scope: 'openid profile email offline_access read:sample',
  };
}

const LOGIN_REQUIRED = { error: 'login_required', error_description: 'Sign in to continue' };
const ROLES = ROLES_CLAIM;

/** A 200 answer's JSON object body. */
async function json(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(200);
  const body: unknown = await response.json();
  expect(body).toBeTypeOf('object');
  return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
}

/**
 * Declares the suite. `methods` names the adapter's methods in the test titles (`req.identity()
 * and req.userinfo()`); `identityApp` starts a fresh app and returns a browser on it.
 */
export function describeIdentityRoutes(
  methods: string,
  mock: { readonly server: MockServer },
  identityApp: () => Promise<Browser>,
): void {
  const credentials = { username: TUTORIAL.username, password: TUTORIAL.password };

  describe(`${methods}: what a signed-in session answers`, () => {
    it('answer the verified ID token claims and the /userinfo profile of the signed-in user', async () => {
      const browser = await identityApp();
      expect((await browser.postJson('/login', credentials)).status).toBe(200);

      const identity = await json(await browser.fetch('/identity'));
      expect(identity).toMatchObject({
        iss: mock.server.issuer,
        sub: expect.stringMatching(/^auth0\|/),
        aud: TUTORIAL.clientId,
        email: TUTORIAL.username,
        [ROLES]: ['reader'],
      });
      const profile = await json(await browser.fetch('/userinfo'));
      expect(profile).toMatchObject({ sub: identity['sub'], email: TUTORIAL.username });
      // Cached for the session by core: a second call asks /userinfo nothing more.
      expect(await json(await browser.fetch('/userinfo'))).toEqual(profile);
      const userinfoCalls = (await mock.server.control.requests()).filter(
        (entry) => entry.path === '/userinfo',
      );
      expect(userinfoCalls).toHaveLength(1);
    });

    it('answer 401 login_required when no one is signed in, without a request to Auth0', async () => {
      const browser = await identityApp();
      for (const path of ['/identity', '/userinfo']) {
        const response = await browser.fetch(path);
        expect(response.status).toBe(401);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(await response.json()).toEqual(LOGIN_REQUIRED);
      }
      expect(await mock.server.control.requests()).toEqual([]);
    });
  });

  describe(`${methods}: a sign-in whose ID token fails validation`, () => {
    it('answers 502 invalid_id_token and leaves the session signed out', async () => {
      const browser = await identityApp();
      await mock.server.control.queueFault({
        endpoint: '/oauth/token',
        kind: 'id-token',
        defect: 'wrong-audience',
      });
      const response = await browser.postJson('/login', credentials);
      expect(response.status).toBe(502);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        status: 'invalid_id_token',
        message:
          'The sign-in service answered an identity that could not be verified: try again later',
      });
      const grants = (await mock.server.control.requests()).filter(
        (entry) => entry.path === '/oauth/token',
      );
      expect(grants).toMatchObject([{ grantType: 'password', status: 200, fault: 'id-token' }]);

      for (const path of ['/identity', '/userinfo']) {
        const after = await browser.fetch(path);
        expect(after.status).toBe(401);
        expect(await after.json()).toEqual(LOGIN_REQUIRED);
      }
    });
  });
}
