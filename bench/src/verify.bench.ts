/**
 * Verification cost of @ropkit/core against raw jose, measured in one run on this machine.
 *
 * Configurations alternate round by round, in a rotating order (so machine noise hits all of
 * them alike), and the median of the rounds is reported, as a ratio to raw `jose.jwtVerify` with an imported key:
 * - ropkit, distinct tokens: every token is new (cache misses, full verification);
 * - ropkit, repeated token: the same token again (verified-token cache hit).
 * Targets (issue 2): distinct within 1.15x of jose's cost; a cache hit at least 10x faster.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccessTokenVerifier } from '@ropkit/core';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify } from 'jose';
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

// More distinct tokens than one round uses, so no round ever sees a token twice.
const distinct = await Promise.all(
  Array.from({ length: ITERATIONS * (ROUNDS + 1) }, (_, i) => sign(`t${i}`)),
);
const repeated = await sign('repeated');

const verifier = createAccessTokenVerifier({
  issuer,
  audience: AUDIENCE,
  jwksUri: `${issuer}.well-known/jwks.json`,
});
await verifier.verify(repeated); // fetch keys and fill the cache once

let cursor = 0;
const configurations: Record<string, (i: number) => Promise<unknown>> = {
  'jose.jwtVerify (raw)': (i) =>
    jwtVerify(distinct[(cursor + i) % distinct.length] ?? '', publicKey, {
      issuer,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    }),
  'ropkit verify, distinct tokens': (i) =>
    verifier.verify(distinct[(cursor + i) % distinct.length] ?? ''),
  'ropkit verify, repeated token': () => verifier.verify(repeated),
};

const results = new Map<string, number[]>(Object.keys(configurations).map((name) => [name, []]));
// Warm-up round, not recorded: JIT and key import.
for (const operation of Object.values(configurations)) await timeSequential(300, operation);
const names = Object.keys(configurations);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order every round, so no configuration always runs first (or after another).
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length] ?? '';
    const operation = configurations[name];
    if (operation === undefined) continue;
    results.get(name)?.push(await timeSequential(ITERATIONS, operation));
    cursor += ITERATIONS;
  }
}
server.close();

const baseline = median(results.get('jose.jwtVerify (raw)') ?? []);
process.stdout.write(
  `verification, ${ROUNDS} alternating rounds of ${ITERATIONS} sequential calls, median ops/s\n`,
);
process.stdout.write(
  `${'configuration'.padEnd(34)} ${'ops/s'.padStart(12)}  ratio to jose  cost vs jose\n`,
);
for (const [name, samples] of results) {
  const opsPerSecond = median(samples);
  const speed = opsPerSecond / baseline;
  process.stdout.write(
    `${name.padEnd(34)} ${format(opsPerSecond)}  ${speed.toFixed(2).padStart(12)}x  ${(1 / speed).toFixed(2).padStart(11)}x\n`,
  );
}
const distinctCost = baseline / median(results.get('ropkit verify, distinct tokens') ?? []);
const hitSpeedup = median(results.get('ropkit verify, repeated token') ?? []) / baseline;
process.stdout.write(
  `\ntarget distinct tokens <= 1.15x jose's cost: ${distinctCost.toFixed(2)}x ${distinctCost <= 1.15 ? 'MET' : 'NOT MET'}\n` +
    `target cache hit >= 10x faster than jose:   ${hitSpeedup.toFixed(1)}x ${hitSpeedup >= 10 ? 'MET' : 'NOT MET'}\n`,
);
