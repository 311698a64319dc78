import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerError } from '../src/index.js';
import { useJwksFixture } from './support/fixture.js';

const f = useJwksFixture();
let api: Server;
let port: number;

beforeAll(async () => {
  const verifier = f.verifier();
  api = createServer((req, res) => {
    verifier.authenticate(req).then(
      () => res.writeHead(200).end('ok'),
      (error: unknown) => {
        const status = error instanceof BearerError ? error.status : 500;
        const headers = error instanceof BearerError ? error.headers : {};
        res
          .writeHead(status, headers)
          .end(error instanceof BearerError ? JSON.stringify(error.body) : '');
      },
    );
  });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  port = (api.address() as AddressInfo).port;
});
afterAll(() => {
  api.close();
});

/** Sends raw HTTP/1.1 bytes, so a header can be repeated (fetch would merge it). */
async function raw(head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  // write, not end: a half-closed socket would make the server drop the pending answer.
  socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

describe('RFC 6750 section 2.1 over real HTTP', () => {
  it('accepts one valid Authorization header', async () => {
    const token = await f.sign();
    expect(await raw(`GET / HTTP/1.1\r\nAuthorization: Bearer ${token}`)).toMatch(/^HTTP\/1.1 200/);
  });

  it('answers 400 invalid_request to a repeated Authorization header, which Node hides in req.headers', async () => {
    const token = await f.sign();
    const response = await raw(
      `GET / HTTP/1.1\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}`,
    );
    expect(response).toMatch(/^HTTP\/1.1 400/);
    expect(response).toContain(
      'WWW-Authenticate: Bearer realm="api", error="invalid_request", error_description="Repeated Authorization header"',
    );
  });
});
