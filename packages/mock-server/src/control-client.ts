import type { ApiConfig, ClientConfig, ConnectionConfig, UserConfig } from './config.js';
import type {
  AuthenticatorEnrolment,
  EnrolledAuthenticator,
  FaultSpec,
  MfaMessage,
  MockServerControl,
  RequestLogEntry,
  RotateSigningKeyOptions,
  RotatedSigningKey,
} from './control.js';
import { isJsonObject } from './option-reader.js';

/** A control API call that the server refused; `message` is the server's description. */
export class MockServerControlError extends Error {
  /** HTTP status of the refusal. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'MockServerControlError';
    this.status = status;
  }
}

function unexpectedAnswer(operation: string): MockServerControlError {
  return new MockServerControlError(200, `${operation}: unexpected answer from the control API`);
}

function nowOf(answer: unknown, operation: string): number {
  if (isJsonObject(answer) && typeof answer['now'] === 'number') return answer['now'];
  throw unexpectedAnswer(operation);
}

/** The server's own format: checked for shape, trusted for content. */
function isEnrolledAuthenticator(value: unknown): value is EnrolledAuthenticator {
  return (
    isJsonObject(value) &&
    typeof value['id'] === 'string' &&
    typeof value['type'] === 'string' &&
    typeof value['active'] === 'boolean'
  );
}

/** The control API path of a user. */
function userPath(connection: string, email: string): string {
  return `connections/${encodeURIComponent(connection)}/users/${encodeURIComponent(email)}`;
}

/**
 * {@link MockServerControl} over HTTP, for a mock server in another process or a container. The
 * server must run with the control API enabled (`controlApi: true`, `--control`).
 *
 * @example
 * ```ts
 * const control = new MockServerControlClient('http://127.0.0.1:8080');
 * await control.advanceClock(3600);
 * ```
 */
export class MockServerControlClient implements MockServerControl {
  readonly #base: string;

  /** @param serverUrl The server's URL, e.g. `http://127.0.0.1:8080` (a trailing slash is fine). */
  constructor(serverUrl: string) {
    this.#base = `${serverUrl.replace(/\/+$/, '')}/__ropkit/`;
  }

  async setUser(connection: string, user: UserConfig): Promise<void> {
    await this.#call('PUT', `connections/${encodeURIComponent(connection)}/users`, user);
  }

  async removeUser(connection: string, email: string): Promise<void> {
    await this.#call(
      'DELETE',
      `connections/${encodeURIComponent(connection)}/users/${encodeURIComponent(email)}`,
    );
  }

  async setConnection(connection: ConnectionConfig): Promise<void> {
    await this.#call('PUT', 'connections', connection);
  }

  async setClient(client: ClientConfig): Promise<void> {
    await this.#call('PUT', 'clients', client);
  }

  async removeClient(clientId: string): Promise<void> {
    await this.#call('DELETE', `clients/${encodeURIComponent(clientId)}`);
  }

  async setApi(api: ApiConfig): Promise<void> {
    await this.#call('PUT', 'apis', api);
  }

  async removeApi(identifier: string): Promise<void> {
    await this.#call('DELETE', `apis/${encodeURIComponent(identifier)}`);
  }

  async rotateSigningKey(options: RotateSigningKeyOptions = {}): Promise<RotatedSigningKey> {
    const result = await this.#call('POST', 'signing-keys/rotate', options);
    if (isJsonObject(result)) {
      const { kid, previousKid } = result;
      if (typeof kid === 'string' && typeof previousKid === 'string') return { kid, previousKid };
    }
    throw unexpectedAnswer('signing-keys/rotate');
  }

  async withdrawSigningKey(kid: string): Promise<void> {
    await this.#call('DELETE', `signing-keys/${encodeURIComponent(kid)}`);
  }

  async queueFault(fault: FaultSpec): Promise<void> {
    await this.#call('POST', 'faults', fault);
  }

  async clearFaults(): Promise<void> {
    await this.#call('DELETE', 'faults');
  }

  async advanceClock(seconds: number): Promise<number> {
    return nowOf(await this.#call('POST', 'clock/advance', { seconds }), 'clock/advance');
  }

  async freezeClock(): Promise<number> {
    return nowOf(await this.#call('POST', 'clock/freeze'), 'clock/freeze');
  }

  async resumeClock(): Promise<number> {
    return nowOf(await this.#call('POST', 'clock/resume'), 'clock/resume');
  }

  async now(): Promise<number> {
    return nowOf(await this.#call('GET', 'clock'), 'clock');
  }

  async requests(): Promise<RequestLogEntry[]> {
    const entries = await this.#call('GET', 'requests');
    // The server's own log format: checked for shape, trusted for content.
    if (Array.isArray(entries)) return entries;
    throw unexpectedAnswer('requests');
  }

  async clearRequests(): Promise<void> {
    await this.#call('DELETE', 'requests');
  }

  async clearLockouts(): Promise<void> {
    await this.#call('DELETE', 'lockouts');
  }

  async enrolAuthenticator(
    connection: string,
    email: string,
    authenticator: AuthenticatorEnrolment,
  ): Promise<EnrolledAuthenticator> {
    const path = `${userPath(connection, email)}/authenticators`;
    const result = await this.#call('POST', path, authenticator);
    if (isEnrolledAuthenticator(result)) return result;
    throw unexpectedAnswer('authenticators');
  }

  async authenticators(connection: string, email: string): Promise<EnrolledAuthenticator[]> {
    const result = await this.#call('GET', `${userPath(connection, email)}/authenticators`);
    if (Array.isArray(result)) return result;
    throw unexpectedAnswer('authenticators');
  }

  async mfaMessages(connection: string, email: string): Promise<MfaMessage[]> {
    const result = await this.#call('GET', `${userPath(connection, email)}/mfa-messages`);
    if (Array.isArray(result)) return result;
    throw unexpectedAnswer('mfa-messages');
  }

  async approvePush(connection: string, email: string): Promise<void> {
    await this.#call('POST', `${userPath(connection, email)}/push/approve`);
  }

  async denyPush(connection: string, email: string): Promise<void> {
    await this.#call('POST', `${userPath(connection, email)}/push/deny`);
  }

  async setIssuer(issuer: string): Promise<void> {
    await this.#call('PUT', 'issuer', { issuer });
  }

  async setCustomDomainIssuer(issuer: string): Promise<void> {
    await this.#call('PUT', 'custom-domain/issuer', { issuer });
  }

  async reset(): Promise<void> {
    await this.#call('POST', 'reset');
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.#base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let description = `${response.status} ${response.statusText}`;
      try {
        const parsed: unknown = JSON.parse(text);
        if (isJsonObject(parsed) && typeof parsed['error_description'] === 'string') {
          description = parsed['error_description'];
        }
      } catch {
        // Not our JSON error (control API disabled, or something else on that port): keep the status.
      }
      throw new MockServerControlError(response.status, `${method} ${path}: ${description}`);
    }
    if (text === '') return undefined;
    const parsed: unknown = JSON.parse(text);
    return parsed;
  }
}
