import { createHmac } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  UnsecuredJWT,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GrantType,
  ID_TOKEN_DEFECTS,
  MockServerControlClient,
  MockServerControlError,
  TUTORIAL,
  type FaultSpec,
  type IdTokenDefect,
  type MockServer,
  type MockServerControl,
} from '../src/index.js';
import {
  expectTokens,
  postForm,
  requestToken,
  startTutorial,
  verifyToken,
  type TokenBody,
} from './helpers.js';

/** The audience defects' other client: the tutorial client's id with a suffix. */
const OTHER_CLIENT = `${TUTORIAL.clientId}-other`;
/** A grant with an ID token (openid) and a refresh token (offline_access). */
const SCOPE = 'openid offline_access read:sample';

/** The published keys, as a client would fetch them. */
async function publishedKeys(server: MockServer): Promise<JSONWebKeySet> {
  return (await (await fetch(server.jwksUri)).json()) as JSONWebKeySet;
}

/**
 * OIDC Core section 3.1.3.7 as far as jose checks it: signature with the issuer's JWKS, RS256
 * only, exact `iss`, `aud` with the client id, `exp`, `iat` at most an hour old and not in the
 * future, `sub` present; five minutes of clock tolerance, so that the time defects are seen to go
 * beyond it. `at` is the mock's (frozen) time.
 */
async function verifyIdToken(
  server: MockServer,
  idToken: string,
  at: number,
  options: JWTVerifyOptions = {},
) {
  return jwtVerify(idToken, createLocalJWKSet(await publishedKeys(server)), {
    issuer: server.issuer,
    audience: TUTORIAL.clientId,
    algorithms: ['RS256'],
    requiredClaims: ['sub', 'iat', 'exp'],
    maxTokenAge: '1h',
    clockTolerance: '5m',
    currentDate: new Date(at * 1000),
    ...options,
  });
}

/** What a test of one defect has at hand. */
interface DefectContext {
  readonly server: MockServer;
  /** The mock's frozen time. */
  readonly at: number;
  /** An ID token of the same grant without the fault. */
  readonly valid: { claims: JWTPayload; header: ProtectedHeaderParameters };
}

interface DefectCase {
  readonly defect: IdTokenDefect;
  /** The claims the spoiled token carries, from those of the valid one. */
  readonly claims: (valid: JWTPayload, context: DefectContext) => JWTPayload;
  /**
   * How {@link verifyIdToken} refuses it: extra verify options, and the error it throws, or none
   * where jose does not check the claim (`azp`).
   */
  readonly refusal: (context: DefectContext) => {
    options?: JWTVerifyOptions;
    error?: Record<string, unknown>;
  };
  /** Further checks of the token: its header, its signature. */
  readonly check?: (idToken: string, context: DefectContext) => Promise<void>;
}

const claimFailure = (claim: string, reason = 'check_failed') => ({
  code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
  claim,
  reason,
});

/** The token's own header and signature are those of a tenant token: the claims are the defect. */
async function signedByTenant(idToken: string, context: DefectContext): Promise<void> {
  expect(decodeProtectedHeader(idToken)).toEqual(context.valid.header);
  await expect(
    verifyIdToken(context.server, idToken, context.at, {
      issuer: undefined,
      audience: undefined,
      requiredClaims: [],
      maxTokenAge: undefined,
      currentDate: new Date(decodeJwt(idToken).iat! * 1000),
    }),
  ).resolves.toBeDefined();
}

const DEFECT_CASES: readonly DefectCase[] = [
  {
    defect: 'alg-none',
    claims: (valid) => valid,
    refusal: () => ({ error: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' } }),
    check: async (idToken, context) => {
      expect(decodeProtectedHeader(idToken)).toEqual({ alg: 'none', typ: 'JWT' });
      expect(idToken.split('.')[2]).toBe('');
      // A well-formed Unsecured JWT (RFC 7519 section 6) with the grant's claims.
      expect(UnsecuredJWT.decode(idToken).payload).toEqual(context.valid.claims);
    },
  },
  {
    defect: 'hs256-client-secret',
    claims: (valid) => valid,
    refusal: () => ({ error: { code: 'ERR_JOSE_ALG_NOT_ALLOWED' } }),
    check: async (idToken, context) => {
      expect(decodeProtectedHeader(idToken)).toEqual({ alg: 'HS256', typ: 'JWT' });
      // OIDC Core section 10.1: the MAC key is the client secret's UTF-8 octets.
      const { payload } = await jwtVerify(
        idToken,
        new TextEncoder().encode(TUTORIAL.clientSecret),
        {
          algorithms: ['HS256'],
          issuer: context.server.issuer,
          audience: TUTORIAL.clientId,
          currentDate: new Date(context.at * 1000),
        },
      );
      expect(payload).toEqual(context.valid.claims);
    },
  },
  {
    defect: 'unknown-key',
    claims: (valid) => valid,
    refusal: () => ({ error: { code: 'ERR_JWKS_NO_MATCHING_KEY' } }),
    check: async (idToken, context) => {
      const header = decodeProtectedHeader(idToken);
      expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
      const published = (await publishedKeys(context.server)).keys.map((key) => key.kid);
      expect(published).not.toContain(header.kid);
    },
  },
  {
    defect: 'bad-signature',
    claims: (valid) => valid,
    refusal: () => ({ error: { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' } }),
    check: async (idToken, context) => {
      // The tenant's header, kid published: only the signature is wrong.
      expect(decodeProtectedHeader(idToken)).toEqual(context.valid.header);
      expect(Buffer.from(idToken.split('.')[2]!, 'base64url')).toHaveLength(256);
    },
  },
  {
    defect: 'wrong-audience',
    claims: (valid) => ({ ...valid, aud: OTHER_CLIENT }),
    refusal: () => ({ error: claimFailure('aud') }),
    check: signedByTenant,
  },
  {
    defect: 'wrong-issuer',
    claims: (valid, { server }) => ({ ...valid, iss: server.issuer.slice(0, -1) }),
    refusal: () => ({ error: claimFailure('iss') }),
    check: signedByTenant,
  },
  {
    defect: 'expired',
    claims: (valid) => {
      const lifetime = valid.exp! - valid.iat!;
      return { ...valid, iat: valid.iat! - 3600 - lifetime, exp: valid.iat! - 3600 };
    },
    refusal: () => ({ error: { code: 'ERR_JWT_EXPIRED', claim: 'exp' } }),
    check: signedByTenant,
  },
  {
    defect: 'issued-in-future',
    claims: (valid) => ({ ...valid, iat: valid.iat! + 3600, exp: valid.exp! + 3600 }),
    refusal: () => ({ error: claimFailure('iat') }),
    check: signedByTenant,
  },
  {
    defect: 'missing-sub',
    claims: ({ sub: _removed, ...valid }) => valid,
    refusal: () => ({ error: claimFailure('sub', 'missing') }),
    check: signedByTenant,
  },
  {
    defect: 'other-sub',
    claims: (valid) => ({ ...valid, sub: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/) }),
    // The client expects the user it signed in (OIDC Core section 12.2 for a refresh).
    refusal: ({ valid }) => ({
      options: { subject: valid.claims.sub! },
      error: claimFailure('sub'),
    }),
    check: async (idToken, context) => {
      expect(decodeJwt(idToken).sub).not.toBe(context.valid.claims.sub);
      await signedByTenant(idToken, context);
    },
  },
  {
    // jose does not look at azp: the claims show the defect (OIDC Core 3.1.3.7 step 4).
    defect: 'multiple-audiences-no-azp',
    claims: (valid) => ({ ...valid, aud: [TUTORIAL.clientId, OTHER_CLIENT] }),
    refusal: () => ({}),
    check: async (idToken, context) => {
      expect(decodeJwt(idToken)).not.toHaveProperty('azp');
      await signedByTenant(idToken, context);
    },
  },
  {
    // Step 5: azp names another client.
    defect: 'wrong-azp',
    claims: (valid) => ({ ...valid, aud: [TUTORIAL.clientId, OTHER_CLIENT], azp: OTHER_CLIENT }),
    refusal: () => ({}),
    check: signedByTenant,
  },
];

/** The same suite through both implementations of MockServerControl. */
const implementations: Array<
  [string, (server: MockServer) => MockServerControl, new (...args: never[]) => Error]
> = [
  ['in-process handle', (server) => server.control, TypeError],
  [
    'HTTP control client',
    (server) => new MockServerControlClient(server.url),
    MockServerControlError,
  ],
];

describe.each(implementations)('id-token faults through the %s', (_name, controlOf, Refusal) => {
  let server: MockServer;
  let control: MockServerControl;
  let at: number;

  beforeEach(async () => {
    server = await startTutorial({ controlApi: true });
    control = controlOf(server);
    // Frozen, so the spoiled token and the valid one of the same grant have the same iat.
    at = await control.freezeClock();
  });
  afterEach(async () => {
    await server.close();
  });

  async function grant(scope = SCOPE): Promise<TokenBody> {
    return expectTokens(await requestToken(server, { scope }));
  }

  function refresh(refreshToken: string): Promise<Response> {
    return postForm(server.tokenEndpoint, {
      grant_type: 'refresh_token',
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
      refresh_token: refreshToken,
    });
  }

  /** The token endpoint's log: grant type, status, fault. */
  async function tokenLog(): Promise<
    Array<[string | undefined, number | null, string | undefined]>
  > {
    return (await control.requests())
      .filter((entry) => entry.path === '/oauth/token')
      .map((entry) => [entry.grantType, entry.status, entry.fault]);
  }

  it('covers every defect', () => {
    expect(DEFECT_CASES.map((entry) => entry.defect)).toEqual([...ID_TOKEN_DEFECTS]);
  });

  it.each(DEFECT_CASES)(
    '$defect: only the ID token is spoiled, once',
    async ({ defect, claims, refusal, check }) => {
      const validBody = await grant();
      const valid = {
        claims: decodeJwt(validBody.id_token!),
        header: decodeProtectedHeader(validBody.id_token!),
      };
      const context: DefectContext = { server, at, valid };
      await expect(verifyIdToken(server, validBody.id_token!, at)).resolves.toBeDefined();

      await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect });
      const spoiled = await grant();
      const idToken = spoiled.id_token!;

      // The defect, and how a strict client refuses it.
      expect(decodeJwt(idToken)).toEqual(claims(valid.claims, context));
      const expected = refusal(context);
      // The members of the error that the case names (code, claim, reason), or 'accepted'.
      const outcome = await verifyIdToken(server, idToken, at, expected.options).then(
        () => 'accepted',
        (error: Record<string, unknown>) =>
          Object.fromEntries(Object.keys(expected.error ?? {}).map((name) => [name, error[name]])),
      );
      expect(outcome).toEqual(expected.error ?? 'accepted');
      await check?.(idToken, context);

      // The grant otherwise succeeded: a valid access token, a refresh token that was stored.
      const { payload } = await verifyToken(server, spoiled.access_token, TUTORIAL.audience, {
        at,
      });
      expect(payload.sub).toBe(valid.claims.sub);
      expect(spoiled.refresh_token).toEqual(expect.any(String));
      const refreshed = await expectTokens(await refresh(spoiled.refresh_token!));
      // The fault was used up: the refresh's ID token is sound.
      const { payload: renewed } = await verifyIdToken(server, refreshed.id_token!, at);
      expect(renewed).toEqual(valid.claims);
      expect(await tokenLog()).toEqual([
        ['password', 200, undefined],
        ['password', 200, 'id-token'],
        ['refresh_token', 200, undefined],
      ]);
    },
  );

  it('times: spoils that many answers with an ID token, then none', async () => {
    await control.queueFault({
      endpoint: '/oauth/token',
      kind: 'id-token',
      defect: 'wrong-audience',
      times: 2,
    });
    const audiences: unknown[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      audiences.push(decodeJwt((await grant()).id_token!).aud);
    }
    expect(audiences).toEqual([OTHER_CLIENT, OTHER_CLIENT, TUTORIAL.clientId]);
  });

  it('waits for an answer with an ID token: answers without one, errors and other faults leave it queued', async () => {
    await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect: 'missing-sub' });
    // No openid, no ID token.
    const apiOnly = await grant('read:sample');
    expect(apiOnly.id_token).toBeUndefined();
    await expect(await requestToken(server, { scope: SCOPE, password: 'wrong' })).toBeOAuthError(
      403,
      'invalid_grant',
      'Wrong email or password.',
    );
    // A fault queued later answers the next request: id-token faults wait apart.
    await control.queueFault({ endpoint: '/oauth/token', kind: 'status', status: 503 });
    expect((await requestToken(server, { scope: SCOPE })).status).toBe(503);
    expect(decodeJwt((await grant()).id_token!)).not.toHaveProperty('sub');
    expect(decodeJwt((await grant()).id_token!)).toHaveProperty('sub');
    expect(await tokenLog()).toEqual([
      ['password', 200, undefined],
      ['password', 403, undefined],
      ['password', 503, 'status'],
      ['password', 200, 'id-token'],
      ['password', 200, undefined],
    ]);
  });

  it('spoils a refresh answer as well: other-sub changes the subject of a refreshed ID token', async () => {
    const first = await grant();
    const { sub } = decodeJwt(first.id_token!);
    await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect: 'other-sub' });
    const refreshed = await expectTokens(await refresh(first.refresh_token!));
    expect(decodeJwt(refreshed.id_token!).sub).not.toBe(sub);
    // The access token still names the user: only the ID token lies.
    expect(decodeJwt(refreshed.access_token).sub).toBe(sub);
  });

  it('clearFaults and reset drop queued id-token faults', async () => {
    await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect: 'alg-none' });
    await control.clearFaults();
    expect(decodeProtectedHeader((await grant()).id_token!).alg).toBe('RS256');
    await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect: 'alg-none' });
    await control.reset();
    expect(decodeProtectedHeader((await grant()).id_token!).alg).toBe('RS256');
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an unknown defect',
      { endpoint: '/oauth/token', kind: 'id-token', defect: 'none' },
      /"fault\.defect" must be one of: alg-none, hs256-client-secret, unknown-key, bad-signature, wrong-audience, wrong-issuer, expired, issued-in-future, missing-sub, other-sub, multiple-audiences-no-azp, wrong-azp$/,
    ],
    ['no defect', { endpoint: '/oauth/token', kind: 'id-token' }, /"fault\.defect" is required$/],
    [
      'another endpoint',
      { endpoint: '*', kind: 'id-token', defect: 'expired' },
      /"fault\.endpoint" must be "\/oauth\/token" for an id-token fault: only the token endpoint issues ID tokens$/,
    ],
    [
      'an unknown option',
      { endpoint: '/oauth/token', kind: 'id-token', defect: 'expired', status: 200 },
      /Unknown option "fault\.status"; expected one of: endpoint, times, kind, defect$/,
    ],
    [
      'a bad times',
      { endpoint: '/oauth/token', kind: 'id-token', defect: 'expired', times: 0 },
      /"fault\.times" must be an integer from 1 to 1000000$/,
    ],
  ])('refuses %s with a clear message', async (_case, fault, message) => {
    const attempt = control.queueFault(fault as FaultSpec);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toBeInstanceOf(Refusal);
    // Nothing was queued.
    expect(decodeJwt((await grant()).id_token!).aud).toBe(TUTORIAL.clientId);
  });

  it('is typed for the token endpoint only', async () => {
    await expect(
      // @ts-expect-error: an id-token fault names /oauth/token.
      control.queueFault({ endpoint: '/userinfo', kind: 'id-token', defect: 'expired' }),
    ).rejects.toThrow(/"fault\.endpoint" must be "\/oauth\/token"/);
  });
});

describe('id-token faults, further cases', () => {
  let server: MockServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hs256-client-secret for a public client: keyed with the empty string, as it has no secret', async () => {
    server = await startTutorial();
    await server.control.setClient({ clientId: 'public-app', grantTypes: [GrantType.password] });
    await server.control.queueFault({
      endpoint: '/oauth/token',
      kind: 'id-token',
      defect: 'hs256-client-secret',
    });
    const body = await expectTokens(
      await requestToken(server, {
        client_id: 'public-app',
        client_secret: undefined,
        scope: SCOPE,
      }),
    );
    const [header = '', payload = '', mac] = body.id_token!.split('.');
    expect(mac).toBe(createHmac('sha256', '').update(`${header}.${payload}`).digest('base64url'));
    expect(decodeJwt(body.id_token!).aud).toBe('public-app');
  });

  it('the HTTP control API answers a bad id-token fault with 400 invalid_request', async () => {
    server = await startTutorial({ controlApi: true });
    const response = await fetch(`${server.url}/__ropkit/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: '/oauth/token', kind: 'id-token', defect: 'unsigned' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: `"fault.defect" must be one of: ${ID_TOKEN_DEFECTS.join(', ')}`,
    });
  });

  it('with an ES256 signing key, unknown-key signs with ES256 too, and the claim defects with the tenant key', async () => {
    server = await startTutorial({ signingKeys: [{ alg: 'ES256' }] });
    const jwks = (await (await fetch(server.jwksUri)).json()) as JSONWebKeySet;
    for (const defect of ['unknown-key', 'expired'] as const) {
      await server.control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect });
      const { id_token: idToken } = await expectTokens(
        await requestToken(server, { scope: SCOPE }),
      );
      const header = decodeProtectedHeader(idToken!);
      expect(header.alg).toBe('ES256');
      const published = jwks.keys.map((key) => key.kid).includes(header.kid);
      expect([defect, published]).toEqual([defect, defect === 'expired']);
    }
  });
});
