import { once } from 'node:events';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TokenClient, type TokenClientOptions } from '../../src/index.js';

/** One request the hostile server received. Test-only: it keeps the form, secrets included. */
export interface ReceivedRequest {
  /** `Date.now()` when the request arrived. */
  at: number;
  method: string;
  path: string;
  form: URLSearchParams;
  /** The body as it arrived (a JSON body of the MFA API is here). */
  body: string;
  authorization: string | undefined;
}

/**
 * An answer to send. A string body goes out as it is (give the content type in `headers`, or
 * none is sent); an object goes out as JSON, `application/json` unless `headers` says otherwise.
 */
export interface HostileAnswer {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string | object;
}

/** An answer, or a function of the request that computes it. */
export type QueuedAnswer = HostileAnswer | ((request: ReceivedRequest) => HostileAnswer);

/**
 * A token endpoint on 127.0.0.1 that answers whatever a test queues: the malformed, misleading
 * or hostile answers a real authorization server (or a proxy in front of it) can give. With
 * nothing queued it behaves: each grant gets a new access token `at-<n>`, a refresh token and
 * `expires_in: 3600`.
 */
export interface HostileServer {
  readonly tokenEndpoint: string;
  readonly requests: ReceivedRequest[];
  /** How many token requests of this `grant_type` arrived. */
  grants(grantType: string): number;
  /** Answers for the next requests, first in, first out; then the default answer again. */
  queue(...answers: QueuedAnswer[]): void;
  /** Forgets the queue and the requests (tokens keep counting up, so they stay unique). */
  reset(): void;
  close(): Promise<void>;
}

export async function startHostileServer(): Promise<HostileServer> {
  const requests: ReceivedRequest[] = [];
  const queued: QueuedAnswer[] = [];
  let issued = 0;

  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const received: ReceivedRequest = {
        at: Date.now(),
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        form: new URLSearchParams(text),
        body: text,
        authorization: req.headers.authorization,
      };
      requests.push(received);
      const next = queued.shift();
      const answer: HostileAnswer =
        next === undefined
          ? {
              status: 200,
              body: {
                access_token: `at-${++issued}`,
                token_type: 'Bearer',
                expires_in: 3600,
                refresh_token: 'rt-hostile',
              },
            }
          : typeof next === 'function'
            ? next(received)
            : next;
      const headers: OutgoingHttpHeaders = { ...answer.headers };
      let body = '';
      if (typeof answer.body === 'string') body = answer.body;
      else if (answer.body !== undefined) {
        body = JSON.stringify(answer.body);
        headers['content-type'] ??= 'application/json';
      }
      res.writeHead(answer.status, headers).end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    tokenEndpoint: `http://127.0.0.1:${port}/oauth/token`,
    requests,
    grants: (grantType) =>
      requests.filter((entry) => entry.form.get('grant_type') === grantType).length,
    queue: (...answers) => void queued.push(...answers),
    reset: () => {
      queued.length = 0;
      requests.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Starts a hostile server for a test file; resets it before each test. */
export function useHostileServer() {
  const handle = { server: undefined as unknown as HostileServer };
  beforeAll(async () => {
    handle.server = await startHostileServer();
  });
  beforeEach(() => {
    handle.server.reset();
  });
  afterAll(async () => {
    await handle.server.close();
  });
  return handle;
}

/** A confidential client of the hostile server. */
export function hostileClient(
  server: HostileServer,
  options: Partial<TokenClientOptions> = {},
): TokenClient {
  return new TokenClient({
    tokenEndpoint: server.tokenEndpoint,
    clientId: 'hostile-test-client',
    clientSecret: 'hostile-test-secret',
    ...options,
  });
}

/** The user every hostile-server test signs in as. */
export const HOSTILE_USER = { username: 'user@example.com', password: 'user-password' } as const;

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
