import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** How the key set endpoint answers the next requests. */
export type JwksBehaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'body'; body: string; contentType?: string }
  | { kind: 'oversized'; bytes: number };

/**
 * A real HTTP server on 127.0.0.1 publishing a JWKS and discovery documents, whose behaviour
 * tests switch at run time (rotation, failures, hangs). It counts requests per path.
 */
export class JwksServer {
  keys: JWK[] = [];
  behaviour: JwksBehaviour = { kind: 'ok' };
  /** Issuer named in discovery documents; defaults to this server's URL. */
  discoveredIssuer: string | undefined;
  /** Paths that answer 404 (to exercise discovery fallbacks). */
  readonly missingPaths = new Set<string>();
  /** A jwks_uri override for discovery documents. */
  discoveredJwksUri: string | undefined;
  /** Paths that never answer (any path, discovery documents included). */
  readonly hangingPaths = new Set<string>();
  /** Milliseconds to wait before answering a path. */
  readonly delays = new Map<string, number>();
  readonly requests: string[] = [];
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(): Promise<JwksServer> {
    const server = new JwksServer();
    server.#server.listen(0, '127.0.0.1');
    await once(server.#server, 'listening');
    const { port } = server.#server.address() as AddressInfo;
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** Base URL, without trailing slash. */
  get url(): string {
    return this.#url;
  }
  get issuer(): string {
    return `${this.#url}/`;
  }
  get jwksUri(): string {
    return `${this.#url}/.well-known/jwks.json`;
  }

  count(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.#url).pathname;
    this.requests.push(path);
    if (this.hangingPaths.has(path)) {
      this.#hanging.add(res);
      return;
    }
    const delay = this.delays.get(path);
    if (delay !== undefined) {
      this.#hanging.add(res);
      setTimeout(() => {
        this.#hanging.delete(res);
        if (!res.destroyed) this.#answer(path, res);
      }, delay);
      return;
    }
    this.#answer(path, res);
  }

  #answer(path: string, res: ServerResponse): void {
    if (this.missingPaths.has(path)) {
      res.writeHead(404).end();
      return;
    }
    if (
      path === '/.well-known/openid-configuration' ||
      path.startsWith('/.well-known/oauth-authorization-server')
    ) {
      this.#json(res, {
        issuer: this.discoveredIssuer ?? this.issuer,
        jwks_uri: this.discoveredJwksUri ?? this.jwksUri,
      });
      return;
    }
    if (path !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'ok':
        this.#json(res, { keys: this.keys });
        return;
      case 'status':
        res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('failure');
        return;
      case 'hang':
        this.#hanging.add(res);
        return;
      case 'body':
        res
          .writeHead(200, { 'content-type': behaviour.contentType ?? 'application/json' })
          .end(behaviour.body);
        return;
      case 'oversized': {
        // Streams without a content-length, so the client must count bytes itself.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[],"pad":"');
        res.write('x'.repeat(behaviour.bytes));
        res.end('"}');
        return;
      }
    }
  }

  #json(res: ServerResponse, value: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  }
}
