import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';

/**
 * A stand-in issuer for this example: it publishes one RS256 key at
 * `/.well-known/jwks.json` on 127.0.0.1 and signs Auth0-shaped access tokens.
 * (The `@ropkit/mock-server` package is the full Auth0-compatible server.)
 */
export class LocalIssuer {
  readonly #server: Server;
  readonly #privateKey: CryptoKey;
  readonly issuer: string;

  private constructor(server: Server, privateKey: CryptoKey, issuer: string) {
    this.#server = server;
    this.#privateKey = privateKey;
    this.issuer = issuer;
  }

  static async start(): Promise<LocalIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'example', alg: 'RS256', use: 'sig' };
    const server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return new LocalIssuer(server, privateKey, `http://127.0.0.1:${port}/`);
  }

  get jwksUri(): string {
    return `${this.issuer}.well-known/jwks.json`;
  }

  /** Signs an access token for `audience` with the given scopes, valid for an hour. */
  sign(audience: string, scope: string): Promise<string> {
    return new SignJWT({ scope, azp: 'example-client', gty: 'password' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'example' })
      .setIssuer(this.issuer)
      .setSubject('auth0|example-user')
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(this.#privateKey);
  }

  async close(): Promise<void> {
    this.#server.close();
    await once(this.#server, 'close');
  }
}
