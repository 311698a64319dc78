import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRETS, TUTORIAL, sessionCookie, startLoginApp, totp, useMockServer } from './support.js';

const mock = useMockServer();
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const MFA_PASSWORD = 'mfa-pwd';
const WRONG_PASSWORD = 'wrong-password-canary-91c2';

/** Fails when `secret` appears anywhere in `text`. */
function expectNoSecret(text: string, secret: string) {
  expect(secret.length).toBeGreaterThan(6);
  expect(text.includes(secret), `secret found in: ${text.slice(0, 200)}`).toBe(false);
}

describe('no password, secret or token in logs, cookies, answers or the session', () => {
  it('through sign-in, MFA, refresh-less token use and a failing logout', async () => {
    const logs: string[] = [];
    const sessions = new Map<string, unknown>();
    const { app, login } = await startLoginApp(mock.server, {
      clock: mock.clock,
      clientId: 'trusted-backend',
      forwardUserIp: true,
      logger: { level: 'trace', stream: { write: (line: string) => void logs.push(line) } },
      sessions,
    });
    apps.push(app);
    const seen: string[] = [];
    const record = <T extends { body: string; headers: Record<string, unknown> }>(response: T) => {
      seen.push(response.body, JSON.stringify(response.headers));
      return response;
    };

    record(
      await app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: TUTORIAL.username, password: WRONG_PASSWORD },
      }),
    );
    const mfa = record(
      await app.inject({
        method: 'POST',
        url: '/login',
        payload: { username: 'mfa@example.com', password: MFA_PASSWORD },
      }),
    );
    expect(mfa.statusCode).toBe(401);
    // While the MFA step is open the session holds only its cookie settings and the random key.
    const pending = [...sessions.values()].map((session) => JSON.parse(JSON.stringify(session)));
    expect(pending).toHaveLength(1);
    expect(Object.keys(pending[0] as object).toSorted()).toEqual(['cookie', 'ropkitKey']);
    expect((pending[0] as { ropkitKey: string }).ropkitKey).toMatch(/^[0-9a-f-]{36}$/);

    const otp = totp(SECRETS.mfaTotp, await mock.server.control.now());
    const signedIn = record(
      await app.inject({
        method: 'POST',
        url: '/login/otp',
        payload: { otp },
        cookies: sessionCookie(mfa),
      }),
    );
    expect(signedIn.statusCode).toBe(200);
    const cookies = sessionCookie(signedIn);

    const [stored] = [...sessions.values()].map((session) => JSON.stringify(session));
    const key = (JSON.parse(stored ?? '{}') as { ropkitKey: string }).ropkitKey;
    const tokens = await login.manager.getTokenSet(key);
    expect(tokens.refreshToken).toBeDefined();

    await mock.server.control.queueFault({
      endpoint: '/oauth/revoke',
      kind: 'status',
      status: 500,
    });
    record(await app.inject({ method: 'POST', url: '/logout', cookies }));
    expect(logs.some((line) => line.includes('revoking the refresh token failed'))).toBe(true);

    const everything = [
      ...logs,
      ...seen,
      ...[...sessions.values()].map((s) => JSON.stringify(s)),
    ].join('\n');
    for (const secret of [
      WRONG_PASSWORD,
      MFA_PASSWORD,
      SECRETS.trustedSecret,
      tokens.accessToken,
      tokens.refreshToken ?? 'missing refresh token',
      tokens.idToken ?? 'missing id token',
    ]) {
      expectNoSecret(everything, secret);
    }
    expect(everything).not.toMatch(/mfa_token|eyJ/);
  });
});
