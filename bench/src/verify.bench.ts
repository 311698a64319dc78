/**
 * Verification cost of @ropkit/core against a bare `crypto.verify` and raw jose, measured in one
 * run on this machine.
 *
 * Configurations alternate round by round, in a rotating order (so machine noise hits all of
 * them alike), and the median of the rounds is reported:
 * - `crypto.verify (bare)`: node:crypto's RS256 check of the same tokens' signatures, the signing
 *   input and signature already decoded, the key already a `KeyObject`: the floor;
 * - `jose.jwtVerify (raw)`: jose with an imported key (WebCrypto);
 * - the peers' verification of a new token, as they call it: `jsonwebtoken.verify` with the PEM
 *   jwks-rsa hands it (express-jwt), and a fast-jwt verifier with the PEM (@fastify/jwt, its cache
 *   off): the two fastest peers of the adapter benchmark on distinct tokens. They show how much of
 *   a request's cost is left to win once everyone verifies with `crypto.verify`;
 * - ropkit, distinct tokens: every token is new (cache misses, full verification);
 * - ropkit, repeated token: the same token again (verified-token cache hit).
 * Target (issue 14): ropkit's verification of a new RS256 token within 1.3x the cost of the bare
 * `crypto.verify` of its signature. Once the tokens are signed, the process pins itself to core 1
 * (`taskset`; `BENCH_PIN=0` to leave it unpinned).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { createAccessTokenVerifier } from '@ropkit/core';
import { createVerifier } from 'fast-jwt';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { format, median, timeSequential } from './measure.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 40);
const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 300);
const AUDIENCE = 'https://api.example.com';

const { privateKey, publicKey } = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const issuer = `http://127.0.0.1:${port}/`;

const now = Math.floor(Date.now() / 1000);
async function sign(jti: string): Promise<string> {
  return new SignJWT({ scope: 'openid read:sample', azp: 'client', gty: 'password', jti })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
    .setIssuer(issuer)
    .setSubject('auth0|bench')
    .setAudience([AUDIENCE, `${issuer}userinfo`])
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

// As many distinct tokens as the warm-up and the rounds use: ropkit never sees one twice (the
// cursor moves on after each of its runs; the other configurations read the same tokens).
const WARM_UP_ROUNDS = 20;
const distinct = await Promise.all(
  Array.from({ length: ITERATIONS * (ROUNDS + WARM_UP_ROUNDS + 1) }, (_, i) => sign(`t${i}`)),
);
const repeated = await sign('repeated');
// Each token's signing input and signature, decoded ahead: the bare check does nothing else.
const keyObject = createPublicKey({ key: jwk, format: 'jwk' });
const decoded = distinct.map((token) => {
  const dot = token.lastIndexOf('.');
  return {
    input: Buffer.from(token.slice(0, dot), 'latin1'),
    signature: Buffer.from(token.slice(dot + 1), 'base64url'),
  };
});

const verifier = createAccessTokenVerifier({
  issuer,
  audience: AUDIENCE,
  jwksUri: `${issuer}.well-known/jwks.json`,
});
await verifier.verify(repeated); // fetch keys and fill the cache once
await verifier.verify(repeated);

if (process.env['BENCH_PIN'] !== '0') {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  } catch {
    process.stdout.write('taskset is unavailable: not pinned, figures are noisier\n');
  }
}

// What the peers are handed: jwks-rsa gives express-jwt a PEM string; @fastify/jwt builds a
// fast-jwt verifier around its key once.
const pem = await exportSPKI(publicKey);
const fastJwtVerify = createVerifier({
  key: pem,
  algorithms: ['RS256'],
  allowedIss: issuer,
  allowedAud: AUDIENCE,
  cache: false,
});

let cursor = 0;
const at = (i: number) => (cursor + i) % distinct.length;
const configurations: Record<string, (i: number) => unknown> = {
  'crypto.verify (bare)': (i) => {
    const { input, signature } = decoded[at(i)] ?? {
      input: Buffer.alloc(0),
      signature: Buffer.alloc(0),
    };
    if (!cryptoVerify('sha256', input, keyObject, signature)) throw new Error('bad signature');
  },
  'jose.jwtVerify (raw)': (i) =>
    jwtVerify(distinct[at(i)] ?? '', publicKey, {
      issuer,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    }),
  'jsonwebtoken.verify (express-jwt)': (i) =>
    jsonwebtoken.verify(distinct[at(i)] ?? '', pem, {
      algorithms: ['RS256'],
      issuer,
      audience: AUDIENCE,
    }),
  'fast-jwt verifier (@fastify/jwt)': (i) => fastJwtVerify(distinct[at(i)] ?? ''),
  'ropkit verify, distinct tokens': (i) => verifier.verify(distinct[at(i)] ?? ''),
  'ropkit verify, repeated token': () => verifier.verify(repeated),
};

/**
 * A pause between rounds. Pinned to one core, a loop that never waits starves V8's background
 * threads (the optimizing compiler, the concurrent GC) that share the core: code would stay
 * unoptimized for a long time, and differently so for each configuration. A server has idle
 * moments; so does this.
 */
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));

const results = new Map<string, number[]>(Object.keys(configurations).map((name) => [name, []]));
// Warm-up, not recorded: JIT (until the optimizing compiler is done) and key import.
for (let warm = 0; warm < WARM_UP_ROUNDS; warm++) {
  for (const operation of Object.values(configurations)) {
    await timeSequential(ITERATIONS, operation);
    await pause();
  }
  cursor += ITERATIONS;
}
const names = Object.keys(configurations);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order every round, so no configuration always runs first (or after another).
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length] ?? '';
    const operation = configurations[name];
    if (operation === undefined) continue;
    results.get(name)?.push(await timeSequential(ITERATIONS, operation));
    if (name === 'ropkit verify, distinct tokens') cursor += ITERATIONS;
    await pause();
  }
}
server.close();

const bare = median(results.get('crypto.verify (bare)') ?? []);
process.stdout.write(
  `verification, RS256, ${ROUNDS} alternating rounds of ${ITERATIONS} sequential calls, median\n`,
);
process.stdout.write(
  `${'configuration'.padEnd(34)} ${'ops/s'.padStart(12)} ${'µs/op'.padStart(8)}  cost vs crypto.verify\n`,
);
for (const [name, samples] of results) {
  const opsPerSecond = median(samples);
  process.stdout.write(
    `${name.padEnd(34)} ${format(opsPerSecond)} ${(1e6 / opsPerSecond).toFixed(2).padStart(8)}  ${(bare / opsPerSecond).toFixed(2).padStart(20)}x\n`,
  );
}
const distinctCost = bare / median(results.get('ropkit verify, distinct tokens') ?? []);
const jose = median(results.get('jose.jwtVerify (raw)') ?? []);
const hitSpeedup = median(results.get('ropkit verify, repeated token') ?? []) / jose;
process.stdout.write(
  `\ntarget new RS256 token <= 1.3x a bare crypto.verify: ${distinctCost.toFixed(2)}x ${distinctCost <= 1.3 ? 'MET' : 'NOT MET'}\n` +
    `cache hit vs jose.jwtVerify of a new token:        ${hitSpeedup.toFixed(0)}x faster\n`,
);
