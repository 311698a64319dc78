/**
 * Adapter throughput against each bare framework and the peers, in one run.
 *
 * Each configuration is a server in its own child process; the load comes from autocannon in
 * this process. Configurations alternate round by round, in a rotating order, and the median of
 * the rounds is reported as a ratio to the bare framework. Two loads: one repeated token, and a
 * pool of distinct tokens larger than any cache (ropkit's default holds 1000, @fastify/jwt's
 * 1000). Any non-2xx answer is counted and fails the run.
 *
 * Targets (issue 5): with a repeated token, >= 0.8x the bare framework and >= 3x
 * express-oauth2-jwt-bearer; with distinct tokens, no slower than the fastest peer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { median } from './measure.ts';
import { ALL_SERVERS, type BenchEnv } from './servers.ts';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const POOL = Number(process.env['BENCH_POOL'] ?? 4000);
const ONLY = process.env['BENCH_ONLY']; // e.g. "express" to run one framework
const AUDIENCE = 'https://api.example.com';

const { privateKey, publicKey } = await generateKeyPair('RS256');
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
const jwks = createServer((_req, res) => {
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ keys: [publicJwk] }));
});
jwks.listen(0, '127.0.0.1');
await once(jwks, 'listening');
const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`;
const env: BenchEnv = {
  issuer,
  audience: AUDIENCE,
  jwksUri: `${issuer}.well-known/jwks.json`,
  publicJwk,
};

const sign = (jti: string) =>
  new SignJWT({ scope: 'openid read:sample', azp: 'bench-client', gty: 'password', jti })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
    .setIssuer(issuer)
    .setSubject('auth0|bench')
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
const repeated = await sign('repeated');
const pool = await Promise.all(Array.from({ length: POOL }, (_, i) => sign(`t${i}`)));

interface Running {
  name: string;
  port: number;
  child: ChildProcess;
}

async function startServer(name: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [new URL('./server-process.ts', import.meta.url).pathname, name],
    {
      env: { ...process.env, BENCH_ENV: JSON.stringify(env) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const match = /LISTENING (\d+)/.exec(output);
    if (match?.[1] !== undefined) return { name, port: Number(match[1]), child };
  }
  throw new Error(`${name} did not start`);
}

async function load(
  port: number,
  tokens: readonly string[],
): Promise<{ rps: number; non2xx: number; errors: number }> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/private`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        setupRequest: (request) => {
          const token = tokens[next++ % tokens.length] ?? '';
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const frameworks = ['express', 'koa', 'fastify'].filter((fw) => ONLY === undefined || ONLY === fw);
let failed = false;
for (const framework of frameworks) {
  const names = Object.keys(ALL_SERVERS).filter((name) => name.startsWith(`${framework} `));
  const servers: Running[] = [];
  for (const name of names) servers.push(await startServer(name));
  try {
    for (const [loadName, tokens] of [
      ['repeated token', [repeated]],
      [`${POOL} distinct tokens`, pool],
    ] as const) {
      // Warm-up: JIT, key fetch, caches.
      for (const server of servers)
        await load(server.port, tokens.slice(0, 50)).catch(() => undefined);
      const samples = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      let non2xx = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < servers.length; k++) {
          const server = servers[(round + k) % servers.length];
          if (server === undefined) continue;
          const measured = await load(server.port, tokens);
          samples.get(server.name)?.push(measured.rps);
          non2xx += measured.non2xx + measured.errors;
          if (measured.non2xx + measured.errors > 0) {
            process.stdout.write(
              `  ! ${server.name}: ${measured.non2xx} non-2xx, ${measured.errors} errors\n`,
            );
          }
        }
      }
      const bare = median(samples.get(`${framework} bare`) ?? []);
      process.stdout.write(
        `\n${framework}, ${loadName} (${ROUNDS} rounds x ${DURATION_S} s, ${CONNECTIONS} connections)\n`,
      );
      process.stdout.write(`${'configuration'.padEnd(44)} ${'req/s'.padStart(9)}  ratio to bare\n`);
      for (const [name, values] of samples) {
        const rps = median(values);
        process.stdout.write(
          `${name.padEnd(44)} ${rps.toFixed(0).padStart(9)}  ${(rps / bare).toFixed(2).padStart(8)}x\n`,
        );
      }
      process.stdout.write(`non-2xx and errors: ${non2xx}\n`);
      if (non2xx > 0) failed = true;
    }
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
  }
}
jwks.close();
process.exitCode = failed ? 1 : 0;
