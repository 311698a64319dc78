import { once } from 'node:events';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BearerError,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../src/index.js';
import { useJwksFixture } from './support/fixture.js';

const f = useJwksFixture();
const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/mtls/${name}`, import.meta.url), 'utf8');
const certificate = (name: string) => new X509Certificate(fixture(`${name}.crt`));
/** RFC 8705 section 3.1: base64url SHA-256 of the certificate's DER. */
const x5t = (name: string) =>
  createHash('sha256').update(certificate(name).raw).digest('base64url');

let server: Server;
let url = '';
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  // A TLS server asking for (not requiring) a client certificate, accepting any: the binding,
  // not the chain, is what these tests are about.
  server = createServer(
    {
      key: fixture('server.key'),
      cert: fixture('server.crt'),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      verifier
        .authenticate({
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          method: req.method,
          socket: req.socket,
        })
        .then(
          (verified) => res.writeHead(200).end(String(verified.payload.sub)),
          (error: unknown) => {
            const status = error instanceof BearerError ? error.status : 500;
            res
              .writeHead(status, error instanceof BearerError ? error.headers : {})
              .end(error instanceof BearerError ? error.description : String(error));
          },
        );
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => {
  server.close();
});

function use(options: Partial<AccessTokenVerifierOptions> = {}) {
  verifier = f.verifier(options);
}

async function call(token: string, client?: string, headers: Record<string, string> = {}) {
  const dispatcher = new Agent({
    connect: {
      ca: fixture('server.crt'),
      ...(client === undefined
        ? {}
        : { cert: fixture(`${client}.crt`), key: fixture(`${client}.key`) }),
    },
  });
  try {
    const response = await request(url, {
      dispatcher,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return {
      status: response.statusCode,
      challenge: response.headers['www-authenticate'],
      text: await response.body.text(),
    };
  } finally {
    await dispatcher.close();
  }
}

describe('RFC 8705 section 3: certificate-bound access tokens', () => {
  it('accepts a bound token over a TLS connection with its certificate, every time (no cache shortcut)', async () => {
    use();
    const token = await f.sign({ claims: { cnf: { 'x5t#S256': x5t('client-a') } } });
    for (let i = 0; i < 3; i++) expect((await call(token, 'client-a')).status).toBe(200);
    expect(
      verifier.authenticateCached({ headers: { authorization: `Bearer ${token}` } }),
    ).toBeUndefined();
  });

  it('refuses it with another certificate, or none, as invalid_token (401)', async () => {
    use();
    const token = await f.sign({ claims: { cnf: { 'x5t#S256': x5t('client-a') } } });
    await call(token, 'client-a');
    const other = await call(token, 'client-b');
    expect(other).toMatchObject({
      status: 401,
      text: 'Token is bound to another client certificate',
    });
    expect(other.challenge).toContain('error="invalid_token"');
    expect(await call(token)).toMatchObject({
      status: 401,
      text: 'Token is bound to a client certificate the request lacks',
    });
  });

  it('lets an unbound token through as before, with or without a certificate', async () => {
    use();
    const token = await f.sign();
    expect((await call(token)).status).toBe(200);
    expect((await call(token, 'client-b')).status).toBe(200);
  });

  it('behind a TLS-terminating proxy, reads only the header the application names', async () => {
    use({ mtls: { certificateHeader: 'Client-Cert' } });
    const token = await f.sign({ claims: { cnf: { 'x5t#S256': x5t('client-a') } } });
    const der = certificate('client-a').raw.toString('base64');
    // RFC 9440 section 2.1: a byte sequence.
    expect((await call(token, undefined, { 'client-cert': `:${der}:` })).status).toBe(200);
    // nginx's $ssl_client_escaped_cert: a URL-encoded PEM.
    expect(
      (await call(token, undefined, { 'client-cert': encodeURIComponent(fixture('client-a.crt')) }))
        .status,
    ).toBe(200);
    // The connection's certificate is not read then, and a garbled header is no certificate.
    expect((await call(token, 'client-a')).status).toBe(401);
    expect((await call(token, undefined, { 'client-cert': ':bm90IGEgY2VydA==:' })).status).toBe(
      401,
    );
  });

  it('without the option, a forged header is never read', async () => {
    use();
    const token = await f.sign({ claims: { cnf: { 'x5t#S256': x5t('client-a') } } });
    const der = certificate('client-a').raw.toString('base64');
    expect((await call(token, 'client-b', { 'client-cert': `:${der}:` })).status).toBe(401);
  });

  it('checks the option at creation', () => {
    expect(() => use({ mtls: { certificateHeader: 'bad header' } })).toThrow(
      '"mtls.certificateHeader" must be a header name',
    );
    expect(() => use({ mtls: { header: 'x' } as never })).toThrow('Unknown option "mtls.header"');
  });
});
