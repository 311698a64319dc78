import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockServerConfig } from './config.js';
import type { MockServerControl } from './control.js';
import { LocalControl } from './local-control.js';
import { createRequestHandler } from './request-handler.js';
import { ServerState } from './server-state.js';
import { SigningKeyStore } from './signing-keys.js';
import { validateServerConfig } from './validate-config.js';

/** A running mock authorization server. */
export interface MockServer {
  /** Where it listens, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The issuer, with its trailing slash: the configured one, or `url` + `/`. */
  readonly issuer: string;
  /** `POST` here for tokens: `url` + `/oauth/token`. */
  readonly tokenEndpoint: string;
  /** The JWKS: `url` + `/.well-known/jwks.json`. */
  readonly jwksUri: string;
  /** OIDC discovery: `url` + `/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /**
   * Where the custom domain's listener listens, e.g. `http://127.0.0.1:41235` (no trailing
   * slash); `undefined` without `customDomain: true`. Its endpoints are at the same paths as
   * {@link url}'s: `customDomainUrl + '/oauth/token'`, and so on.
   */
  readonly customDomainUrl: string | undefined;
  /**
   * The custom domain's issuer, with its trailing slash: the configured `customDomainIssuer`, or
   * {@link customDomainUrl} + `/`; `undefined` without `customDomain: true`.
   */
  readonly customDomainIssuer: string | undefined;
  /** Runtime control (users, clients, keys, faults, clock, request log, reset). */
  readonly control: MockServerControl;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** `await using server = await startMockServer(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      // A TCP listener reports an AddressInfo; a string would mean a pipe, which listen() was not given.
      if (address === null || typeof address === 'string')
        reject(new Error('not listening on TCP'));
      else resolve(address);
    });
  });
}

/** A URL host for a bound address: a wildcard bind is reached through loopback. */
function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

/** Stops `server` and closes its connections, keep-alive ones included. */
function stop(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    // Keep-alive sockets would hold close() open until they time out.
    server.closeAllConnections();
  });
}

/**
 * Starts an Auth0-compatible mock authorization server on `node:http`. Every option is validated
 * first: a bad one throws a `TypeError` naming it (never its value). RSA keys are generated here
 * unless fixed keys are configured. With `customDomain: true` a second listener answers as the
 * tenant's custom domain (same tenant, its own issuer).
 *
 * @example
 * ```ts
 * await using server = await startMockServer(tutorialTenant());
 * const response = await fetch(server.tokenEndpoint, { method: 'POST', body: ... });
 * ```
 */
export async function startMockServer(config: MockServerConfig = {}): Promise<MockServer> {
  const resolved = validateServerConfig(config);
  const keys = await SigningKeyStore.create(resolved.tenant.signingKeys);
  const servers: Server[] = [];
  const closing = new AbortController();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing.abort();
    closed ??= Promise.all(servers.map(stop)).then(() => undefined);
    return closed;
  };

  const server = createServer();
  servers.push(server);
  const address = await listen(server, resolved.port, resolved.host);
  const url = `http://${urlHost(address.address)}:${address.port}`;
  const state = new ServerState(resolved.tenant, keys, resolved.tenant.issuer ?? `${url}/`);
  const control = new LocalControl(state);
  const handlerOptions = { control, controlApi: resolved.controlApi, signal: closing.signal };
  server.on('request', createRequestHandler({ ...handlerOptions, state }));

  let customDomainUrl: string | undefined;
  if (resolved.customDomainPort !== undefined) {
    const second = createServer();
    servers.push(second);
    let secondAddress: AddressInfo;
    try {
      secondAddress = await listen(second, resolved.customDomainPort, resolved.host);
    } catch (error) {
      servers.pop();
      await close();
      throw error;
    }
    customDomainUrl = `http://${urlHost(secondAddress.address)}:${secondAddress.port}`;
    const customDomain = state.withIssuer(
      resolved.tenant.customDomainIssuer ?? `${customDomainUrl}/`,
    );
    state.customDomain = customDomain;
    second.on('request', createRequestHandler({ ...handlerOptions, state: customDomain }));
  }

  return {
    url,
    get issuer() {
      return state.issuer;
    },
    tokenEndpoint: `${url}/oauth/token`,
    jwksUri: `${url}/.well-known/jwks.json`,
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    customDomainUrl,
    get customDomainIssuer() {
      return state.customDomain?.issuer;
    },
    control,
    close,
    [Symbol.asyncDispose]: close,
  };
}
