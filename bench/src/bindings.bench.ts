/**
 * What each kind of token costs per request against an RS256 Bearer token, in one run: HS256 with
 * the API's secret, a certificate-bound token (RFC 8705: the certificate's SHA-256 each request),
 * and DPoP (RFC 9449), measured as follows for DPoP: core's
 * `authenticate(request)` on the same RS256 access token sent as Bearer and as DPoP (each request
 * with a fresh ES256 proof, as a client sends it), for a token seen before (the verified-token
 * cache answers the token; the proof is still checked) and for a new one. References:
 * - `crypto.verify ES256 (bare)`: node:crypto's check of one proof signature, decoded ahead, key
 *   imported ahead: the floor of any proof check;
 * - `jose jwtVerify(proof, EmbeddedJWK)`: the proof check express-oauth2-jwt-bearer runs per DPoP
 *   request (its dpop-verifier.ts), without its other steps.
 * Configurations alternate round by round in a rotating order; medians of the rounds. Pinned to
 * core 1 once everything is signed (`BENCH_PIN=0` to leave it unpinned).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  X509Certificate,
  createHash,
  randomUUID,
  createPublicKey,
  verify as cryptoVerify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessTokenHash, createAccessTokenVerifier, type BearerRequest } from '@ropkit/core';
import {
  EmbeddedJWK,
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import { format, median, timeSequential } from './measure.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 300);
const WARM_UP_ROUNDS = 10;
const AUDIENCE = 'https://api.example.com';
const PATH = '/api/private';

const signing = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const issuer = `http://127.0.0.1:${port}/`;
const host = `127.0.0.1:${port}`;
const htu = `http://${host}${PATH}`;

const client = await generateKeyPair('ES256', { extractable: true });
const clientJwk = await exportJWK(client.publicKey);
const jkt = await calculateJwkThumbprint(clientJwk);

const now = Math.floor(Date.now() / 1000);
function sign(jti: string, bound: boolean): Promise<string> {
  return new SignJWT({
    scope: 'read:sample',
    azp: 'client',
    gty: 'password',
    jti,
    ...(bound ? { cnf: { jkt } } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
    .setIssuer(issuer)
    .setSubject('auth0|bench')
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(signing.privateKey);
}
function proof(token: string): Promise<string> {
  return new SignJWT({ jti: randomUUID(), htm: 'GET', htu, iat: now, ath: accessTokenHash(token) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: clientJwk })
    .sign(client.privateKey);
}

const perConfiguration = ITERATIONS * (ROUNDS + WARM_UP_ROUNDS + 1);
const repeatedBearer = await sign('repeated-bearer', false);
const repeatedBound = await sign('repeated-bound', true);
const newBearer = await Promise.all(
  Array.from({ length: perConfiguration }, (_, i) => sign(`b${i}`, false)),
);
const newBound = await Promise.all(
  Array.from({ length: perConfiguration }, (_, i) => sign(`d${i}`, true)),
);
// Every DPoP request carries a proof never sent before (the replay store accepts each once).
const repeatedProofs = await Promise.all(
  Array.from({ length: perConfiguration }, () => proof(repeatedBound)),
);
const newProofs = await Promise.all(newBound.map((token) => proof(token)));
const referenceProofs = await Promise.all(
  Array.from({ length: perConfiguration }, () => proof(repeatedBound)),
);
const decodedProofs = referenceProofs.map((jws) => {
  const dot = jws.lastIndexOf('.');
  return {
    input: Buffer.from(jws.slice(0, dot), 'latin1'),
    signature: Buffer.from(jws.slice(dot + 1), 'base64url'),
  };
});
const clientKeyObject = createPublicKey({ key: clientJwk, format: 'jwk' });

// HS256 with the API's signing secret, and a certificate-bound token (RFC 8705): the request's
// client certificate comes from its socket, as a TLS socket gives it.
const SECRET = new TextEncoder().encode('the API signing secret, 40 bytes long!!!');
function signHs256(jti: string): Promise<string> {
  return new SignJWT({ scope: 'read:sample', azp: 'client', gty: 'password', jti })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject('auth0|bench')
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(SECRET);
}
const hs256Verifier = createAccessTokenVerifier({ issuer, audience: AUDIENCE, secret: SECRET });
const repeatedHs256 = await signHs256('repeated-hs256');
const newHs256 = await Promise.all(
  Array.from({ length: perConfiguration }, (_, i) => signHs256(`h${i}`)),
);
const certificate = new X509Certificate(
  readFileSync(new URL('../../packages/core/test/fixtures/mtls/client-a.crt', import.meta.url)),
);
const x5t = createHash('sha256').update(certificate.raw).digest('base64url');
const socket = { getPeerCertificate: () => ({ raw: certificate.raw }) };
const repeatedCertBound = await new SignJWT({ scope: 'read:sample', cnf: { 'x5t#S256': x5t } })
  .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
  .setIssuer(issuer)
  .setSubject('auth0|bench')
  .setAudience(AUDIENCE)
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(signing.privateKey);

const verifier = createAccessTokenVerifier({
  issuer,
  audience: AUDIENCE,
  jwksUri: `${issuer}.well-known/jwks.json`,
  dpop: { mode: 'allowed' },
});
const request = (authorization: string, dpop?: string): BearerRequest => ({
  headers: dpop === undefined ? { authorization, host } : { authorization, dpop, host },
  method: 'GET',
  originalUrl: PATH,
});
// Fetch the keys, and let the cache admit the repeated tokens (it does on their second sight).
for (let i = 0; i < 2; i++) await verifier.authenticate(request(`Bearer ${repeatedBearer}`));
await verifier.verify(repeatedBound);
await verifier.verify(repeatedBound);
for (let i = 0; i < 2; i++) {
  await hs256Verifier.authenticate(request(`Bearer ${repeatedHs256}`));
  await verifier.authenticate({ ...request(`Bearer ${repeatedCertBound}`), socket });
}

if (process.env['BENCH_PIN'] !== '0') {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    process.stdout.write('taskset is unavailable: not pinned, figures are noisier\n');
  }
}

const cursors = new Map<string, number>();
function next(name: string): number {
  const value = cursors.get(name) ?? 0;
  cursors.set(name, value + 1);
  return value;
}
const pick = (list: readonly string[], name: string): string => list[next(name)] ?? '';

const configurations: Record<string, () => unknown> = {
  'crypto.verify ES256 (bare)': () => {
    const { input, signature } =
      decodedProofs[next('bare') % decodedProofs.length] ?? decodedProofs[0]!;
    if (
      !cryptoVerify('sha256', input, { key: clientKeyObject, dsaEncoding: 'ieee-p1363' }, signature)
    ) {
      throw new Error('bad signature');
    }
  },
  'jose jwtVerify(proof, EmbeddedJWK)': () =>
    jwtVerify(referenceProofs[next('jose') % referenceProofs.length] ?? '', EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
    }),
  'Bearer, repeated token': () => verifier.authenticate(request(`Bearer ${repeatedBearer}`)),
  'DPoP, repeated token': () =>
    verifier.authenticate(request(`DPoP ${repeatedBound}`, pick(repeatedProofs, 'dpop-repeated'))),
  'Bearer, new token': () =>
    verifier.authenticate(request(`Bearer ${pick(newBearer, 'bearer-new')}`)),
  'HS256 Bearer, repeated token': () =>
    hs256Verifier.authenticate(request(`Bearer ${repeatedHs256}`)),
  'HS256 Bearer, new token': () =>
    hs256Verifier.authenticate(request(`Bearer ${pick(newHs256, 'hs256-new')}`)),
  'certificate-bound, repeated token': () =>
    verifier.authenticate({ ...request(`Bearer ${repeatedCertBound}`), socket }),
  'DPoP, new token': () => {
    const i = next('dpop-new');
    return verifier.authenticate(request(`DPoP ${newBound[i] ?? ''}`, newProofs[i]));
  },
};

const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
const names = Object.keys(configurations);
const results = new Map<string, number[]>(names.map((name) => [name, []]));
for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length] ?? '';
    const operation = configurations[name];
    if (operation === undefined) continue;
    const opsPerSecond = await timeSequential(ITERATIONS, operation);
    if (round >= WARM_UP_ROUNDS) results.get(name)?.push(opsPerSecond);
    await pause();
  }
}
server.close();

const us = (name: string) => 1e6 / median(results.get(name) ?? []);
process.stdout.write(
  `Token kinds vs RS256 Bearer (DPoP with ES256 proofs), ${ROUNDS} alternating rounds of ${ITERATIONS} sequential calls, median\n`,
);
process.stdout.write(
  `${'configuration'.padEnd(36)} ${'ops/s'.padStart(12)} ${'µs/op'.padStart(8)}\n`,
);
for (const name of names) {
  process.stdout.write(
    `${name.padEnd(36)} ${format(median(results.get(name) ?? []))} ${us(name).toFixed(2).padStart(8)}\n`,
  );
}
const vsBearer = (name: string, base: string) =>
  `${name}: ${(us(name) - us(base)).toFixed(1)} µs more than ${base} (${(us(name) / us(base)).toFixed(2)}x)`;
process.stdout.write(
  `\n${vsBearer('HS256 Bearer, new token', 'Bearer, new token')}\n` +
    `${vsBearer('HS256 Bearer, repeated token', 'Bearer, repeated token')}\n` +
    `${vsBearer('certificate-bound, repeated token', 'Bearer, repeated token')}\n`,
);
const addedRepeated = us('DPoP, repeated token') - us('Bearer, repeated token');
const addedNew = us('DPoP, new token') - us('Bearer, new token');
process.stdout.write(
  `\nDPoP adds per request: ${addedRepeated.toFixed(1)} µs to a repeated token (${(us('DPoP, repeated token') / us('Bearer, repeated token')).toFixed(1)}x), ` +
    `${addedNew.toFixed(1)} µs to a new one (${(us('DPoP, new token') / us('Bearer, new token')).toFixed(2)}x)\n` +
    `proof check vs a bare ES256 crypto.verify: ${(addedRepeated / us('crypto.verify ES256 (bare)')).toFixed(2)}x; ` +
    `vs jose's EmbeddedJWK check: ${(us('jose jwtVerify(proof, EmbeddedJWK)') / addedRepeated).toFixed(2)}x faster\n`,
);
