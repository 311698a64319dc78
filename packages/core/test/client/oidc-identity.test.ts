import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoginRoutes, renderError } from '../../src/adapter.js';
import {
  ReauthenticationRequiredError,
  TokenManager,
  UserinfoError,
  type TokenManagerOptions,
} from '../../src/index.js';
import { FakeSession } from '../sign-in/fake-session.js';
import { TUTORIAL, testTenant, tutorialClient, useMockServer } from './support.js';

/** The seed's rule: a namespaced custom claim in the ID token. */
const ROLES = 'https://example.com/roles';
const mock = useMockServer(
  testTenant({ rules: [{ name: 'roles in the ID token', idTokenClaims: { [ROLES]: ['admin'] } }] }),
);
const KEY = 'session-1';
const USER = { username: TUTORIAL.username, password: TUTORIAL.password };

const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.close();
});

function setup(scope: string, options: Partial<TokenManagerOptions> = {}): TokenManager {
  const manager = new TokenManager({ client: tutorialClient(mock.server, { scope }), ...options });
  managers.push(manager);
  return manager;
}

async function requests(path: string, grantType?: string): Promise<number> {
  return (await mock.server.control.requests()).filter(
    (entry) => entry.path === path && (grantType === undefined || entry.grantType === grantType),
  ).length;
}

describe('verified identity with the mock server', () => {
  it('signs in with openid; identity() returns the verified claims, the custom claim included', async () => {
    const manager = setup('openid offline_access read:sample');
    await manager.signIn(KEY, USER);
    const identity = await manager.identity(KEY);
    expect(identity).toMatchObject({
      iss: mock.server.issuer,
      aud: TUTORIAL.clientId,
      email: TUTORIAL.username,
      [ROLES]: ['admin'],
    });
    expect(identity?.sub).toMatch(/^auth0\|/);
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(identity?.[ROLES])).toBe(true);
  });

  it('identity() without openid is undefined; without tokens it asks for a sign-in', async () => {
    const manager = setup('offline_access read:sample');
    await expect(manager.identity(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    await manager.signIn(KEY, USER);
    expect(await manager.identity(KEY)).toBeUndefined();
  });
});

describe('userinfo (OpenID Connect Core 1.0 section 5.3)', () => {
  it('answers the profile of the ID token subject, and keeps it per key', async () => {
    const manager = setup('openid offline_access read:sample');
    const signedIn = await manager.signIn(KEY, USER);
    const profile = await manager.userinfo(KEY);
    expect(profile.sub).toBe(signedIn.idTokenClaims?.sub);
    expect(profile.email).toBe(TUTORIAL.username);
    expect(await manager.userinfo(KEY)).toBe(profile);
    expect(await requests('/userinfo')).toBe(1);
  });

  it('concurrent calls for one key share one request', async () => {
    const manager = setup('openid offline_access read:sample');
    await manager.signIn(KEY, USER);
    const answers = await Promise.all(Array.from({ length: 20 }, () => manager.userinfo(KEY)));
    expect(new Set(answers).size).toBe(1);
    expect(await requests('/userinfo')).toBe(1);
  });

  it('asks again once the access token changed, after sign-out, and past maxAgeMs', async () => {
    let now = Date.now();
    const manager = setup('openid offline_access read:sample', {
      userinfoCache: { maxAgeMs: 1000 },
      clock: () => now,
    });
    await manager.signIn(KEY, USER);
    await manager.userinfo(KEY);
    await manager.refresh(KEY);
    await manager.userinfo(KEY);
    expect(await requests('/userinfo')).toBe(2);
    now += 1000;
    await manager.userinfo(KEY);
    expect(await requests('/userinfo')).toBe(3);
    await manager.signOut(KEY);
    await expect(manager.userinfo(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    await manager.signIn(KEY, USER);
    await manager.userinfo(KEY);
    expect(await requests('/userinfo')).toBe(4);
  });

  it('with userinfoCache: false, asks every time', async () => {
    const manager = setup('openid offline_access read:sample', { userinfoCache: false });
    await manager.signIn(KEY, USER);
    await manager.userinfo(KEY);
    await manager.userinfo(KEY);
    expect(await requests('/userinfo')).toBe(2);
  });

  it('a token without the userinfo audience: UserinfoError unauthorized, saying why', async () => {
    const manager = setup('offline_access read:sample');
    const signedIn = await manager.signIn(KEY, USER);
    const error: unknown = await manager.userinfo(KEY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserinfoError);
    const refused = error as UserinfoError;
    expect([refused.reason, refused.status]).toEqual(['unauthorized', 401]);
    expect(refused.message).toContain(`${mock.server.issuer}userinfo`);
    expect(refused.message).toContain('"openid"');
    expect(refused.message).not.toContain(signedIn.accessToken);
    expect(JSON.stringify(refused)).not.toContain(signedIn.accessToken);
    expect(renderError(refused)?.status).toBe(502);
  });

  it('refuses an answer for another subject than the ID token, and keeps nothing', async () => {
    const manager = setup('openid offline_access read:sample');
    const signedIn = await manager.signIn(KEY, USER);
    const claims = signedIn.idTokenClaims;
    if (claims === undefined) throw new Error('expected ID token claims');
    // The same tokens under the key, with the claims of someone else's ID token.
    await manager.save(KEY, {
      ...signedIn,
      idTokenClaims: { ...claims, sub: 'auth0|someone-else' },
    });
    const error: unknown = await manager.userinfo(KEY).catch((caught: unknown) => caught);
    expect((error as UserinfoError).reason).toBe('subject_mismatch');
    await manager.userinfo(KEY).catch(() => undefined);
    expect(await requests('/userinfo')).toBe(2);
  });

  it("the engine's userinfo(session) answers the session user's profile", async () => {
    const routes = createLoginRoutes({
      client: tutorialClient(mock.server, { scope: 'openid offline_access read:sample' }),
    });
    const session = new FakeSession();
    await routes.login({ body: USER, ip: undefined, session });
    expect((await routes.userinfo(session, undefined)).email).toBe(TUTORIAL.username);
    expect((await routes.identity(session, undefined))?.[ROLES]).toEqual(['admin']);
    await expect(routes.userinfo(new FakeSession(), undefined)).rejects.toBeInstanceOf(
      ReauthenticationRequiredError,
    );
  });
});

describe('reduced scope on refresh (RFC 6749 section 6)', () => {
  const FULL = 'openid offline_access read:sample write:sample';

  it('refresh(key, { scope }) asks for it and exposes the smaller granted scope', async () => {
    const manager = setup(FULL);
    const signedIn = await manager.signIn(KEY, USER);
    expect(signedIn.scope).toEqual(expect.arrayContaining(['read:sample', 'write:sample']));
    const reduced = await manager.refresh(KEY, { scope: 'openid read:sample' });
    expect(reduced.scope).toEqual(['openid', 'read:sample']);
    expect(decodeJwt(reduced.accessToken)['scope']).toBe('openid read:sample');
    expect((await manager.getTokenSet(KEY)).scope).toEqual(['openid', 'read:sample']);
    // The ID token of the reduced refresh is validated and kept, for the same user.
    expect(reduced.idTokenClaims?.sub).toBe(signedIn.idTokenClaims?.sub);
  });

  it('a refresh without scope exposes the scope the server granted', async () => {
    const manager = setup(FULL);
    await manager.signIn(KEY, USER);
    const refreshed = await manager.refresh(KEY);
    expect(refreshed.scope).toEqual(expect.arrayContaining(['read:sample', 'write:sample']));
  });

  it('a scoped refresh is never answered by a flight for another scope; the same scope shares one', async () => {
    const manager = setup(FULL);
    await manager.signIn(KEY, USER);
    const [full, reduced, again] = await Promise.all([
      manager.refresh(KEY),
      manager.refresh(KEY, { scope: 'openid read:sample' }),
      manager.refresh(KEY, { scope: ['openid', 'read:sample'] }),
    ]);
    expect(full.scope).toContain('write:sample');
    expect(reduced.scope).toEqual(['openid', 'read:sample']);
    expect(again).toBe(reduced);
    expect(await requests('/oauth/token', 'refresh_token')).toBe(2);
  });

  it('a scope outside the grant is refused by the server (invalid_scope), the set kept', async () => {
    const manager = setup('openid offline_access read:sample');
    const signedIn = await manager.signIn(KEY, USER);
    await expect(manager.refresh(KEY, { scope: 'write:sample' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
    expect(await manager.getTokenSet(KEY)).toBe(signedIn);
  });

  it('refuses a malformed scope before sending anything', async () => {
    const manager = setup(FULL);
    await expect(manager.refresh(KEY, { scope: 'read "all"' })).rejects.toThrow(TypeError);
  });

  it('the granted scope of a sign-in is the requested one when the server lists none', async () => {
    const manager = setup(
      'openid profile email address phone offline_access read:sample write:sample',
    );
    const signedIn = await manager.signIn(KEY, USER);
    expect(signedIn.scope).toEqual([
      'openid',
      'profile',
      'email',
      'address',
      'phone',
      'offline_access',
      'read:sample',
      'write:sample',
    ]);
  });
});
