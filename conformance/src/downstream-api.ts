import { once } from 'node:events';
import { createServer, type Server } from 'node:http';

/**
 * The API a test app's `GET /call-api` calls: it records the bearer token of each request and
 * answers 200, or 401 `invalid_token` for tokens the scenario marked revoked.
 */
export class DownstreamApi {
  readonly received: string[] = [];
  readonly revoked = new Set<string>();
  readonly #server: Server;
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      this.received.push(token);
      if (token === '' || this.revoked.has(token)) {
        res
          .writeHead(401, {
            'content-type': 'application/json',
            'www-authenticate':
              'Bearer realm="downstream", error="invalid_token", error_description="Token revoked"',
          })
          .end('{"error":"invalid_token"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"downstream":"ok"}');
    });
  }

  /** Starts the API on 127.0.0.1 with an ephemeral port. */
  static async start(): Promise<DownstreamApi> {
    const api = new DownstreamApi();
    api.#server.listen(0, '127.0.0.1');
    await once(api.#server, 'listening');
    const address = api.#server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    api.#url = `http://127.0.0.1:${port}/resource`;
    return api;
  }

  get url(): string {
    return this.#url;
  }

  /** Forgets what it received and which tokens were revoked. */
  reset(): void {
    this.received.length = 0;
    this.revoked.clear();
  }

  /** Stops the API. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}
