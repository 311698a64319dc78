import { jsonResponse, type HttpResponse } from '../http-io.js';
import type { LocalControl } from '../local-control.js';
import { expectObject } from '../option-reader.js';
import type { EndpointRequest } from './endpoint-request.js';

/**
 * The prefix of everything that is ours rather than Auth0's (the health check and the control
 * API). Auth0's Authentication API has no path starting with `/__`.
 */
export const OWN_PATH_PREFIX = '/__ropkit/';

/** The health check path, served whenever the server is up. */
export const HEALTH_PATH = `${OWN_PATH_PREFIX}health`;

type Handler = (
  control: LocalControl,
  parameters: readonly string[],
  body: unknown,
) => Promise<unknown>;

interface Route {
  readonly method: string;
  /** Path segments after the prefix; `:` marks a parameter. */
  readonly segments: readonly string[];
  readonly handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  return { method, segments: path.split('/'), handler };
}

function numberField(body: unknown, name: string): number {
  const value = expectObject(body, 'body')[name];
  if (typeof value !== 'number') throw new TypeError(`"${name}" must be a number`);
  return value;
}

function stringField(body: unknown, name: string): string {
  const value = expectObject(body, 'body')[name];
  if (typeof value !== 'string') throw new TypeError(`"${name}" must be a string`);
  return value;
}

/**
 * The HTTP control API, one route per `MockServerControl` method. Bodies are JSON; the
 * methods validate them as they validate typed calls. {@link MockServerControlClient} is the
 * matching client.
 */
const ROUTES: readonly Route[] = [
  route('PUT', 'connections', (control, _, body) => control.setConnection(body)),
  route('PUT', 'connections/:/users', (control, [connection], body) =>
    control.setUser(connection!, body),
  ),
  route('DELETE', 'connections/:/users/:', (control, [connection, email]) =>
    control.removeUser(connection!, email!),
  ),
  route('PUT', 'clients', (control, _, body) => control.setClient(body)),
  route('DELETE', 'clients/:', (control, [clientId]) => control.removeClient(clientId!)),
  route('PUT', 'apis', (control, _, body) => control.setApi(body)),
  route('DELETE', 'apis/:', (control, [identifier]) => control.removeApi(identifier!)),
  route('POST', 'signing-keys/rotate', (control, _, body) => control.rotateSigningKey(body ?? {})),
  route('DELETE', 'signing-keys/:', (control, [kid]) => control.withdrawSigningKey(kid!)),
  route('POST', 'faults', (control, _, body) => control.queueFault(body)),
  route('DELETE', 'faults', (control) => control.clearFaults()),
  route('POST', 'clock/advance', async (control, _, body) => ({
    now: await control.advanceClock(numberField(body, 'seconds')),
  })),
  route('POST', 'clock/freeze', async (control) => ({ now: await control.freezeClock() })),
  route('POST', 'clock/resume', async (control) => ({ now: await control.resumeClock() })),
  route('GET', 'clock', async (control) => ({ now: await control.now() })),
  route('GET', 'requests', (control) => control.requests()),
  route('DELETE', 'requests', (control) => control.clearRequests()),
  route('DELETE', 'lockouts', (control) => control.clearLockouts()),
  route('POST', 'connections/:/users/:/authenticators', (control, [connection, email], body) =>
    control.enrolAuthenticator(connection!, email!, body),
  ),
  route('GET', 'connections/:/users/:/authenticators', (control, [connection, email]) =>
    control.authenticators(connection!, email!),
  ),
  route('GET', 'connections/:/users/:/mfa-messages', (control, [connection, email]) =>
    control.mfaMessages(connection!, email!),
  ),
  route('POST', 'connections/:/users/:/push/approve', (control, [connection, email]) =>
    control.approvePush(connection!, email!),
  ),
  route('POST', 'connections/:/users/:/push/deny', (control, [connection, email]) =>
    control.denyPush(connection!, email!),
  ),
  route('PUT', 'issuer', (control, _, body) => control.setIssuer(stringField(body, 'issuer'))),
  route('PUT', 'custom-domain/issuer', (control, _, body) =>
    control.setCustomDomainIssuer(stringField(body, 'issuer')),
  ),
  route('POST', 'reset', (control) => control.reset()),
];

function match(
  candidate: Route,
  method: string,
  segments: readonly string[],
): string[] | undefined {
  if (candidate.method !== method || candidate.segments.length !== segments.length)
    return undefined;
  const parameters: string[] = [];
  for (const [index, expected] of candidate.segments.entries()) {
    const actual = segments[index]!;
    if (expected === ':') parameters.push(actual);
    else if (expected !== actual) return undefined;
  }
  return parameters;
}

function controlError(status: number, description: string): HttpResponse {
  return jsonResponse(status, { error: 'invalid_request', error_description: description });
}

/** Serves `/__ropkit/...` control requests (the health check is served elsewhere). */
export async function controlApiEndpoint(
  control: LocalControl,
  request: EndpointRequest,
): Promise<HttpResponse> {
  let segments: string[];
  try {
    segments = request.path.slice(OWN_PATH_PREFIX.length).split('/').map(decodeURIComponent);
  } catch {
    return controlError(400, 'Malformed path');
  }
  for (const candidate of ROUTES) {
    const parameters = match(candidate, request.method, segments);
    if (parameters === undefined) continue;
    let body: unknown;
    if (request.body.length > 0) {
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        return controlError(400, 'Request body is not valid JSON');
      }
    }
    try {
      const result = await candidate.handler(control, parameters, body);
      return result === undefined
        ? { status: 204, headers: {}, body: '' }
        : jsonResponse(200, result);
    } catch (error) {
      // Validation errors name the option and never its value, so they are safe to return.
      if (error instanceof TypeError) return controlError(400, error.message);
      throw error;
    }
  }
  return controlError(404, `No control operation ${request.method} ${request.path}`);
}
