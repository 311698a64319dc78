import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { requestedClientId } from './client-authentication.js';
import type { RequestLogEntry } from './control.js';
import { CLIENT_CERTIFICATE_HEADER } from './endpoints/client-certificate-header.js';
import { controlApiEndpoint, HEALTH_PATH, OWN_PATH_PREFIX } from './endpoints/control-api.js';
import { authorizeEndpoint, discoveryEndpoint, jwksEndpoint } from './endpoints/discovery.js';
import { header, parametersOnce, type EndpointRequest } from './endpoints/endpoint-request.js';
import {
  AUTHENTICATOR_PATH_PREFIX,
  mfaAssociateEndpoint,
  mfaAuthenticatorsEndpoint,
  mfaChallengeEndpoint,
  mfaDeleteAuthenticatorEndpoint,
} from './endpoints/mfa-api.js';
import { revocationEndpoint } from './endpoints/revocation.js';
import { tokenEndpoint } from './endpoints/token-endpoint.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { faultResponse } from './fault-response.js';
import {
  jsonResponse,
  peerAddress,
  readBody,
  writeResponse,
  type HttpResponse,
} from './http-io.js';
import type { LocalControl } from './local-control.js';
import { OAuthError } from './oauth-error.js';
import type { ServerState } from './server-state.js';

/** Options of {@link createRequestHandler}. */
export interface RequestHandlerOptions {
  readonly state: ServerState;
  readonly control: LocalControl;
  readonly controlApi: boolean;
  /** Aborted when the server closes, so pending `latency` faults stop waiting. */
  readonly signal: AbortSignal;
}

type Endpoint = (
  state: ServerState,
  request: EndpointRequest,
) => Promise<HttpResponse> | HttpResponse;

/** Auth0's Authentication API surface that the mock serves, by `METHOD path`. */
const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ['POST /oauth/token', tokenEndpoint],
  ['GET /.well-known/openid-configuration', discoveryEndpoint],
  ['GET /.well-known/jwks.json', jwksEndpoint],
  ['GET /userinfo', userinfoEndpoint],
  ['POST /userinfo', userinfoEndpoint],
  ['POST /oauth/revoke', revocationEndpoint],
  ['POST /mfa/challenge', mfaChallengeEndpoint],
  ['GET /mfa/authenticators', mfaAuthenticatorsEndpoint],
  ['POST /mfa/associate', mfaAssociateEndpoint],
  // Not implemented, but published in discovery: answered 501 rather than 404.
  ['GET /authorize', authorizeEndpoint],
  ['POST /authorize', authorizeEndpoint],
]);

/** The endpoint for `method` and `path`: an exact one, or `DELETE /mfa/authenticators/{id}`. */
function endpointFor(method: string, path: string): Endpoint | undefined {
  const exact = ENDPOINTS.get(`${method} ${path}`);
  if (exact !== undefined) return exact;
  if (
    method === 'DELETE' &&
    path.startsWith(AUTHENTICATOR_PATH_PREFIX) &&
    path.length > AUTHENTICATOR_PATH_PREFIX.length
  ) {
    return mfaDeleteAuthenticatorEndpoint;
  }
  return undefined;
}

function notFound(): HttpResponse {
  return jsonResponse(404, { error: 'not_found', error_description: 'Not Found' });
}

/** The request's loggable fields: never a password, secret, token, DPoP proof or certificate. */
function describeRequest(
  state: ServerState,
  request: EndpointRequest,
): Omit<RequestLogEntry, 'at' | 'status'> {
  const entry: Omit<RequestLogEntry, 'at' | 'status'> = {
    method: request.method,
    path: request.path,
    ip: request.peerIp,
  };
  if (request.headersDistinct['dpop'] !== undefined) entry.dpop = true;
  if (state.isCustomDomain) entry.customDomain = true;
  if (state.isCustomDomain && header(request, CLIENT_CERTIFICATE_HEADER) !== undefined) {
    entry.clientCertificate = true;
  }
  const forwardedFor = header(request, 'auth0-forwarded-for');
  if (forwardedFor !== undefined) entry.forwardedFor = forwardedFor;
  let parameters: ReadonlyMap<string, string> = new Map();
  try {
    parameters = request.parameters();
  } catch {
    // An unreadable body is the endpoint's to reject; the log keeps what it can.
  }
  const grantType = parameters.get('grant_type');
  if (grantType !== undefined) entry.grantType = grantType;
  const clientId = requestedClientId(parameters, header(request, 'authorization'));
  if (clientId !== undefined) entry.clientId = clientId;
  return entry;
}

/**
 * Builds the `node:http` request listener: the health check and control API under `/__ropkit/`,
 * then queued faults, then Auth0's endpoints, logging each Auth0 request with its status.
 */
export function createRequestHandler(
  options: RequestHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { state } = options;

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://mock.invalid');
    const body = await readBody(incoming);
    const request: EndpointRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      headers: incoming.headers,
      headersDistinct: incoming.headersDistinct,
      body,
      peerIp: peerAddress(incoming),
      parameters: parametersOnce(body, incoming.headers['content-type']),
    };

    if (request.path.startsWith(OWN_PATH_PREFIX)) {
      if (request.path === HEALTH_PATH && request.method === 'GET') {
        writeResponse(outgoing, jsonResponse(200, { status: 'ok' }));
      } else if (options.controlApi) {
        writeResponse(outgoing, await controlApiEndpoint(options.control, request));
      } else {
        writeResponse(outgoing, notFound());
      }
      return;
    }

    const entry: RequestLogEntry = {
      at: state.clock.nowMs(),
      status: null,
      ...describeRequest(state, request),
    };
    state.requestLog.add(entry);
    const fault = state.faults.take(request.path);
    if (fault !== undefined) entry.fault = fault.kind;
    if (fault?.kind === 'drop') {
      incoming.socket.destroy();
      return;
    }
    let response: HttpResponse;
    if (fault !== undefined && fault.kind !== 'latency') {
      response = faultResponse(fault);
    } else {
      if (fault?.kind === 'latency')
        await delay(fault.delayMs, undefined, { signal: options.signal });
      const endpoint = endpointFor(request.method, request.path);
      response = endpoint === undefined ? notFound() : await endpoint(state, request);
    }
    // An id-token fault shaped the answer's body; a latency fault before it only delayed it.
    if (response.fault !== undefined) entry.fault = response.fault;
    entry.status = response.status;
    writeResponse(outgoing, response);
  }

  return (incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      if (options.signal.aborted) return;
      if (error instanceof OAuthError) {
        writeResponse(outgoing, jsonResponse(error.status, error.body(), { ...error.headers }));
        return;
      }
      // A bug in the mock: answer like Auth0's generic failure and say so on stderr, without the
      // request (which may hold a password).
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`@ropkit/mock-server: internal error: ${message}\n`);
      writeResponse(
        outgoing,
        jsonResponse(500, { error: 'server_error', error_description: 'Internal error' }),
      );
    });
  };
}
