import { startMockServer, type TenantConfig } from '@ropkit/mock-server';
import type { AuthorizationServer, CustomDomain } from './scenario.js';

/** Where the mock server runs: `container` (testcontainers), `in-process`, or `auto`. */
export type Runtime = 'container' | 'in-process' | 'auto';

/**
 * The runtime asked for by `ROPKIT_CONFORMANCE_RUNTIME` (`container` or `in-process`), else `auto`.
 *
 * @throws {TypeError} for any other value.
 */
export function runtimeFromEnvironment(value = process.env['ROPKIT_CONFORMANCE_RUNTIME']): Runtime {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'container' || value === 'in-process') return value;
  throw new TypeError('ROPKIT_CONFORMANCE_RUNTIME must be "container", "in-process" or "auto"');
}

/**
 * The custom domain of a mock server started with one: its issuer, and its key set and token
 * endpoint on its own listener (`url`, without a trailing slash).
 */
function customDomainOf(url: string | undefined, issuer: string | undefined): CustomDomain {
  if (url === undefined || issuer === undefined)
    throw new Error('the mock server started without its custom domain');
  return { issuer, jwksUri: `${url}/.well-known/jwks.json`, tokenEndpoint: `${url}/oauth/token` };
}

/**
 * Starts the mock authorization server (with its tenant's custom domain, a second issuer). `auto` uses a container when a Docker engine answers and
 * otherwise falls back to the in-process server, saying so in one line through `say`;
 * `container` fails when no container can start.
 */
export async function startAuthorizationServer(
  tenant: TenantConfig,
  runtime: Runtime,
  say: (line: string) => void,
  image?: string,
): Promise<AuthorizationServer> {
  if (runtime !== 'in-process') {
    try {
      return await startContainer(tenant, image);
    } catch (error) {
      if (runtime === 'container') throw error;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      say(`ropkit-conformance: no container runtime (${reason}); using the in-process mock server`);
    }
  }
  const server = await startMockServer({ ...tenant, customDomain: true });
  return {
    issuer: server.issuer,
    tokenEndpoint: server.tokenEndpoint,
    jwksUri: server.jwksUri,
    control: server.control,
    customDomain: customDomainOf(server.customDomainUrl, server.customDomainIssuer),
    runtime: 'in-process',
    close: () => server.close(),
  };
}

/**
 * Builds the mock server's image (FROM scratch when no registry is reachable) and returns its
 * name; done once per run, before anything is timed.
 */
export async function buildAuthorizationServerImage(): Promise<string> {
  // Optional peer: loaded only when a container is wanted.
  const { getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient();
  const { buildMockServerImage } = await import('@ropkit/mock-server/testcontainers');
  return (await buildMockServerImage()).imageName;
}

async function startContainer(
  tenant: TenantConfig,
  image: string | undefined,
): Promise<AuthorizationServer> {
  const imageName = image ?? (await buildAuthorizationServerImage());
  const { MockAuthorizationServerContainer } = await import('@ropkit/mock-server/testcontainers');
  const container = await new MockAuthorizationServerContainer(imageName)
    .withTenant(tenant)
    .withCustomDomain()
    .start();
  return {
    issuer: container.getIssuer(),
    tokenEndpoint: container.getTokenEndpoint(),
    jwksUri: container.getJwksUri(),
    control: container.getControl(),
    customDomain: customDomainOf(container.getCustomDomainUrl(), container.getCustomDomainIssuer()),
    runtime: 'container',
    close: async () => {
      await container.stop();
    },
  };
}
