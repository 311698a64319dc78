import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MockServerControlClient,
  TUTORIAL,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';
import { dpopKey, dpopProof, dpopTenant } from './dpop-support.js';
import {
  expectTokens,
  passwordParameters,
  postForm,
  requestToken,
  startTutorial,
} from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(overrides: MockServerConfig = {}): Promise<MockServer> {
  server = await startTutorial({ customDomain: true, ...overrides });
  return server;
}

/** The custom domain's URL, which the server must have. */
function customUrl(target: MockServer): string {
  expect(target.customDomainUrl).toEqual(expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/));
  return target.customDomainUrl!;
}

/** A discovery document with `name` (an issuer) replaced, for comparing two names' documents. */
function named(document: Record<string, unknown>, name: string): unknown {
  return JSON.parse(JSON.stringify(document).replaceAll(name, 'https://NAME/')) as unknown;
}

async function json(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('a custom domain: a second issuer for the same tenant', () => {
  it('listens on a second port of 127.0.0.1, with its URL + "/" as issuer', async () => {
    const target = await start();
    const url = customUrl(target);
    expect(url).not.toBe(target.url);
    expect(target.customDomainIssuer).toBe(`${url}/`);
    expect(target.issuer).toBe(`${target.url}/`);
  });

  it('is off unless asked for', async () => {
    server = await startTutorial();
    expect(server.customDomainUrl).toBeUndefined();
    expect(server.customDomainIssuer).toBeUndefined();
    await expect(
      server.control.setCustomDomainIssuer('https://login.example.com/'),
    ).rejects.toThrow('The server has no custom domain: start it with "customDomain": true');
  });

  it('serves its own discovery document, whose URLs use its name, and the same key set', async () => {
    const target = await start();
    const url = customUrl(target);
    const issuer = target.customDomainIssuer!;
    const custom = await json(`${url}/.well-known/openid-configuration`);
    expect(custom).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}oauth/token`,
      userinfo_endpoint: `${issuer}userinfo`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      revocation_endpoint: `${issuer}oauth/revoke`,
      mfa_challenge_endpoint: `${issuer}mfa/challenge`,
    });
    const tenant = await json(target.discoveryUrl);
    expect(tenant['issuer']).toBe(target.issuer);
    // Apart from the name in its URLs, the same document.
    expect(named(custom, issuer)).toEqual(named(tenant, target.issuer));
    expect(await json(`${url}/.well-known/jwks.json`)).toEqual(await json(target.jwksUri));
  });

  it("issues tokens with the custom domain's iss; both names' tokens verify with the one key set", async () => {
    const target = await start();
    const url = customUrl(target);
    const issuer = target.customDomainIssuer!;
    const viaCustom = await expectTokens(
      await postForm(`${url}/oauth/token`, passwordParameters({ scope: 'openid read:sample' })),
    );
    const viaTenant = await expectTokens(
      await requestToken(target, { scope: 'openid read:sample' }),
    );
    const keySet = createLocalJWKSet((await json(target.jwksUri)) as unknown as JSONWebKeySet);
    const custom = await jwtVerify(viaCustom.access_token, keySet, {
      issuer,
      audience: TUTORIAL.audience,
    });
    expect(custom.payload.aud).toEqual([TUTORIAL.audience, `${issuer}userinfo`]);
    const tenant = await jwtVerify(viaTenant.access_token, keySet, {
      issuer: target.issuer,
      audience: TUTORIAL.audience,
    });
    expect(tenant.payload.sub).toBe(custom.payload.sub);
    const idToken = await jwtVerify(viaCustom.id_token!, keySet, {
      issuer,
      audience: TUTORIAL.clientId,
    });
    expect(idToken.payload['email']).toBe(TUTORIAL.username);
    // A verifier that trusts only the tenant domain refuses the custom domain's token.
    await expect(
      jwtVerify(viaCustom.access_token, createRemoteJWKSet(new URL(target.jwksUri)), {
        issuer: target.issuer,
      }),
    ).rejects.toThrow('unexpected "iss" claim value');
  });

  it('shares the tenant: a refresh token from one name works on the other, and users set once', async () => {
    const target = await start();
    const url = customUrl(target);
    const first = await expectTokens(
      await requestToken(target, { scope: 'read:sample offline_access' }),
    );
    const refreshed = await expectTokens(
      await postForm(`${url}/oauth/token`, {
        grant_type: 'refresh_token',
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
        refresh_token: first.refresh_token!,
      }),
    );
    expect(decodeJwt(refreshed.access_token)['iss']).toBe(target.customDomainIssuer);

    await target.control.setUser(TUTORIAL.connection, {
      email: 'new@example.com',
      password: 'new-password',
    });
    await expectTokens(
      await postForm(
        `${url}/oauth/token`,
        passwordParameters({ username: 'new@example.com', password: 'new-password' }),
      ),
    );
    await target.control.advanceClock(10);
    const clock = await target.control.now();
    const late = await expectTokens(await postForm(`${url}/oauth/token`, passwordParameters()));
    expect(decodeJwt(late.access_token).iat).toBeGreaterThanOrEqual(clock);
  });

  it("answers /userinfo with its own audience: each name's token at its own /userinfo", async () => {
    const target = await start();
    const url = customUrl(target);
    const { access_token: accessToken } = await expectTokens(
      await postForm(`${url}/oauth/token`, passwordParameters({ scope: 'openid email' })),
    );
    const at = (base: string) =>
      fetch(`${base}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    const ok = await at(url);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ email: TUTORIAL.username });
    expect((await at(target.url)).status).toBe(401);
  });

  it("checks a DPoP proof's htu against the custom domain's endpoint", async () => {
    server = await startTutorial(dpopTenant({ customDomain: true }));
    const target = server;
    const url = customUrl(target);
    const key = await dpopKey();
    const send = async (htu: string) =>
      postForm(`${url}/oauth/token`, passwordParameters(), {
        headers: { dpop: await dpopProof(target, key, { htu }) },
      });
    await expect(await send(target.tokenEndpoint)).toBeOAuthError(
      400,
      'invalid_dpop_proof',
      'DPoP proof htu does not match the request URI',
    );
    const response = await send(`${url}/oauth/token`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token)).toMatchObject({
      iss: target.customDomainIssuer,
      cnf: { jkt: key.jkt },
    });
  });

  it('takes a configured issuer, which setCustomDomainIssuer changes and reset() keeps', async () => {
    const target = await start({ customDomainIssuer: 'https://login.example.com/' });
    const url = customUrl(target);
    expect(target.customDomainIssuer).toBe('https://login.example.com/');
    expect((await json(`${url}/.well-known/openid-configuration`))['token_endpoint']).toBe(
      'https://login.example.com/oauth/token',
    );
    await target.control.setCustomDomainIssuer('https://auth.example.org/');
    await target.control.reset();
    expect(target.customDomainIssuer).toBe('https://auth.example.org/');
    const body = await expectTokens(await postForm(`${url}/oauth/token`, passwordParameters()));
    expect(decodeJwt(body.access_token)['iss']).toBe('https://auth.example.org/');
    expect(target.issuer).toBe(`${target.url}/`);
    await expect(target.control.setCustomDomainIssuer('https://auth.example.org')).rejects.toThrow(
      '"issuer" must be an absolute http(s) URL with path "/"',
    );
  });

  it('is set over the HTTP control API as well, and marked in the request log', async () => {
    const target = await start({ controlApi: true });
    const url = customUrl(target);
    const control = new MockServerControlClient(target.url);
    await control.setCustomDomainIssuer('https://login.example.com/');
    expect(target.customDomainIssuer).toBe('https://login.example.com/');
    await control.clearRequests();
    await postForm(`${url}/oauth/token`, passwordParameters());
    await requestToken(target);
    const log = await control.requests();
    expect(log.map((entry) => entry.customDomain)).toEqual([true, undefined]);
  });

  it('closes both listeners', async () => {
    const target = await start();
    const url = customUrl(target);
    await target.close();
    server = undefined;
    await expect(fetch(`${url}/.well-known/jwks.json`)).rejects.toThrow('fetch failed');
    await expect(fetch(target.jwksUri)).rejects.toThrow('fetch failed');
  });

  it.each<[string, MockServerConfig, string]>([
    [
      'customDomainIssuer without customDomain',
      { customDomainIssuer: 'https://login.example.com/' },
      '"customDomainIssuer" needs "customDomain": true',
    ],
    [
      'customDomainPort without customDomain',
      { customDomainPort: 8081 },
      '"customDomainPort" needs "customDomain": true',
    ],
    [
      'customDomainPort equal to port',
      { customDomain: true, port: 18_080, customDomainPort: 18_080 },
      '"customDomainPort" must differ from "port"',
    ],
    [
      'a customDomainIssuer that is not canonical',
      { customDomain: true, customDomainIssuer: 'https://Login.example.com/' },
      '"customDomainIssuer" must be an absolute http(s) URL with path "/"',
    ],
    [
      'customDomain not a boolean',
      { customDomain: 'yes' as unknown as boolean },
      '"customDomain" must be a boolean',
    ],
  ])('validates its options at start: %s', async (_, config, message) => {
    await expect(startTutorial(config)).rejects.toThrow(message);
  });
});
