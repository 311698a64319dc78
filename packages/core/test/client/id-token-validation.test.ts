import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createLoginRoutes, renderError } from '../../src/adapter.js';
import {
  IdTokenError,
  ReauthenticationRequiredError,
  TokenClient,
  TokenManager,
  type IdTokenErrorReason,
  type TokenClientOptions,
  type TokenLogger,
  type TokenManagerOptions,
} from '../../src/index.js';
import { isRetryable, statusOf } from '../../src/client/token-errors.js';
import { rejection } from './hostile-server.js';
import {
  HOSTILE_CLIENT,
  HOSTILE_SUBJECT,
  hostileIssuerClient,
  useHostileIssuer,
  type HostileIssuer,
} from '../support/hostile-issuer.js';
import { FakeSession } from '../sign-in/fake-session.js';

const hostile = useHostileIssuer();
const KEY = 'session-1';
const USER = { username: 'user@example.com', password: 'CanaryPassword-77' } as const;

/** Values that must never show in an error: tokens, the secret, the password, claim values. */
const CANARIES = [
  HOSTILE_CLIENT.clientSecret,
  USER.password,
  HOSTILE_SUBJECT,
  'canary@example.com',
  'hostile-at-',
  'hostile-refresh-token',
  'https://evil.example/',
  'someone-else',
];

function client(options: Partial<TokenClientOptions> = {}): TokenClient {
  return hostileIssuerClient(hostile.server, { scope: 'openid offline_access', ...options });
}

function manager(
  clientOptions: Partial<TokenClientOptions> = {},
  managerOptions: Partial<TokenManagerOptions> = {},
): TokenManager {
  return new TokenManager({ client: client(clientOptions), ...managerOptions });
}

/** Everything an error shows: message, stack, cause, `JSON.stringify`, `util.inspect`. */
function shown(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error) ?? ''];
  if (error instanceof Error) parts.push(error.message, error.stack ?? '');
  return parts.join('\n');
}

/** Asserts that nothing of `idToken` (whole or any segment) nor any canary shows in `error`. */
function expectNothingLeaked(error: unknown, idToken?: string): void {
  const text = shown(error);
  const secrets = [...CANARIES, ...(idToken === undefined ? [] : [idToken, ...idToken.split('.')])];
  for (const secret of secrets.filter((value) => value.length >= 8)) {
    expect(text).not.toContain(secret);
  }
}

/**
 * Signs in with the hostile issuer answering `idToken`, and asserts the refusal: an
 * {@link IdTokenError}, nothing stored, nothing leaked. Resolves to the error, whose `reason` the
 * test checks.
 */
async function refusedSignIn(
  idToken: string,
  clientOptions: Partial<TokenClientOptions> = {},
): Promise<IdTokenError> {
  hostile.server.queue({ idToken });
  const tokens = manager(clientOptions);
  const error = await rejection(tokens.signIn(KEY, USER));
  expect(error).toBeInstanceOf(IdTokenError);
  expect((error as IdTokenError).code).toBe('invalid_id_token');
  await expect(tokens.getTokenSet(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
  expectNothingLeaked(error, idToken);
  return error as IdTokenError;
}

/** The reason an ID token is refused with at sign-in (after the checks of {@link refusedSignIn}). */
async function reasonOf(
  idToken: string,
  clientOptions: Partial<TokenClientOptions> = {},
): Promise<IdTokenErrorReason> {
  return (await refusedSignIn(idToken, clientOptions)).reason;
}

/** What a synchronous call throws; fails the test when it returns. */
function rejectionOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Replaces one character in the middle of a segment, keeping it canonical base64url. */
function tamper(token: string, segment: number): string {
  const parts = token.split('.');
  const part = parts[segment] ?? '';
  const at = Math.floor(part.length / 2);
  parts[segment] = `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;
  return parts.join('.');
}

const seconds = () => Math.floor(Date.now() / 1000);

describe('ID token validation (OpenID Connect Core 1.0 section 3.1.3.7): accepted', () => {
  it('validates with the discovered key set, keeps the frozen claims, and identity() returns them', async () => {
    const tokens = manager();
    const signedIn = await tokens.signIn(KEY, USER);
    expect(signedIn.idToken).toEqual(expect.any(String));
    expect(signedIn.idTokenClaims).toMatchObject({
      iss: hostile.server.issuer,
      sub: HOSTILE_SUBJECT,
      aud: HOSTILE_CLIENT.clientId,
    });
    expect(Object.isFrozen(signedIn.idTokenClaims)).toBe(true);
    const identity = await tokens.identity(KEY);
    expect(identity?.sub).toBe(HOSTILE_SUBJECT);
    expect(identity?.email).toBe('canary@example.com');
    expect(JSON.parse(JSON.stringify(signedIn)).idTokenClaims).toEqual(signedIn.idTokenClaims);
  });

  it('accepts several audiences when azp is the client', async () => {
    const idToken = await hostile.server.idToken({
      claims: {
        aud: [HOSTILE_CLIENT.clientId, 'https://api.example.com'],
        azp: HOSTILE_CLIENT.clientId,
      },
    });
    hostile.server.queue({ idToken });
    expect((await client().password(USER)).idTokenClaims?.azp).toBe(HOSTILE_CLIENT.clientId);
  });

  it('accepts HS256 with the client secret when configured, and fetches no key set', async () => {
    const idToken = await hostile.server.idToken({ hmacSecret: HOSTILE_CLIENT.clientSecret });
    hostile.server.queue({ idToken });
    const jwksBefore = hostile.server.count('/.well-known/jwks.json');
    const tokens = await client({ idToken: { algorithms: ['HS256'] } }).password(USER);
    expect(tokens.idTokenClaims?.sub).toBe(HOSTILE_SUBJECT);
    expect(hostile.server.count('/.well-known/jwks.json')).toBe(jwksBefore);
  });

  it('uses a configured jwksUri without discovery', async () => {
    const before = hostile.server.count('/.well-known/openid-configuration');
    const tokens = await client({
      tokenEndpoint: hostile.server.tokenEndpoint,
      idToken: { jwksUri: hostile.server.jwksUri },
    }).password(USER);
    expect(tokens.idTokenClaims?.sub).toBe(HOSTILE_SUBJECT);
    expect(hostile.server.count('/.well-known/openid-configuration')).toBe(before);
  });

  it('with idToken: false, drops the ID token unverified and fetches nothing', async () => {
    const idToken = await hostile.server.idToken({ key: hostile.server.strangerKey });
    hostile.server.queue({ idToken });
    const before = hostile.server.count('/.well-known/jwks.json');
    const tokens = await client({ idToken: false }).password(USER);
    expect(tokens.idToken).toBeUndefined();
    expect(tokens.idTokenClaims).toBeUndefined();
    expect(hostile.server.count('/.well-known/jwks.json')).toBe(before);
  });

  it('an answer without an ID token has no claims, and identity() is undefined', async () => {
    hostile.server.queue({ idToken: undefined });
    const tokens = manager({ scope: 'offline_access' });
    await tokens.signIn(KEY, USER);
    expect(await tokens.identity(KEY)).toBeUndefined();
  });
});

describe('ID token validation: every forgery and mistake is refused, nothing stored, nothing leaked', () => {
  it('alg "none" (with or without a signature)', async () => {
    const claims = {
      iss: hostile.server.issuer,
      sub: HOSTILE_SUBJECT,
      aud: HOSTILE_CLIENT.clientId,
      iat: seconds(),
      exp: seconds() + 3600,
    };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}`;
    expect(await reasonOf(`${none}.c2lnbmF0dXJl`)).toBe('algorithm');
    expect(await reasonOf(`${none}.`)).toBe('malformed');
  });

  it('HS256 signed with the client secret when HS256 is not configured (key confusion)', async () => {
    const idToken = await hostile.server.idToken({ hmacSecret: HOSTILE_CLIENT.clientSecret });
    expect(await reasonOf(idToken)).toBe('algorithm');
  });

  it('RS256 when only HS256 is configured', async () => {
    expect(
      await reasonOf(await hostile.server.idToken(), {
        idToken: { algorithms: ['HS256'] },
      }),
    ).toBe('algorithm');
  });

  it('HS256 with another secret', async () => {
    const idToken = await hostile.server.idToken({
      hmacSecret: 'another-secret-0123456789-abcdefghij',
    });
    expect(await reasonOf(idToken, { idToken: { algorithms: ['HS256'] } })).toBe('signature');
  });

  it('RS256 signed with a key the issuer does not publish', async () => {
    const idToken = await hostile.server.idToken({ key: hostile.server.strangerKey });
    expect(await reasonOf(idToken)).toBe('signature');
  });

  it("RS256 signed with another key under the issuer's kid", async () => {
    const idToken = await hostile.server.idToken({
      key: hostile.server.strangerKey,
      header: { kid: hostile.server.key.kid },
    });
    expect(await reasonOf(idToken)).toBe('signature');
  });

  it('a tampered payload or signature', async () => {
    const idToken = await hostile.server.idToken();
    expect(await reasonOf(tamper(idToken, 2))).toBe('signature');
    const other = await hostile.server.idToken({ claims: { sub: 'someone-else' } });
    const [header, , signature] = idToken.split('.');
    expect(await reasonOf(`${header}.${other.split('.')[1]}.${signature}`)).toBe('signature');
  });

  it('another audience', async () => {
    const idToken = await hostile.server.idToken({ claims: { aud: 'someone-else' } });
    expect(await reasonOf(idToken)).toBe('audience');
  });

  it('another issuer', async () => {
    const idToken = await hostile.server.idToken({ claims: { iss: 'https://evil.example/' } });
    expect(await reasonOf(idToken)).toBe('issuer');
  });

  it('several audiences without azp', async () => {
    const idToken = await hostile.server.idToken({
      claims: { aud: [HOSTILE_CLIENT.clientId, 'someone-else'] },
    });
    expect(await reasonOf(idToken)).toBe('authorized_party');
  });

  it('an azp that is not the client', async () => {
    const idToken = await hostile.server.idToken({ claims: { azp: 'someone-else' } });
    expect(await reasonOf(idToken)).toBe('authorized_party');
  });

  it('exp past (beyond the clock tolerance)', async () => {
    const idToken = await hostile.server.idToken({
      claims: { iat: seconds() - 7200, exp: seconds() - 60 },
    });
    expect(await reasonOf(idToken)).toBe('expired');
  });

  it('iat in the future (beyond the clock tolerance)', async () => {
    const idToken = await hostile.server.idToken({ claims: { iat: seconds() + 600 } });
    expect(await reasonOf(idToken)).toBe('issued_at');
  });

  it('iat missing', async () => {
    const idToken = await hostile.server.idToken({ claims: { iat: undefined } });
    expect(await reasonOf(idToken)).toBe('issued_at');
  });

  it('sub missing or empty', async () => {
    expect(await reasonOf(await hostile.server.idToken({ claims: { sub: undefined } }))).toBe(
      'subject',
    );
    expect(await reasonOf(await hostile.server.idToken({ claims: { sub: '' } }))).toBe('subject');
  });

  it('a payload that is not JSON', async () => {
    expect(await reasonOf(await hostile.server.signRaw('not json, canary@example.com'))).toBe(
      'malformed',
    );
  });

  it('a standard claim of the wrong type', async () => {
    const idToken = await hostile.server.idToken({ claims: { email_verified: 'yes' } });
    const error = await refusedSignIn(idToken);
    expect(error.reason).toBe('malformed');
    expect(error.message).toContain('"email_verified"');
  });

  it('a key set that cannot be fetched: key_set_unavailable', async () => {
    hostile.server.jwksDown = true;
    const error = await refusedSignIn(await hostile.server.idToken());
    expect(error.reason).toBe('key_set_unavailable');
    expect(isRetryable(error)).toBe(false);
  });

  it('an ID token when no issuer is configured: no_issuer, telling what to give', async () => {
    const error = await refusedSignIn(await hostile.server.idToken(), {
      issuer: undefined,
      tokenEndpoint: hostile.server.tokenEndpoint,
      scope: 'offline_access',
    });
    expect(error.reason).toBe('no_issuer');
    expect(error.message).toContain('"issuer"');
    expect(error.message).toContain('idToken: false');
  });

  it('in every grant: an MFA grant answers the same refusal', async () => {
    hostile.server.queue({
      idToken: await hostile.server.idToken({ claims: { aud: 'someone-else' } }),
    });
    const error = await rejection(client().mfaOtp({ mfaToken: 'mfa-token-canary', otp: '123456' }));
    expect(error).toBeInstanceOf(IdTokenError);
    expect((error as IdTokenError).reason).toBe('audience');
    expect(shown(error)).not.toContain('mfa-token-canary');
  });

  it('is a TokenError that is never retried and has no status', async () => {
    const error = await refusedSignIn(
      await hostile.server.idToken({ claims: { aud: 'someone-else' } }),
    );
    expect(error.reason).toBe('audience');
    expect(isRetryable(error)).toBe(false);
    expect(statusOf(error)).toBeUndefined();
    expect(error.name).toBe('IdTokenError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'invalid_id_token',
      reason: 'audience',
    });
  });
});

describe('ID token validation on refresh (OpenID Connect Core 1.0 section 12.2)', () => {
  it('another sub: subject_changed, the key forgotten with a cleared event, nothing stored', async () => {
    const info = vi.fn<(message: string, fields: object) => void>();
    const logger: TokenLogger = { info };
    const tokens = manager({}, { logger });
    await tokens.signIn(KEY, USER);
    const idToken = await hostile.server.idToken({ claims: { sub: 'someone-else' } });
    hostile.server.queue({ idToken, refreshToken: 'hostile-refresh-token-2' });
    const error = await rejection(tokens.refresh(KEY));
    expect(error).toBeInstanceOf(IdTokenError);
    expect((error as IdTokenError).reason).toBe('subject_changed');
    expectNothingLeaked(error, idToken);
    await expect(tokens.getTokenSet(KEY)).rejects.toBeInstanceOf(ReauthenticationRequiredError);
    expect(info).toHaveBeenCalledWith('ropkit token cleared', {
      key: KEY,
      reason: 'subject_changed',
    });
  });

  it('another sub while the old token is still valid: not served, the session is over', async () => {
    const tokens = manager({}, { clock: () => Date.now() + 0.9 * 3_600_000 });
    await tokens.signIn(KEY, USER);
    hostile.server.queue({
      idToken: await hostile.server.idToken({ claims: { sub: 'someone-else' } }),
    });
    const error = await rejection(tokens.getAccessToken(KEY));
    expect((error as IdTokenError).reason).toBe('subject_changed');
    expect(renderError(error)?.status).toBe(401);
  });

  it('a refused ID token while the old token is still valid: the old one is served and kept', async () => {
    const tokens = manager({}, { clock: () => Date.now() + 0.9 * 3_600_000 });
    const signedIn = await tokens.signIn(KEY, USER);
    // Every answer refused, not only the first: the token is still due, so on a slow machine a
    // later read may refresh again once the retry backoff has passed (and a good answer would
    // then rightly replace the set, which is not what this test is about).
    const refused = { idToken: await hostile.server.idToken({ key: hostile.server.strangerKey }) };
    hostile.server.queue(refused, refused, refused, refused, refused);
    expect(await tokens.getAccessToken(KEY)).toBe(signedIn.accessToken);
    expect((await tokens.getTokenSet(KEY)).idToken).toBe(signedIn.idToken);
  });

  it('a refused ID token on refresh(): thrown, the stored set unchanged', async () => {
    const tokens = manager();
    const signedIn = await tokens.signIn(KEY, USER);
    hostile.server.queue({
      idToken: await hostile.server.idToken({ claims: { exp: seconds() - 60 } }),
    });
    const error = await rejection(tokens.refresh(KEY));
    expect((error as IdTokenError).reason).toBe('expired');
    expect(await tokens.getTokenSet(KEY)).toBe(signedIn);
  });

  it('no ID token in the refresh answer: the previous ID token and claims are kept', async () => {
    const tokens = manager();
    const signedIn = await tokens.signIn(KEY, USER);
    hostile.server.queue({ idToken: undefined });
    const refreshed = await tokens.refresh(KEY);
    expect(refreshed.accessToken).not.toBe(signedIn.accessToken);
    expect(refreshed.idToken).toBe(signedIn.idToken);
    expect(refreshed.idTokenClaims).toEqual(signedIn.idTokenClaims);
    expect((await tokens.identity(KEY))?.sub).toBe(HOSTILE_SUBJECT);
  });

  it('the same sub: the new ID token and claims replace the old', async () => {
    const tokens = manager();
    await tokens.signIn(KEY, USER);
    const idToken = await hostile.server.idToken({ claims: { name: 'Renamed' } });
    hostile.server.queue({ idToken });
    const refreshed = await tokens.refresh(KEY);
    expect(refreshed.idToken).toBe(idToken);
    expect((await tokens.identity(KEY))?.name).toBe('Renamed');
  });
});

describe('ID token options', () => {
  const base = {
    issuer: 'https://tenant.example.com/',
    clientId: 'app',
    clientSecret: HOSTILE_CLIENT.clientSecret,
  };
  it.each([
    ['"none"', { idToken: { algorithms: ['none'] } }, '"none" is refused'],
    ['HMAC beside RS256', { idToken: { algorithms: ['HS256', 'RS256'] } }, 'beside asymmetric'],
    ['HS384', { idToken: { algorithms: ['HS384'] } }, '"idToken.algorithms" may list'],
    ['an empty list', { idToken: { algorithms: [] } }, 'non-empty array'],
    ['an unknown option', { idToken: { audience: 'x' } }, 'Unknown idToken option "audience"'],
    ['not an object', { idToken: true }, '"idToken" must be false or an object'],
    ['a negative tolerance', { idToken: { clockTolerance: -1 } }, '"idToken.clockTolerance"'],
    [
      'a bad key set limit',
      { idToken: { keySet: { ttl: 1 } } },
      'Unknown option "idToken.keySet.ttl"',
    ],
    [
      'an insecure jwksUri',
      { idToken: { jwksUri: 'http://example.com/jwks' } },
      '"idToken.jwksUri"',
    ],
    [
      'HS256 without a secret',
      { clientSecret: undefined, idToken: { algorithms: ['HS256'] } },
      'needs "clientSecret"',
    ],
    [
      'HS256 with a short secret',
      { clientSecret: 'short-secret', idToken: { algorithms: ['HS256'] } },
      'at least 32 bytes',
    ],
    [
      'openid by default without an issuer',
      {
        issuer: undefined,
        tokenEndpoint: 'https://tenant.example.com/oauth/token',
        scope: 'openid profile',
      },
      'give "issuer"',
    ],
  ])('refuses %s at construction', (_, options, message) => {
    const attempt = () => new TokenClient({ ...base, ...options } as unknown as TokenClientOptions);
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(message);
    const thrown = rejectionOf(attempt);
    expect(String(thrown)).not.toContain(HOSTILE_CLIENT.clientSecret);
    expect(String(thrown)).not.toContain('short-secret');
  });

  it('allows openid by default without an issuer when ID tokens are dropped', () => {
    expect(
      () =>
        new TokenClient({
          tokenEndpoint: 'https://tenant.example.com/oauth/token',
          clientId: 'app',
          scope: 'openid',
          idToken: false,
        }),
    ).not.toThrow();
  });
});

/** The sign-in engine with a client of the hostile issuer. */
function engine(server: HostileIssuer, clientOptions: Partial<TokenClientOptions> = {}) {
  return createLoginRoutes({
    client: {
      issuer: server.issuer,
      clientId: HOSTILE_CLIENT.clientId,
      clientSecret: HOSTILE_CLIENT.clientSecret,
      scope: 'openid offline_access',
      ...clientOptions,
    },
  });
}

describe('the sign-in engine answers a refused ID token', () => {
  const body = { username: USER.username, password: USER.password };

  it('502 invalid_id_token: nobody signed in, no token text in the answer', async () => {
    const idToken = await hostile.server.idToken({ claims: { iss: 'https://evil.example/' } });
    hostile.server.queue({ idToken });
    const session = new FakeSession();
    const routes = engine(hostile.server);
    const { answer, result } = await routes.login({ body, ip: undefined, session });
    expect(result.status).toBe('invalid_id_token');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'invalid_id_token' });
    for (const secret of [idToken, ...CANARIES]) expect(answer.body).not.toContain(secret);
    expect(session.readKey()).toBeUndefined();
  });

  it('503 unavailable when the key set is down', async () => {
    hostile.server.jwksDown = true;
    const { answer, result } = await engine(hostile.server).login({
      body,
      ip: undefined,
      session: new FakeSession(),
    });
    expect(result.status).toBe('unavailable');
    expect(answer.status).toBe(503);
  });

  it('identity() gives the verified claims of the session, and 401 once signed out', async () => {
    const routes = engine(hostile.server);
    const session = new FakeSession();
    await routes.login({ body, ip: undefined, session });
    expect((await routes.identity(session, undefined))?.sub).toBe(HOSTILE_SUBJECT);
    await routes.logout({ ip: undefined, session });
    const error = await rejection(routes.identity(session, undefined));
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(renderError(error)?.status).toBe(401);
  });

  it('renderError: 502 invalid_id_token, 503 for an unavailable key set, never token text', () => {
    const refused = renderError(new IdTokenError('signature', 'The ID token was refused'));
    expect(refused?.status).toBe(502);
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({ error: 'invalid_id_token' });
    const unavailable = renderError(new IdTokenError('key_set_unavailable', 'down'));
    expect(unavailable?.status).toBe(503);
  });
});
