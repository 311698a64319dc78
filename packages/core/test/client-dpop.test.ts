import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { GrantType, type MockServer, type MockServerConfig } from '@ropkit/mock-server';
import { USERS, testTenant } from '@ropkit/test-support';
import {
  EmbeddedJWK,
  calculateJwkThumbprint,
  decodeJwt,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderBearerError } from '../src/adapter.js';
import {
  BearerError,
  InvalidTokenResponseError,
  MemoryTokenStore,
  OAuthError,
  ReauthenticationRequiredError,
  TokenClient,
  TokenManager,
  accessTokenHash,
  bearerTokenInterceptor,
  createAccessTokenVerifier,
  createAuthorizedFetch,
  type TokenClientOptions,
  type TokenSet,
} from '../src/index.js';
import { TUTORIAL, totp, tutorialClient, useMockServer } from './client/support.js';

/** A public client (no secret): its refresh token is bound to the DPoP key (RFC 9449 section 5). */
const PUBLIC_DPOP_CLIENT = 'dpop-public-client';

/**
 * The test tenant with its API allowing sender-constrained tokens (Auth0's "Allow Sender
 * Constraining"), plus a public client with refresh tokens.
 */
function dpopTenant(extra: MockServerConfig = {}): MockServerConfig {
  const base = testTenant();
  return {
    ...base,
    apis: (base.apis ?? []).map((api) => ({ ...api, proofOfPossession: 'allowed' as const })),
    clients: [
      ...(base.clients ?? []),
      {
        clientId: PUBLIC_DPOP_CLIENT,
        tokenEndpointAuthMethod: 'none',
        grantTypes: [GrantType.password, GrantType.refreshToken],
      },
    ],
    ...extra,
  };
}

const mock = useMockServer(dpopTenant());
/** The same tenant, requiring server nonces in proofs (RFC 9449 section 8). */
const nonceMock = useMockServer(dpopTenant({ dpop: { requireNonce: true } }));
/** The test tenant as it is: its API does not bind tokens (Auth0's default). */
const plainMock = useMockServer();

const PASSWORD = { username: TUTORIAL.username, password: TUTORIAL.password };

function dpopClient(server: MockServer, options: Partial<TokenClientOptions> = {}): TokenClient {
  return tutorialClient(server, { dpop: true, ...options });
}

function publicDpopClient(server: MockServer, options: Partial<TokenClientOptions> = {}) {
  return new TokenClient({
    issuer: server.issuer,
    tokenEndpoint: server.tokenEndpoint,
    clientId: PUBLIC_DPOP_CLIENT,
    audience: TUTORIAL.audience,
    scope: 'openid offline_access read:sample',
    dpop: true,
    ...options,
  });
}

async function tokenRequests(server: MockServer) {
  return (await server.control.requests()).filter((entry) => entry.path === '/oauth/token');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** A DPoP proof verified as a resource server verifies it: with jose and the key it carries. */
interface VerifiedProof {
  header: JWTHeaderParameters;
  claims: JWTPayload;
  jkt: string;
}
async function verifyProof(proof: string | string[] | undefined): Promise<VerifiedProof> {
  if (typeof proof !== 'string') throw new Error('no single DPoP header');
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'],
  });
  return {
    header: protectedHeader,
    claims: payload,
    jkt: await calculateJwkThumbprint(protectedHeader.jwk ?? {}),
  };
}

/** One request a loopback server received. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: unknown;
}
interface LoopbackServer {
  origin: string;
  received: Received[];
  answer: (request: Received) => Answer;
}

/** An HTTP server on 127.0.0.1 that records each request and answers what the test says. */
function useLoopbackServer(): LoopbackServer {
  const state: LoopbackServer = {
    origin: '',
    received: [],
    answer: () => ({ status: 200, body: { ok: true } }),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      };
      state.received.push(received);
      const answer = state.answer(received);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    state.received = [];
    state.answer = () => ({ status: 200, body: { ok: true } });
  });
  afterAll(() => {
    server.close();
  });
  return state;
}

const api = useLoopbackServer();
const tokenServer = useLoopbackServer();

/** A token response of `type`. */
function tokenAnswer(type: string): () => Answer {
  return () => ({ status: 200, body: { access_token: 'at-1', token_type: type, expires_in: 60 } });
}

/** A DPoP challenge asking for a nonce, as RFC 9449 section 9 shows it. */
function nonceChallenge(nonce: string): Answer {
  return {
    status: 401,
    headers: {
      'www-authenticate':
        'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
      'dpop-nonce': nonce,
    },
    body: {},
  };
}

describe('RFC 9449 section 5: token requests carry a proof, and DPoP answers are kept', () => {
  it('the password grant: token_type DPoP, the access token bound to the key (cnf.jkt)', async () => {
    const client = dpopClient(mock.server);
    const tokens = await client.password(PASSWORD);
    expect(tokens.tokenType).toBe('DPoP');
    const jkt = await calculateJwkThumbprint({ ...client.dpop?.publicJwk });
    expect(client.dpop?.thumbprint).toBe(jkt);
    expect(decodeJwt(tokens.accessToken)['cnf']).toEqual({ jkt });
    const [entry] = await tokenRequests(mock.server);
    expect(entry).toMatchObject({ grantType: 'password', status: 200, dpop: true });
  });

  it('the password-realm grant and the MFA grants carry proofs too', async () => {
    const client = dpopClient(mock.server);
    const realm = await client.password({ ...PASSWORD, realm: TUTORIAL.connection });
    expect(realm.tokenType).toBe('DPoP');
    const mfaToken = await client
      .password({ username: USERS.mfa.email, password: USERS.mfa.password })
      .then(
        () => undefined,
        (error: unknown) => (error as { mfaToken?: string }).mfaToken,
      );
    expect(mfaToken).toEqual(expect.any(String));
    const tokens = await client.mfaOtp({
      mfaToken: mfaToken ?? '',
      otp: totp(USERS.mfa.totpSecret, await mock.server.control.now()),
    });
    expect(tokens.tokenType).toBe('DPoP');
    expect(decodeJwt(tokens.accessToken)['cnf']).toEqual({ jkt: client.dpop?.thumbprint });
    const entries = await tokenRequests(mock.server);
    expect(entries.map((entry) => [entry.grantType, entry.dpop])).toEqual([
      ['http://auth0.com/oauth/grant-type/password-realm', true],
      ['password', true],
      ['http://auth0.com/oauth/grant-type/mfa-otp', true],
    ]);
  });

  it('refresh sends a proof and gets a token bound to the same key', async () => {
    const client = dpopClient(mock.server);
    const first = await client.password(PASSWORD);
    const refreshed = await client.refresh({ refreshToken: first.refreshToken ?? '' });
    expect(refreshed.tokenType).toBe('DPoP');
    expect(decodeJwt(refreshed.accessToken)['cnf']).toEqual({ jkt: client.dpop?.thumbprint });
    const entries = await tokenRequests(mock.server);
    expect(entries.at(-1)).toMatchObject({ grantType: 'refresh_token', status: 200, dpop: true });
  });

  it("a public client's refresh token is bound to its key: another key cannot refresh it", async () => {
    const client = publicDpopClient(mock.server);
    const first = await client.password(PASSWORD);
    expect(first.tokenType).toBe('DPoP');
    const refreshed = await client.refresh({ refreshToken: first.refreshToken ?? '' });
    expect(refreshed.tokenType).toBe('DPoP');
    // Another process with its own generated key (a replica not given the same privateKey).
    const other = publicDpopClient(mock.server);
    const error = await rejection(other.refresh({ refreshToken: first.refreshToken ?? '' }));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_grant', status: 403 });
    // Two managers sharing a store with different keys: the second asks for a new sign-in.
    const store = new MemoryTokenStore();
    await new TokenManager({ client, store }).signIn('k', PASSWORD);
    const replica = new TokenManager({ client: other, store });
    expect(await rejection(replica.refresh('k'))).toBeInstanceOf(ReauthenticationRequiredError);
  });

  it('replicas given the same privateKey share a public client refresh token', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const store = new MemoryTokenStore();
    const one = new TokenManager({
      client: publicDpopClient(mock.server, { dpop: { privateKey } }),
      store,
    });
    const two = new TokenManager({
      client: publicDpopClient(mock.server, {
        dpop: { privateKey: privateKey.export({ format: 'jwk' }) },
      }),
      store,
    });
    const first = await one.signIn('k', PASSWORD);
    const refreshed = await two.refresh('k');
    expect(refreshed.tokenType).toBe('DPoP');
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(refreshed.accessToken)['cnf']).toEqual(decodeJwt(first.accessToken)['cnf']);
  });

  it('revocation carries a proof', async () => {
    const client = publicDpopClient(mock.server);
    const tokens = await client.password(PASSWORD);
    await client.revoke(tokens.refreshToken ?? '');
    const revocations = (await mock.server.control.requests()).filter(
      (entry) => entry.path === '/oauth/revoke',
    );
    expect(revocations).toEqual([expect.objectContaining({ status: 200, dpop: true })]);
  });

  it('userinfo: a DPoP-bound token goes as Authorization: DPoP with a proof', async () => {
    const manager = new TokenManager({ client: dpopClient(mock.server) });
    const tokens = await manager.signIn('k', PASSWORD);
    expect(tokens.tokenType).toBe('DPoP');
    const claims = await manager.userinfo('k');
    expect(claims.sub).toBe(tokens.idTokenClaims?.sub);
    const [entry] = (await mock.server.control.requests()).filter(
      (logged) => logged.path === '/userinfo',
    );
    expect(entry).toMatchObject({ status: 200, dpop: true });
    // Without a key, the client cannot use it (and says so before sending anything).
    const error = await rejection(
      tutorialClient(mock.server).userinfo(tokens.accessToken, { tokenType: 'DPoP' }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toContain('"dpop" option');
  });

  it('a Bearer answer is accepted with the option on: the server may not bind', async () => {
    const client = dpopClient(plainMock.server);
    const tokens = await client.password(PASSWORD);
    expect(tokens.tokenType).toBe('Bearer');
    expect(decodeJwt(tokens.accessToken)['cnf']).toBeUndefined();
    const [entry] = await tokenRequests(plainMock.server);
    expect(entry?.dpop).toBe(true);
  });

  it('token_type is case-insensitive (RFC 6749 section 5.1); DPoP is refused without a key', async () => {
    const endpoint = () => `${tokenServer.origin}/oauth/token`;
    for (const type of ['DPoP', 'dpop', 'DPOP']) {
      tokenServer.answer = tokenAnswer(type);
      const tokens = await new TokenClient({
        tokenEndpoint: endpoint(),
        clientId: 'c',
        dpop: true,
      }).password(PASSWORD);
      expect(tokens.tokenType).toBe('DPoP');
    }
    tokenServer.answer = tokenAnswer('dpop');
    const error = await rejection(
      new TokenClient({ tokenEndpoint: endpoint(), clientId: 'c' }).password(PASSWORD),
    );
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toBe(
      'The token response token_type is DPoP, but this client has no DPoP key to prove possession with: give the token client the "dpop" option',
    );
    // Without the option, no proof is sent at all.
    expect(tokenServer.received.at(-1)?.headers['dpop']).toBeUndefined();
    tokenServer.answer = tokenAnswer('MAC');
    expect(
      await rejection(
        new TokenClient({ tokenEndpoint: endpoint(), clientId: 'c', dpop: true }).password(
          PASSWORD,
        ),
      ),
    ).toMatchObject({ message: 'The token response token_type is not Bearer or DPoP' });
  });

  it("the proof of a token request: POST, the endpoint's URL, no ath", async () => {
    tokenServer.answer = () => ({
      status: 200,
      body: { access_token: 'at-1', token_type: 'DPoP', expires_in: 60 },
    });
    const now = Date.UTC(2030, 0, 1);
    const client = new TokenClient({
      tokenEndpoint: `${tokenServer.origin}/oauth/token?tenant=x`,
      clientId: 'c',
      dpop: true,
      clock: () => now,
    });
    await client.password(PASSWORD);
    const proof = await verifyProof(tokenServer.received[0]?.headers['dpop']);
    expect(proof.header.jwk).toEqual(client.dpop?.publicJwk);
    expect(proof.claims).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: `${tokenServer.origin}/oauth/token`,
      iat: now / 1000,
    });
  });
});

describe('RFC 9449 section 8: authorization server nonces', () => {
  it('answers use_dpop_nonce once, then the proof with its nonce is accepted; later proofs carry it', async () => {
    const client = dpopClient(nonceMock.server);
    const tokens = await client.password(PASSWORD);
    expect(tokens.tokenType).toBe('DPoP');
    let entries = await tokenRequests(nonceMock.server);
    expect(entries.map((entry) => entry.status)).toEqual([400, 200]);
    // The nonce is remembered: the refresh is accepted at once.
    await client.refresh({ refreshToken: tokens.refreshToken ?? '' });
    entries = await tokenRequests(nonceMock.server);
    expect(entries.map((entry) => entry.status)).toEqual([400, 200, 200]);
  });

  it('retries exactly once: a server that always asks for a nonce gets two requests', async () => {
    let issued = 0;
    tokenServer.answer = () => ({
      status: 400,
      headers: { 'dpop-nonce': `nonce-${++issued}` },
      body: {
        error: 'use_dpop_nonce',
        error_description: 'Authorization server requires nonce in DPoP proof',
      },
    });
    const client = new TokenClient({
      tokenEndpoint: `${tokenServer.origin}/oauth/token`,
      clientId: 'c',
      dpop: true,
    });
    const error = await rejection(client.password(PASSWORD));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'use_dpop_nonce', status: 400 });
    expect(tokenServer.received).toHaveLength(2);
    const [first, second] = await Promise.all(
      tokenServer.received.map(async (received) => verifyProof(received.headers['dpop'])),
    );
    expect(first?.claims['nonce']).toBeUndefined();
    expect(second?.claims['nonce']).toBe('nonce-1');
    expect(second?.claims['jti']).not.toBe(first?.claims['jti']);
    // The next request starts with the latest nonce, and again retries once only.
    await rejection(client.password(PASSWORD));
    expect(tokenServer.received).toHaveLength(4);
    expect((await verifyProof(tokenServer.received[2]?.headers['dpop'])).claims['nonce']).toBe(
      'nonce-2',
    );
  });

  it('does not retry a use_dpop_nonce that brought no nonce, nor without the option', async () => {
    tokenServer.answer = () => ({ status: 400, body: { error: 'use_dpop_nonce' } });
    const endpoint = `${tokenServer.origin}/oauth/token`;
    await rejection(
      new TokenClient({ tokenEndpoint: endpoint, clientId: 'c', dpop: true }).password(PASSWORD),
    );
    expect(tokenServer.received).toHaveLength(1);
    tokenServer.answer = () => ({
      status: 400,
      headers: { 'dpop-nonce': 'n' },
      body: { error: 'use_dpop_nonce' },
    });
    await rejection(new TokenClient({ tokenEndpoint: endpoint, clientId: 'c' }).password(PASSWORD));
    expect(tokenServer.received).toHaveLength(2);
  });
});

/** A manager with the tutorial user signed in under `k`. */
async function signedIn(client = dpopClient(mock.server)) {
  const manager = new TokenManager({ client });
  const tokens = await manager.signIn('k', PASSWORD);
  return { manager, tokens, client };
}

describe('RFC 9449 section 7.1: createAuthorizedFetch with a DPoP-bound token', () => {
  it("sends Authorization: DPoP and a proof of the request's method, URL and token", async () => {
    const { manager, tokens } = await signedIn();
    expect(tokens.tokenType).toBe('DPoP');
    const fetchApi = createAuthorizedFetch({ manager, key: 'k' });
    const response = await fetchApi(`${api.origin}/api/private?page=2#top`, {
      method: 'post',
      body: '{}',
    });
    expect(response.status).toBe(200);
    const [received] = api.received;
    expect(received?.headers.authorization).toBe(`DPoP ${tokens.accessToken}`);
    const proof = await verifyProof(received?.headers['dpop']);
    expect(proof.claims).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: `${api.origin}/api/private`,
      iat: expect.any(Number),
      ath: accessTokenHash(tokens.accessToken),
    });
    // The key of the proof is the key the token is bound to.
    expect(decodeJwt(tokens.accessToken)['cnf']).toEqual({ jkt: proof.jkt });
  });

  it("follows the API's nonce: one repeat with it, then it goes in the first proof", async () => {
    const { manager } = await signedIn();
    api.answer = (received) =>
      received.headers['dpop'] !== undefined &&
      decodeJwt(String(received.headers['dpop']))['nonce'] === 'rs-nonce-1'
        ? { status: 200, body: { ok: true } }
        : nonceChallenge('rs-nonce-1');
    const fetchApi = createAuthorizedFetch({ manager, key: 'k' });
    const first = await fetchApi(`${api.origin}/api/private`, { method: 'PUT', body: 'x' });
    expect(first.status).toBe(200);
    expect(api.received).toHaveLength(2);
    expect(api.received[1]?.body).toBe('x');
    const second = await fetchApi(`${api.origin}/api/other`);
    expect(second.status).toBe(200);
    expect(api.received).toHaveLength(3);
    // No refresh was asked for: a nonce is not a token problem.
    expect((await tokenRequests(mock.server)).map((entry) => entry.grantType)).toEqual([
      'password',
    ]);
  });

  it('never loops: an API that always asks for a nonce gets exactly two requests', async () => {
    const { manager } = await signedIn();
    let issued = 0;
    api.answer = () => nonceChallenge(`n-${++issued}`);
    const response = await createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(401);
    expect(api.received).toHaveLength(2);
    expect(decodeJwt(String(api.received[1]?.headers['dpop']))['nonce']).toBe('n-1');
  });

  it('does not repeat a body it cannot send twice (a stream)', async () => {
    const { manager } = await signedIn();
    api.answer = () => nonceChallenge('n');
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`, {
      method: 'POST',
      body,
      duplex: 'half',
    });
    expect(response.status).toBe(401);
    expect(api.received).toHaveLength(1);
  });

  it('refreshes and repeats on invalid_token in the DPoP challenge, with a new proof', async () => {
    const { manager, tokens } = await signedIn();
    api.answer = (received) =>
      received.headers.authorization === `DPoP ${tokens.accessToken}`
        ? {
            status: 401,
            headers: {
              'www-authenticate': 'Bearer realm="api", DPoP algs="ES256", error="invalid_token"',
            },
          }
        : { status: 200, body: { ok: true } };
    const response = await createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`);
    expect(response.status).toBe(200);
    expect(api.received).toHaveLength(2);
    const fresh = await manager.getTokenSet('k');
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    const proof = await verifyProof(api.received[1]?.headers['dpop']);
    expect(proof.claims['ath']).toBe(accessTokenHash(fresh.accessToken));
  });

  it('a Bearer token set is sent as before: Bearer, no proof', async () => {
    const { manager, tokens } = await signedIn(dpopClient(plainMock.server));
    expect(tokens.tokenType).toBe('Bearer');
    await createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`);
    expect(api.received[0]?.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
    expect(api.received[0]?.headers['dpop']).toBeUndefined();
  });

  it('a DPoP token set with a client that has no key fails before any request', async () => {
    const { tokens } = await signedIn();
    const manager = new TokenManager({ client: tutorialClient(mock.server) });
    await manager.save('k', tokens);
    const error = await rejection(createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain('give it the same "dpop" option');
    expect(api.received).toHaveLength(0);
  });

  it("passes core's own DPoP verifier, nonce required, end to end", async () => {
    const verifier = createAccessTokenVerifier({
      issuer: mock.server.issuer,
      audience: TUTORIAL.audience,
      dpop: { mode: 'required', nonce: { secret: 'a nonce secret of at least 32 bytes!' } },
    });
    const server = createServer((req, res) => {
      verifier
        .authenticate({
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          method: req.method,
          originalUrl: req.url,
          secure: false,
        })
        .then(
          (verified) => res.writeHead(200).end(JSON.stringify({ sub: verified.payload.sub })),
          (error: unknown) => {
            if (!(error instanceof BearerError)) {
              res.writeHead(500).end();
              return;
            }
            const answer = renderBearerError(error);
            res.writeHead(answer.status, answer.headers).end(answer.body);
          },
        );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { manager } = await signedIn();
      const fetchApi = createAuthorizedFetch({ manager, key: 'k' });
      const first = await fetchApi(`${origin}/api/private?x=1`);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ sub: expect.any(String) });
      const second = await fetchApi(`${origin}/api/private`, { method: 'DELETE' });
      expect(second.status).toBe(200);
    } finally {
      server.close();
    }
  });
});

describe('bearerTokenInterceptor with a DPoP-bound token', () => {
  it('sends the DPoP scheme and a proof of the method and URL, and follows a nonce once', async () => {
    const client = dpopClient(mock.server);
    const manager = new TokenManager({ client });
    const tokens = await manager.signIn('k', PASSWORD);
    const dispatcher = new Agent().compose(bearerTokenInterceptor({ manager, key: 'k' }));
    try {
      api.answer = (received) =>
        decodeJwt(String(received.headers['dpop']))['nonce'] === 'n-1'
          ? { status: 200, body: { ok: true } }
          : nonceChallenge('n-1');
      const response = await request(`${api.origin}/api/items?q=1`, {
        method: 'PATCH',
        body: '{"a":1}',
        headers: { authorization: 'Bearer other', dpop: 'stale' },
        dispatcher,
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({ ok: true });
      expect(api.received).toHaveLength(2);
      for (const received of api.received) {
        expect(received.headers.authorization).toBe(`DPoP ${tokens.accessToken}`);
        expect(received.body).toBe('{"a":1}');
        const proof = await verifyProof(received.headers['dpop']);
        expect(proof.claims).toMatchObject({
          htm: 'PATCH',
          htu: `${api.origin}/api/items`,
          ath: accessTokenHash(tokens.accessToken),
        });
        expect(proof.jkt).toBe(client.dpop?.thumbprint);
      }
      // Never loops.
      let issued = 1;
      api.answer = () => nonceChallenge(`n-${++issued}`);
      const refused = await request(`${api.origin}/x`, { dispatcher });
      expect(refused.statusCode).toBe(401);
      await refused.body.dump();
      expect(api.received).toHaveLength(4);
    } finally {
      await dispatcher.close();
    }
  });
});

describe('the private key never leaves the client', () => {
  it('is absent from inspect, JSON, errors and the requests', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    const d = String(jwk.d);
    const client = dpopClient(mock.server, { dpop: { privateKey: jwk } });
    const manager = new TokenManager({ client });
    const tokens: TokenSet = await manager.signIn('k', PASSWORD);
    await createAuthorizedFetch({ manager, key: 'k' })(`${api.origin}/x`);
    tokenServer.answer = () => ({
      status: 400,
      body: { error: 'invalid_dpop_proof', error_description: `echo ${d}` },
    });
    const failure = await rejection(
      new TokenClient({
        tokenEndpoint: `${tokenServer.origin}/oauth/token`,
        clientId: 'c',
        dpop: { privateKey: jwk },
      }).password(PASSWORD),
    );
    expect(failure).toMatchObject({ error: 'invalid_dpop_proof' });
    const seen = [
      inspect(client, { depth: 10, showHidden: true }),
      inspect(manager, { depth: 10, showHidden: true }),
      inspect(client.dpop, { depth: 10, showHidden: true }),
      JSON.stringify(client),
      JSON.stringify(client.dpop),
      JSON.stringify(tokens),
      ...api.received.map((received) => JSON.stringify(received.headers)),
      ...tokenServer.received.map((received) => JSON.stringify(received)),
    ];
    for (const text of seen) expect(text).not.toContain(d);
    // A key that does not fit is refused without the key in the message.
    const wrong = await rejection(
      Promise.resolve().then(
        () =>
          new TokenClient({
            tokenEndpoint: `${tokenServer.origin}/oauth/token`,
            clientId: 'c',
            dpop: { privateKey: jwk, alg: 'ES384' },
          }),
      ),
    );
    expect(String(wrong)).toBe(
      'TypeError: "dpop.privateKey" does not fit "ES384": it needs an EC P-384 key',
    );
  });
});
