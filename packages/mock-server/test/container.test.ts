import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { GenericContainer, getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleServer } from '../scripts/bundle-server.ts';
import { TUTORIAL } from '../src/index.js';
import {
  buildMockServerImage,
  MockAuthorizationServerContainer,
  type BuiltMockServerImage,
  type ImageBase,
  type StartedMockAuthorizationServerContainer,
} from '../src/testcontainers.js';

// The reaper (Ryuk) image cannot be pulled where no registry is reachable; containers are stopped
// in afterAll instead. Set TESTCONTAINERS_RYUK_DISABLED=false to use the reaper where it exists.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

const requireDocker = process.env['ROPKIT_REQUIRE_DOCKER'] === '1';
const dockerUnavailable = await getContainerRuntimeClient().then(
  () => undefined,
  (error: unknown) => (error instanceof Error ? error.message : String(error)),
);
/** `scratch` or `node` forces a base; unset lets buildMockServerImage choose ('auto'). */
const requestedBase = process.env['ROPKIT_MOCK_SERVER_IMAGE_BASE'] as ImageBase | undefined;
const buildOptions = {
  imageName: 'ropkit/mock-server:test',
  ...(requestedBase === undefined ? {} : { base: requestedBase }),
};
/**
 * Without an engine these tests are skipped, not passed, and say why; CI sets
 * ROPKIT_REQUIRE_DOCKER=1, which runs the engine check below so that a missing engine fails.
 */
const skipWithoutEngine = dockerUnavailable !== undefined && !requireDocker;
const skipNote = skipWithoutEngine
  ? ` (skipped: no Docker engine is reachable: ${dockerUnavailable}; set ROPKIT_REQUIRE_DOCKER=1 to fail instead)`
  : '';
if (skipWithoutEngine) console.warn(`container tests${skipNote}`);

describe.skipIf(skipWithoutEngine)(`Docker engine${skipNote}`, () => {
  it('is reachable (required when ROPKIT_REQUIRE_DOCKER=1)', () => {
    expect(dockerUnavailable).toBeUndefined();
  });
});

describe.skipIf(dockerUnavailable !== undefined)(`mock server container${skipNote}`, () => {
  const workDir = join(tmpdir(), `ropkit-mock-server-container-${process.pid}`);
  let image: BuiltMockServerImage;
  let container: StartedMockAuthorizationServerContainer | undefined;

  beforeAll(async () => {
    await mkdir(workDir, { recursive: true });
    const serverBundle = await bundleServer({ outFile: join(workDir, 'mock-server.mjs') });
    image = await buildMockServerImage({ ...buildOptions, serverBundle });
    console.log(
      `container test: built ${image.imageName} on base "${image.base}" because ${image.reason}`,
    );
    container = await new MockAuthorizationServerContainer(image.imageName)
      .withCustomDomain()
      .start();
  }, 300_000);

  afterAll(async () => {
    await container?.stop();
    await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  it('publishes an issuer equal to the URL the tests use', async () => {
    const issuer = container!.getIssuer();
    expect(issuer).toBe(`${container!.getUrl()}/`);
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const discovery = (await (await fetch(container!.getDiscoveryUrl())).json()) as Record<
      string,
      string
    >;
    expect(discovery['issuer']).toBe(issuer);
    expect(discovery['token_endpoint']).toBe(container!.getTokenEndpoint());
    expect(discovery['jwks_uri']).toBe(container!.getJwksUri());
  });

  it('issues a password-grant token that jose validates through the published JWKS', async () => {
    const response = await fetch(container!.getTokenEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        audience: TUTORIAL.audience,
        scope: 'openid read:sample',
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    const { payload, protectedHeader } = await jwtVerify(
      body.access_token,
      createRemoteJWKSet(new URL(container!.getJwksUri())),
      { issuer: container!.getIssuer(), audience: TUTORIAL.audience },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload['scope']).toBe('openid profile email address phone read:sample');
  });

  it('is controlled through the control API: request log, clock, reset keeps the issuer', async () => {
    const control = container!.getControl();
    await control.clearRequests();
    await fetch(container!.getJwksUri());
    const log = await control.requests();
    expect(log).toEqual([
      expect.objectContaining({ method: 'GET', path: '/.well-known/jwks.json', status: 200 }),
    ]);
    const before = await control.now();
    expect(await control.advanceClock(3600)).toBeGreaterThanOrEqual(before + 3600);
    await control.reset();
    const discovery = (await (await fetch(container!.getDiscoveryUrl())).json()) as Record<
      string,
      string
    >;
    expect(discovery['issuer']).toBe(container!.getIssuer());
  });

  it('answers as the custom domain on a second mapped port: its own issuer, the same key set', async () => {
    const url = container!.getCustomDomainUrl();
    const issuer = container!.getCustomDomainIssuer();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(container!.getUrl());
    expect(issuer).toBe(`${url}/`);
    const discovery = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      token_endpoint: string;
    };
    expect(discovery).toMatchObject({ issuer, token_endpoint: `${issuer}oauth/token` });
    const response = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        audience: TUTORIAL.audience,
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    });
    expect(response.status).toBe(200);
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    const { payload } = await jwtVerify(
      accessToken,
      createRemoteJWKSet(new URL(container!.getJwksUri())),
      { issuer, audience: TUTORIAL.audience },
    );
    expect(payload.iss).toBe(issuer);
  });

  it('spoils an ID token on demand through the control API, and refuses a bad defect', async () => {
    const control = container!.getControl();
    await expect(
      control.queueFault({
        endpoint: '/oauth/token',
        kind: 'id-token',
        defect: 'unsigned' as 'alg-none',
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/"fault\.defect"/) });
    await control.queueFault({ endpoint: '/oauth/token', kind: 'id-token', defect: 'alg-none' });
    const response = await fetch(container!.getTokenEndpoint(), {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        username: TUTORIAL.username,
        password: TUTORIAL.password,
        scope: 'openid',
        client_id: TUTORIAL.clientId,
        client_secret: TUTORIAL.clientSecret,
      }),
    });
    expect(response.status).toBe(200);
    const { id_token: idToken } = (await response.json()) as { id_token: string };
    expect(decodeProtectedHeader(idToken)).toEqual({ alg: 'none', typ: 'JWT' });
    expect(decodeJwt(idToken).aud).toBe(TUTORIAL.clientId);
  });
});

describe.skipIf(dockerUnavailable !== undefined)(
  `mock server container, FROM a node image${skipNote}`,
  () => {
    const workDir = join(tmpdir(), `ropkit-mock-server-node-base-${process.pid}`);
    let container: StartedMockAuthorizationServerContainer | undefined;

    /**
     * The ordinary path (`FROM node:24-slim`) needs a registry. A stand-in keeps it tested where
     * there is none: an image that has Node at /usr/local/bin/node, as node:24-slim does, made from
     * the scratch assembly.
     */
    beforeAll(async () => {
      await mkdir(join(workDir, 'stand-in'), { recursive: true });
      const serverBundle = await bundleServer({ outFile: join(workDir, 'mock-server.mjs') });
      const scratch = await buildMockServerImage({
        serverBundle,
        base: 'scratch',
        imageName: 'ropkit/mock-server:test-scratch',
      });
      await writeFile(join(workDir, 'stand-in', 'Dockerfile'), `FROM ${scratch.imageName}\n`);
      const standIn = 'ropkit-test/node-stand-in:24';
      await GenericContainer.fromDockerfile(join(workDir, 'stand-in')).build(standIn, {
        deleteOnExit: false,
      });
      const image = await buildMockServerImage({
        serverBundle,
        base: 'node',
        nodeImage: standIn,
        imageName: 'ropkit/mock-server:test-node',
      });
      container = await new MockAuthorizationServerContainer(image.imageName).start();
    }, 300_000);

    afterAll(async () => {
      await container?.stop();
      await rm(workDir, { recursive: true, force: true });
    }, 60_000);

    it('serves tokens for its issuer', async () => {
      const response = await fetch(container!.getTokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'password',
          username: TUTORIAL.username,
          password: TUTORIAL.password,
          audience: TUTORIAL.audience,
          client_id: TUTORIAL.clientId,
          client_secret: TUTORIAL.clientSecret,
        }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { access_token: string };
      const { payload } = await jwtVerify(
        body.access_token,
        createRemoteJWKSet(new URL(container!.getJwksUri())),
        {
          issuer: container!.getIssuer(),
          audience: TUTORIAL.audience,
        },
      );
      expect(payload.iss).toBe(`${container!.getUrl()}/`);
      expect(() => container!.getCustomDomainUrl()).toThrow(
        'The container was started without withCustomDomain()',
      );
    });
  },
);
