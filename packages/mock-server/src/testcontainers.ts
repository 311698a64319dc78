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
import { HEALTH_PATH } from './endpoints/control-api.js';
import { CONFIG_ENV_VAR } from './run-cli.js';
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

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

  /** @param image The image. Default: {@link DEFAULT_MOCK_SERVER_IMAGE}. */
  constructor(image: string = DEFAULT_MOCK_SERVER_IMAGE) {
    super(image);
    this.withExposedPorts(MOCK_SERVER_CONTAINER_PORT)
      .withEnvironment({ [CONFIG_ENV_VAR]: JSON.stringify(tutorialTenant()) })
      // The image has no shell, so the default wait strategy cannot run: poll the health check.
      .withWaitStrategy(Wait.forHttp(HEALTH_PATH, MOCK_SERVER_CONTAINER_PORT).forStatusCode(200))
      .withStartupTimeout(60_000);
  }

  /**
   * The tenant to serve (default: {@link tutorialTenant}). Validated here, so a mistake fails
   * before a container starts. Host, port and the control API are the container's to set.
   */
  withTenant(tenant: TenantConfig): this {
    this.#tenantIssuer = validateTenant(tenant).issuer;
    return this.withEnvironment({ [CONFIG_ENV_VAR]: JSON.stringify(tenant) });
  }

  /** Publishes the port on loopback only when the engine is local: nothing else needs to reach it. */
  protected override async beforeContainerCreated(): Promise<void> {
    const client = await getContainerRuntimeClient();
    if (!LOOPBACK_HOSTS.has(client.info.containerRuntime.host)) return;
    this.hostConfig.PortBindings = {
      ...this.hostConfig.PortBindings,
      [`${MOCK_SERVER_CONTAINER_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '0' }],
    };
  }

  /** Starts the container, waits for its health check and sets its issuer to its mapped URL. */
  override async start(): Promise<StartedMockAuthorizationServerContainer> {
    const started = await super.start();
    const host = started.getHost();
    const url = `http://${host === 'localhost' ? '127.0.0.1' : host}:${started.getMappedPort(MOCK_SERVER_CONTAINER_PORT)}`;
    const control = new MockServerControlClient(url);
    const issuer = this.#tenantIssuer ?? `${url}/`;
    try {
      if (this.#tenantIssuer === undefined) await control.setIssuer(issuer);
      return new StartedMockAuthorizationServerContainer(started, { url, issuer, control });
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

  constructor(
    started: StartedTestContainer,
    endpoints: { url: string; issuer: string; control: MockServerControlClient },
  ) {
    super(started);
    this.#url = endpoints.url;
    this.#issuer = endpoints.issuer;
    this.#control = endpoints.control;
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

  /** The control API client (users, keys, faults, clock, request log, reset). */
  getControl(): MockServerControlClient {
    return this.#control;
  }
}
