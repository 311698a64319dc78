import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GrantType,
  MockServerControlClient,
  MockServerControlError,
  TUTORIAL,
  type AuthenticatorEnrolment,
  type MockServer,
  type MockServerControl,
} from '../src/index.js';
import {
  expectTokens,
  passwordParameters,
  postForm,
  requestToken,
  startTutorial,
  verifyToken,
} from './helpers.js';
import {
  authenticatorCode,
  challenge,
  MFA_CLIENT_GRANTS,
  mfaGrant,
  mfaRequired,
} from './mfa-support.js';

/** The tutorial client, allowed every MFA grant. */
async function allowMfaGrants(control: MockServerControl): Promise<void> {
  await control.setClient({
    clientId: TUTORIAL.clientId,
    clientSecret: TUTORIAL.clientSecret,
    grantTypes: MFA_CLIENT_GRANTS,
  });
}

/** A push challenge for the tutorial user, and a function that polls the mfa-oob grant for it. */
async function pushPoll(server: MockServer): Promise<() => Promise<Response>> {
  const { mfaToken } = await mfaRequired(server);
  const started = await challenge(server, { mfa_token: mfaToken, challenge_type: 'oob' });
  const { oob_code: oobCode } = (await started.json()) as { oob_code: string };
  return () =>
    mfaGrant(server, { grant_type: GrantType.mfaOob, mfa_token: mfaToken, oob_code: oobCode });
}

/**
 * One suite, run against both implementations of MockServerControl: the in-process handle and the
 * HTTP client of the control API. They must behave the same.
 */
const implementations: Array<[string, (server: MockServer) => MockServerControl]> = [
  ['in-process handle', (server) => server.control],
  ['HTTP control client', (server) => new MockServerControlClient(server.url)],
];

describe.each(implementations)('control through the %s', (_name, controlOf) => {
  let server: MockServer;
  let control: MockServerControl;

  beforeEach(async () => {
    server = await startTutorial({ controlApi: true });
    control = controlOf(server);
  });
  afterEach(async () => {
    await server.close();
  });

  describe('users, clients, APIs and connections', () => {
    it('adds, changes and removes a user', async () => {
      await control.setUser(TUTORIAL.connection, {
        email: 'new@example.com',
        password: 'new-password',
      });
      await expect(
        await requestToken(server, { username: 'new@example.com', password: 'new-password' }),
      ).toBeTokenResponse();
      await control.setUser(TUTORIAL.connection, { email: 'new@example.com', password: 'changed' });
      await expect(
        await requestToken(server, { username: 'new@example.com', password: 'new-password' }),
      ).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
      await control.removeUser(TUTORIAL.connection, 'new@example.com');
      await expect(
        await requestToken(server, { username: 'new@example.com', password: 'changed' }),
      ).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
    });

    it('adds a connection usable as a realm', async () => {
      await control.setConnection({
        name: 'employees',
        users: [{ email: 'staff@example.com', password: 'staff-password' }],
      });
      const response = await requestToken(server, {
        grant_type: GrantType.passwordRealm,
        realm: 'employees',
        username: 'staff@example.com',
        password: 'staff-password',
      });
      await expect(response).toBeTokenResponse();
    });

    it('adds and removes a client', async () => {
      await control.setClient({
        clientId: 'added',
        clientSecret: 'added-secret',
        grantTypes: [GrantType.password],
      });
      await expect(
        await requestToken(server, { client_id: 'added', client_secret: 'added-secret' }),
      ).toBeTokenResponse();
      await control.removeClient('added');
      await expect(
        await requestToken(server, { client_id: 'added', client_secret: 'added-secret' }),
      ).toBeOAuthError(401, 'access_denied', 'Unauthorized');
    });

    it('adds and removes an API', async () => {
      await control.setApi({
        identifier: 'https://orders.example.com',
        scopes: ['read:orders'],
        tokenLifetime: 300,
      });
      const body = await expectTokens(
        await requestToken(server, {
          audience: 'https://orders.example.com',
          scope: 'read:orders',
        }),
      );
      expect(body.expires_in).toBe(300);
      await control.removeApi('https://orders.example.com');
      await expect(
        await requestToken(server, {
          audience: 'https://orders.example.com',
          scope: 'read:orders',
        }),
      ).toBeOAuthError(
        403,
        'access_denied',
        'Service not enabled within domain: https://orders.example.com',
      );
    });

    it('rejects a bad configuration with the option named and no secret in the message', async () => {
      const attempt = control.setClient({
        clientId: 'bad',
        clientSecret: 'TOP-SECRET-VALUE',
        grantTypes: ['pasword'],
      });
      await expect(attempt).rejects.toThrow(/"client\.grantTypes\[0\]" is not an Auth0 grant type/);
      const error = (await attempt.catch((caught: unknown) => caught)) as Error;
      expect(error.message).not.toContain('TOP-SECRET-VALUE');
    });
  });

  describe('faults', () => {
    it('status: the next N requests get the queued status and body', async () => {
      await control.queueFault({
        endpoint: '/oauth/token',
        kind: 'status',
        status: 503,
        body: { error: 'temporarily_unavailable', error_description: 'Try later' },
        headers: { 'retry-after': '7' },
        times: 2,
      });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await requestToken(server);
        expect(response.headers.get('retry-after')).toBe('7');
        await expect(response).toBeOAuthError(503, 'temporarily_unavailable', 'Try later');
      }
      await expect(await requestToken(server)).toBeTokenResponse();
    });

    it('faults apply only to their endpoint; "*" applies to any', async () => {
      await control.queueFault({ endpoint: '/userinfo', kind: 'status', status: 500 });
      await expect(await requestToken(server)).toBeTokenResponse();
      await control.queueFault({ endpoint: '*', kind: 'status', status: 418, body: 'teapot' });
      const jwks = await fetch(server.jwksUri);
      expect(jwks.status).toBe(418);
      expect(await jwks.text()).toBe('teapot');
    });

    it('latency: the request waits, then is answered normally', async () => {
      await control.queueFault({ endpoint: '/oauth/token', kind: 'latency', delayMs: 200 });
      await expect(await postForm(server.tokenEndpoint, passwordParameters())).toBeTokenResponse();
      const [entry] = await control.requests();
      expect(entry).toMatchObject({ path: '/oauth/token', status: 200, fault: 'latency' });
    });

    it('latency: a client with a shorter timeout gives up', async () => {
      await control.queueFault({
        endpoint: '/.well-known/jwks.json',
        kind: 'latency',
        delayMs: 10_000,
      });
      await expect(fetch(server.jwksUri, { signal: AbortSignal.timeout(200) })).rejects.toThrow(
        /aborted due to timeout/,
      );
      expect((await fetch(server.jwksUri)).status).toBe(200);
    });

    it('drop: the connection closes without an answer', async () => {
      await control.queueFault({ endpoint: '/oauth/token', kind: 'drop' });
      await expect(requestToken(server)).rejects.toThrow('fetch failed');
      await expect(await requestToken(server)).toBeTokenResponse();
      const log = await control.requests();
      expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
        [null, 'drop'],
        [200, undefined],
      ]);
    });

    it('malformed-json: a truncated JSON body that a standard client cannot parse', async () => {
      await control.queueFault({ endpoint: '/oauth/token', kind: 'malformed-json' });
      const response = await requestToken(server);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      await expect(response.json()).rejects.toThrow(SyntaxError);
    });

    it('html: a gateway error page', async () => {
      await control.queueFault({ endpoint: '/oauth/token', kind: 'html' });
      const response = await requestToken(server);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('<html>');
    });

    it('redirect: a redirect to the given location', async () => {
      await control.queueFault({
        endpoint: '/.well-known/openid-configuration',
        kind: 'redirect',
        location: 'https://login.example.com/',
        status: 307,
      });
      const response = await fetch(server.discoveryUrl, { redirect: 'manual' });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe('https://login.example.com/');
    });

    it('clearFaults drops queued faults; a bad fault is refused', async () => {
      await control.queueFault({ endpoint: '/oauth/token', kind: 'status', status: 500, times: 5 });
      await control.clearFaults();
      await expect(await requestToken(server)).toBeTokenResponse();
      await expect(control.queueFault({ endpoint: 'oauth/token', kind: 'drop' })).rejects.toThrow(
        /"fault.endpoint" must be a path/,
      );
    });
  });

  describe('clock', () => {
    it('advancing it makes tokens expire without waiting', async () => {
      const before = await control.now();
      const body = await expectTokens(await requestToken(server));
      const later = await control.advanceClock(86_400);
      expect(later - before).toBeGreaterThanOrEqual(86_400);
      expect(later - before).toBeLessThan(86_400 + 5);
      await verifyToken(server, body.access_token, TUTORIAL.audience, { at: later - 1 });
      await expect(
        verifyToken(server, body.access_token, TUTORIAL.audience, { at: later }),
      ).rejects.toThrow(/"exp" claim timestamp check failed/);
      const fresh = await expectTokens(await requestToken(server));
      expect(decodeJwt(fresh.access_token).iat).toBeGreaterThanOrEqual(later);
    });

    it('refuses to go backwards', async () => {
      await expect(control.advanceClock(-1)).rejects.toThrow(/non-negative/);
    });

    it('frozen, it stands still but for advanceClock, so an expiry is exact to the second', async () => {
      const frozen = await control.freezeClock();
      const body = await expectTokens(await requestToken(server));
      const { iat, exp } = decodeJwt(body.access_token);
      expect(iat).toBe(frozen);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await control.now()).toBe(frozen);
      // One second before exp the token is valid; at exp it is not (RFC 7519 section 4.1.4).
      expect(await control.advanceClock(exp! - frozen - 1)).toBe(exp! - 1);
      await verifyToken(server, body.access_token, TUTORIAL.audience, { at: exp! - 1 });
      expect(await control.advanceClock(1)).toBe(exp);
    });

    it('resumes from where it stood, and reset brings back real time', async () => {
      const frozen = await control.freezeClock();
      const later = await control.advanceClock(3_600);
      expect(later).toBe(frozen + 3_600);
      expect(await control.resumeClock()).toBe(later);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await control.now()).toBeGreaterThan(later);
      await control.reset();
      expect(Math.abs((await control.now()) - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(
        1,
      );
    });
  });

  describe('request log', () => {
    it('records method, path, grant_type, client_id, auth0-forwarded-for and status, never secrets', async () => {
      await requestToken(server, {}, { headers: { 'auth0-forwarded-for': '203.0.113.9' } });
      await requestToken(server, { password: 'wrong-password' });
      await fetch(server.jwksUri);
      const log = await control.requests();
      expect(log).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: '/oauth/token',
          grantType: 'password',
          clientId: TUTORIAL.clientId,
          forwardedFor: '203.0.113.9',
          status: 200,
          ip: '127.0.0.1',
        }),
        expect.objectContaining({ path: '/oauth/token', status: 403, clientId: TUTORIAL.clientId }),
        expect.objectContaining({ method: 'GET', path: '/.well-known/jwks.json', status: 200 }),
      ]);
      const text = JSON.stringify(log);
      for (const secret of [TUTORIAL.password, 'wrong-password', TUTORIAL.clientSecret]) {
        expect(text).not.toContain(secret);
      }
      const tokenCalls = log.filter((entry) => entry.path === '/oauth/token').length;
      expect(tokenCalls).toBe(2);
      await control.clearRequests();
      expect(await control.requests()).toEqual([]);
    });

    it('takes the client id from Basic credentials', async () => {
      await control.setClient({
        clientId: 'basic',
        clientSecret: 'basic-secret',
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: [GrantType.password],
      });
      await requestToken(
        server,
        { client_id: undefined, client_secret: undefined },
        {
          headers: {
            authorization: `Basic ${Buffer.from('basic:basic-secret').toString('base64')}`,
          },
        },
      );
      const [entry] = await control.requests();
      expect(entry).toMatchObject({ clientId: 'basic', status: 200 });
      expect(JSON.stringify(entry)).not.toContain('basic-secret');
    });
  });

  describe('MFA', () => {
    const { connection, username } = TUTORIAL;

    it('enrolAuthenticator: an OTP app with a generated secret; the user must now pass MFA with it', async () => {
      const enrolled = await control.enrolAuthenticator(connection, username, { type: 'otp' });
      expect(enrolled).toEqual({
        id: expect.stringMatching(/^totp\|dev_[A-Za-z0-9]{16}$/),
        type: 'otp',
        active: true,
        secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      });
      const { mfaToken, requirements } = await mfaRequired(server);
      expect(requirements).toEqual({ challenge: [{ type: 'otp' }] });
      await expect(
        await mfaGrant(server, {
          grant_type: GrantType.mfaOtp,
          mfa_token: mfaToken,
          otp: await authenticatorCode(server, enrolled.secret),
        }),
      ).toBeTokenResponse();
    });

    it("enrolAuthenticator: SMS, voice, email (the user's by default), push and recovery codes; authenticators lists them", async () => {
      await control.enrolAuthenticator(connection, username, {
        type: 'sms',
        phoneNumber: '+15555550100',
      });
      await control.enrolAuthenticator(connection, username, {
        type: 'voice',
        phoneNumber: '+15555550101',
      });
      await control.enrolAuthenticator(connection, username, { type: 'email' });
      await control.enrolAuthenticator(connection, username, { type: 'push', name: 'Pixel' });
      const recovery = await control.enrolAuthenticator(connection, username, {
        type: 'recovery-code',
        code: 'MYRECOVERYCODE',
      });
      expect(recovery).toEqual({
        id: expect.stringMatching(/^recovery-code\|dev_/),
        type: 'recovery-code',
        active: true,
        codes: ['MYRECOVERYCODE'],
      });
      expect(
        (await control.authenticators(connection, username)).map(({ id: _id, ...rest }) => rest),
      ).toEqual([
        { type: 'recovery-code', active: true, codes: ['MYRECOVERYCODE'] },
        { type: 'sms', active: true, phoneNumber: '+15555550100' },
        { type: 'voice', active: true, phoneNumber: '+15555550101' },
        { type: 'email', active: true, email: username },
        { type: 'push', active: true, name: 'Pixel' },
      ]);
      expect((await mfaRequired(server)).requirements).toEqual({
        challenge: [{ type: 'push-notification' }, { type: 'phone' }, { type: 'email' }],
      });
    });

    it('mfaMessages: what the phone received; the code signs in', async () => {
      await allowMfaGrants(control);
      await control.enrolAuthenticator(connection, username, {
        type: 'sms',
        phoneNumber: '+15555550100',
      });
      expect(await control.mfaMessages(connection, username)).toEqual([]);
      const { mfaToken } = await mfaRequired(server);
      const started = await challenge(server, { mfa_token: mfaToken, challenge_type: 'oob' });
      const { oob_code: oobCode } = (await started.json()) as { oob_code: string };
      const messages = await control.mfaMessages(connection, username);
      expect(messages).toEqual([
        {
          channel: 'sms',
          to: '+15555550100',
          code: expect.stringMatching(/^\d{6}$/),
          oobCode,
          purpose: 'challenge',
          at: expect.any(Number),
        },
      ]);
      await expect(
        await mfaGrant(server, {
          grant_type: GrantType.mfaOob,
          mfa_token: mfaToken,
          oob_code: oobCode,
          binding_code: messages[0]!.code,
        }),
      ).toBeTokenResponse();
    });

    it('approvePush and denyPush answer the newest pending push', async () => {
      await allowMfaGrants(control);
      await control.enrolAuthenticator(connection, username, { type: 'push' });
      const denied = await pushPoll(server);
      await control.denyPush(connection, username);
      await expect(await denied()).toBeOAuthError(
        400,
        'access_denied',
        'MFA Authorization rejected.',
      );
      await expect(control.denyPush(connection, username)).rejects.toThrow(
        'The user has no pending push notification',
      );
      const approved = await pushPoll(server);
      await control.approvePush(connection, username);
      await expect(await approved()).toBeTokenResponse();
    });

    it('rejects a bad authenticator with the option named, and an unknown user', async () => {
      await expect(
        control.enrolAuthenticator(connection, username, {
          type: 'sms',
          phoneNumber: '555-0100',
        }),
      ).rejects.toThrow(/"authenticator\.phoneNumber" must be a phone number in E\.164 format/);
      await expect(
        control.enrolAuthenticator(connection, username, {
          type: 'otp',
          secret: 'JBSWY3DPEHPK3PXP',
        }),
      ).rejects.toThrow(/"authenticator\.secret" must be base32/);
      await expect(
        control.enrolAuthenticator(connection, username, {
          type: 'webauthn',
        } as unknown as AuthenticatorEnrolment),
      ).rejects.toThrow(/"authenticator\.type" must be one of: otp, sms, voice, email, push/);
      await expect(
        control.enrolAuthenticator(connection, username, {
          type: 'push',
          phone: '+15555550100',
        } as unknown as AuthenticatorEnrolment),
      ).rejects.toThrow(/Unknown option "authenticator\.phone"/);
      await expect(control.authenticators(connection, 'nobody@example.com')).rejects.toThrow(
        `Connection "${connection}" has no user with that email`,
      );
      await expect(control.mfaMessages('nowhere', username)).rejects.toThrow(
        'No connection is named "nowhere"',
      );
    });

    it('reset() forgets enrolments and messages', async () => {
      await control.enrolAuthenticator(connection, username, {
        type: 'email',
        email: 'box@example.com',
      });
      const { mfaToken } = await mfaRequired(server);
      await challenge(server, { mfa_token: mfaToken, challenge_type: 'oob' });
      expect(await control.mfaMessages(connection, username)).toHaveLength(1);
      await control.reset();
      expect(await control.authenticators(connection, username)).toEqual([]);
      expect(await control.mfaMessages(connection, username)).toEqual([]);
      await expect(await requestToken(server)).toBeTokenResponse();
    });
  });

  describe('issuer and reset', () => {
    it('setIssuer changes discovery and new tokens; a bad issuer is refused', async () => {
      await control.setIssuer('https://tenant.example.com/');
      const document = (await (await fetch(server.discoveryUrl)).json()) as { issuer: string };
      expect(document.issuer).toBe('https://tenant.example.com/');
      const body = await expectTokens(await requestToken(server));
      expect(decodeJwt(body.access_token).iss).toBe('https://tenant.example.com/');
      await expect(control.setIssuer('https://tenant.example.com')).rejects.toThrow(
        /"issuer" must be/,
      );
    });

    it('reset restores configuration, keys and clock, and forgets tokens, lockouts, faults and the log; it keeps the issuer', async () => {
      const jwksBefore = await (await fetch(server.jwksUri)).text();
      const refreshToken = (
        await expectTokens(await requestToken(server, { scope: 'read:sample offline_access' }))
      ).refresh_token!;
      await control.setUser(TUTORIAL.connection, {
        email: 'temp@example.com',
        password: 'temp-password',
      });
      await control.rotateSigningKey({ alg: 'ES256', keepPrevious: false });
      await control.setIssuer('https://tenant.example.com/');
      await control.advanceClock(10_000);
      for (let attempt = 0; attempt < 10; attempt += 1)
        await requestToken(server, { password: 'wrong' });
      expect((await requestToken(server)).status).toBe(429);
      await control.queueFault({ endpoint: '/oauth/token', kind: 'status', status: 500 });

      await control.reset();

      expect(await (await fetch(server.jwksUri)).text()).toBe(jwksBefore);
      expect(server.issuer).toBe('https://tenant.example.com/');
      expect(Math.abs((await control.now()) - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(
        1,
      );
      await expect(
        await requestToken(server, { username: 'temp@example.com', password: 'temp-password' }),
      ).toBeOAuthError(403, 'invalid_grant', 'Wrong email or password.');
      await expect(await requestToken(server)).toBeTokenResponse();
      const refresh = await postForm(server.tokenEndpoint, {
        grant_type: 'refresh_token',
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        refresh_token: refreshToken,
      });
      await expect(refresh).toBeOAuthError(
        403,
        'invalid_grant',
        'Unknown or invalid refresh token.',
      );
      // The log restarted at reset: the JWKS fetch and the token requests since (no fault).
      expect(
        (await control.requests()).map((entry) => [entry.path, entry.status, entry.fault]),
      ).toEqual([
        ['/.well-known/jwks.json', 200, undefined],
        ['/oauth/token', 403, undefined],
        ['/oauth/token', 200, undefined],
        ['/oauth/token', 403, undefined],
      ]);
    });
  });
});

describe('HTTP control API', () => {
  let server: MockServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('is off unless enabled: the client gets a 404 MockServerControlError', async () => {
    server = await startTutorial();
    const control = new MockServerControlClient(server.url);
    const attempt = control.advanceClock(10);
    await expect(attempt).rejects.toBeInstanceOf(MockServerControlError);
    await expect(attempt).rejects.toMatchObject({ status: 404 });
    expect(await server.control.now()).toBeLessThan(Math.floor(Date.now() / 1000) + 5);
  });

  it('answers 400 for bad JSON and 404 for unknown operations, and is not in the request log', async () => {
    server = await startTutorial({ controlApi: true });
    const badJson = await fetch(`${server.url}/__ropkit/faults`, { method: 'POST', body: '{' });
    expect(badJson.status).toBe(400);
    const unknown = await fetch(`${server.url}/__ropkit/nothing-here`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await server.control.requests()).toEqual([]);
  });

  it('a malformed-json fault breaks oauth4webapi the way a truncated response would', async () => {
    server = await startTutorial({ controlApi: true });
    const control = new MockServerControlClient(server.url);
    await control.queueFault({ endpoint: '/oauth/token', kind: 'malformed-json' });
    const issuer = new URL(server.issuer);
    const options = { [oauth.allowInsecureRequests]: true } as const;
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, options),
    );
    const client = { client_id: TUTORIAL.clientId };
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.ClientSecretPost(TUTORIAL.clientSecret),
      'password',
      { username: TUTORIAL.username, password: TUTORIAL.password, audience: TUTORIAL.audience },
      options,
    );
    await expect(
      oauth.processGenericTokenEndpointResponse(as, client, response),
    ).rejects.toMatchObject({
      code: oauth.PARSE_ERROR,
    });
  });
});
