import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  Wait,
  type StartedTestContainer,
} from 'testcontainers';
import type { TenantConfig } from './config.js';
import { DEFAULT_MOCK_SERVER_IMAGE } from './container-image.js';
import { MockServerControlClient } from './control-client.js';
import { CONFIG_ENV_VAR, LISTENING_LINE } from './run-cli.js';
import { tutorialTenant } from './tutorial-tenant.js';
import { validateTenant } from './validate-config.js';

export {
  buildMockServerImage,
  DEFAULT_MOCK_SERVER_IMAGE,
  type BuildMockServerImageOptions,
  type BuiltMockServerImage,
  type ImageBase,
} from './container-image.js';

/** The port the server listens on inside the container. */
export const MOCK_SERVER_CONTAINER_PORT = 8080;

/** The port the tenant's custom domain listens on inside the container. */
export const MOCK_SERVER_CUSTOM_DOMAIN_PORT = 8081;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Whether the engine publishes ports in this machine's own network namespace. testcontainers
 * answers the bridge gateway (e.g. 172.17.0.1) instead of `localhost` whenever `/.dockerenv`
 * exists, even when dockerd runs beside the tests in the same container. An address we can bind
 * is one of ours (binding works whether or not the bridge has a carrier yet, which
 * `os.networkInterfaces()` does not list), so loopback reaches the published port.
 */
async function engineIsLocal(host: string): Promise<boolean> {
  if (LOOPBACK_HOSTS.has(host)) return true;
  if (isIP(host) === 0) return false;
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host, port: 0 }, resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

/**
 * A testcontainers module for the mock server: configure with {@link withTenant}, then `start()`.
 * The image must exist (see {@link buildMockServerImage}). After start, the issuer is set to the
 * URL the tests use (the mapped port is known only then) unless the tenant fixes one.
 *
 * @example
 * ```ts
 * await buildMockServerImage();
 * await using container = await new MockAuthorizationServerContainer().start();
 * const response = await fetch(container.getTokenEndpoint(), { method: 'POST', body: ... });
 * ```
 */
export class MockAuthorizationServerContainer extends GenericContainer {
  #tenantIssuer: string | undefined;
  #tenantCustomDomainIssuer: string | undefined;
  #customDomain = false;
  #onLoopback = false;

  /** @param image The image. Default: {@link DEFAULT_MOCK_SERVER_IMAGE}. */
  constructor(image: string = DEFAULT_MOCK_SERVER_IMAGE) {
    super(image);
    this.withExposedPorts(MOCK_SERVER_CONTAINER_PORT)
      .withEnvironment({ [CONFIG_ENV_VAR]: JSON.stringify(tutorialTenant()) })
      // The image has no shell, so the default wait strategy cannot run. The log line, not an
      // HTTP probe: testcontainers would probe its own idea of the host (the bridge gateway when
      // /.dockerenv exists), where a port published on loopback does not answer. start() then
      // makes its first request to the URL it chose.
      .withWaitStrategy(Wait.forLogMessage(LISTENING_LINE))
      .withStartupTimeout(60_000);
  }

  /**
   * The tenant to serve (default: {@link tutorialTenant}). Validated here, so a mistake fails
   * before a container starts. Host, port and the control API are the container's to set.
   */
  withTenant(tenant: TenantConfig): this {
    const resolved = validateTenant(tenant);
    this.#tenantIssuer = resolved.issuer;
    this.#tenantCustomDomainIssuer = resolved.customDomainIssuer;
    return this.withEnvironment({ [CONFIG_ENV_VAR]: JSON.stringify(tenant) });
  }

  /**
   * Publishes the tenant's custom domain too (the image always listens as one, on
   * {@link MOCK_SERVER_CUSTOM_DOMAIN_PORT}): a second issuer for the same tenant, at its own
   * mapped port. After start its issuer is that URL, unless the tenant sets `customDomainIssuer`.
   */
  withCustomDomain(): this {
    if (this.#customDomain) return this;
    this.#customDomain = true;
    return this.withExposedPorts(MOCK_SERVER_CUSTOM_DOMAIN_PORT);
  }

  /**
   * Publishes the port on loopback only when the engine is local: nothing else needs to reach it,
   * and the issuer is then a loopback URL, which verifiers accept over plain http.
   */
  protected override async beforeContainerCreated(): Promise<void> {
    const client = await getContainerRuntimeClient();
    this.#onLoopback = await engineIsLocal(client.info.containerRuntime.host);
    if (!this.#onLoopback) return;
    this.hostConfig.PortBindings = {
      ...this.hostConfig.PortBindings,
      [`${MOCK_SERVER_CONTAINER_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '0' }],
      ...(this.#customDomain
        ? { [`${MOCK_SERVER_CUSTOM_DOMAIN_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '0' }] }
        : {}),
    };
  }

  /** Starts the container, waits for its health check and sets its issuer to its mapped URL. */
  override async start(): Promise<StartedMockAuthorizationServerContainer> {
    const started = await super.start();
    const host = this.#onLoopback ? '127.0.0.1' : started.getHost();
    const url = `http://${host}:${started.getMappedPort(MOCK_SERVER_CONTAINER_PORT)}`;
    const control = new MockServerControlClient(url);
    const issuer = this.#tenantIssuer ?? `${url}/`;
    let customDomain: { url: string; issuer: string } | undefined;
    if (this.#customDomain) {
      const customUrl = `http://${host}:${started.getMappedPort(MOCK_SERVER_CUSTOM_DOMAIN_PORT)}`;
      customDomain = { url: customUrl, issuer: this.#tenantCustomDomainIssuer ?? `${customUrl}/` };
    }
    try {
      if (this.#tenantIssuer === undefined) await control.setIssuer(issuer);
      if (customDomain !== undefined && this.#tenantCustomDomainIssuer === undefined) {
        await control.setCustomDomainIssuer(customDomain.issuer);
      }
      return new StartedMockAuthorizationServerContainer(started, {
        url,
        issuer,
        control,
        customDomain,
      });
    } catch (error) {
      await started.stop();
      throw error;
    }
  }
}

/** A running mock server container, with typed getters for what tests need. */
export class StartedMockAuthorizationServerContainer extends AbstractStartedContainer {
  readonly #url: string;
  readonly #issuer: string;
  readonly #control: MockServerControlClient;
  readonly #customDomain: { readonly url: string; readonly issuer: string } | undefined;

  constructor(
    started: StartedTestContainer,
    endpoints: {
      url: string;
      issuer: string;
      control: MockServerControlClient;
      customDomain?: { url: string; issuer: string } | undefined;
    },
  ) {
    super(started);
    this.#url = endpoints.url;
    this.#issuer = endpoints.issuer;
    this.#control = endpoints.control;
    this.#customDomain = endpoints.customDomain;
  }

  /** The server's URL on the host, e.g. `http://127.0.0.1:32768` (no trailing slash). */
  getUrl(): string {
    return this.#url;
  }

  /** The issuer as set at start: `getUrl()` + `/`, unless the tenant fixed another one. */
  getIssuer(): string {
    return this.#issuer;
  }

  /** The token endpoint on the host. */
  getTokenEndpoint(): string {
    return `${this.#url}/oauth/token`;
  }

  /** The JWKS URI on the host. */
  getJwksUri(): string {
    return `${this.#url}/.well-known/jwks.json`;
  }

  /** The discovery document's URL on the host. */
  getDiscoveryUrl(): string {
    return `${this.#url}/.well-known/openid-configuration`;
  }

  /**
   * The custom domain's URL on the host (no trailing slash). Throws unless the container was
   * started {@link MockAuthorizationServerContainer.withCustomDomain}.
   */
  getCustomDomainUrl(): string {
    return this.#requireCustomDomain().url;
  }

  /** The custom domain's issuer as set at start: `getCustomDomainUrl()` + `/`, unless fixed. */
  getCustomDomainIssuer(): string {
    return this.#requireCustomDomain().issuer;
  }

  #requireCustomDomain(): { readonly url: string; readonly issuer: string } {
    if (this.#customDomain === undefined) {
      throw new Error('The container was started without withCustomDomain()');
    }
    return this.#customDomain;
  }

  /** The control API client (users, keys, faults, clock, request log, reset). */
  getControl(): MockServerControlClient {
    return this.#control;
  }
}
