/**
 * Adapter throughput against each bare framework and the peers, in one run.
 *
 * - Each configuration is a server in its own child process pinned to core 1
 *   (`taskset -c 1`); the load comes from autocannon in this process, pinned to core 0, so the
 *   server never borrows the load generator's core (nor the other way round).
 * - Servers alternate round by round in a rotating order; the median of the rounds is reported,
 *   with its ratio to the bare framework and, for ropkit, to each peer.
 * - Two loads: one repeated token (for `BENCH_DURATION` seconds), and distinct tokens: each round
 *   sends `BENCH_DISTINCT` requests, each with the next token of one counter shared by all
 *   connections, so every token reaches a server exactly once in the whole run (see load.ts).
 *   The tokens are minted ahead on every core.
 * - Any non-2xx answer or connection error is counted and fails the run.
 * - `BENCH_SOAK=1`: a soak instead: half a million distinct tokens (`BENCH_SOAK_TOKENS`) through
 *   each ropkit adapter, the server's RSS sampled every 10 s and printed.
 *
 * Targets (issue 14): every request a new token, at least 1.3x the fastest peer on each
 * framework; one repeated token, at least 0.9x the bare framework (0.85x at the least).
 * Knobs: BENCH_ROUNDS, BENCH_DURATION, BENCH_DISTINCT, BENCH_CONNECTIONS, BENCH_ONLY (`express`,
 * `koa` or `fastify`), BENCH_LOADS (`repeated`, `distinct` or both), BENCH_PIN=0 (no pinning),
 * BENCH_SOAK, BENCH_SOAK_TOKENS, BENCH_SKETCHES=1 (also the sketches of ropkit-servers.ts: a
 * no-op middleware, core's synchronous cache hit), BENCH_PROFILE=<dir> (a V8 CPU profile of each
 * server run, written to <dir> when the server stops).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDistinct, loadRepeated, TokenCounter, type LoadResult } from './load.ts';
import { median } from './measure.ts';
import { MEASURED_SERVERS, type BenchEnv } from './servers.ts';
import { mintTokens } from './tokens.ts';

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const DISTINCT = Number(process.env['BENCH_DISTINCT'] ?? 20_000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const ONLY = process.env['BENCH_ONLY']; // e.g. "express" to run one framework
const LOADS = (process.env['BENCH_LOADS'] ?? 'repeated,distinct').split(',');
const PIN = process.env['BENCH_PIN'] !== '0';
const SOAK = process.env['BENCH_SOAK'] === '1';
const SOAK_TOKENS = Number(process.env['BENCH_SOAK_TOKENS'] ?? 500_000);
const SOAK_SAMPLE_MS = 10_000;
const AUDIENCE = 'https://api.example.com';
/** Warm-up per server and load, not recorded: JIT (to the optimizing compiler), key fetch. */
const WARM_UP_S = 2;
const WARM_UP_DISTINCT = 5_000;

const out = (line = '') => process.stdout.write(`${line}\n`);

const frameworks = ['express', 'koa', 'fastify'].filter((fw) => ONLY === undefined || ONLY === fw);
const serversOf = (framework: string) =>
  MEASURED_SERVERS.filter(
    (name) => name.startsWith(`${framework} `) && (!SOAK || name.includes('@ropkit/')),
  );

// --- Keys, key set, tokens --------------------------------------------------------------------

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = {
  ...publicKey.export({ format: 'jwk' }),
  kid: 'bench',
  alg: 'RS256',
  use: 'sig',
};
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

// Every server of a framework gets the same token ranges (they have separate caches); each round
// and warm-up takes a fresh range, so no server ever sees a token twice.
const distinctLoad = LOADS.includes('distinct');
const perServer = SOAK ? SOAK_TOKENS : distinctLoad ? WARM_UP_DISTINCT + ROUNDS * DISTINCT : 0;
const now = Math.floor(Date.now() / 1000);
const mintJob = {
  privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  kid: 'bench',
  issuer,
  audience: AUDIENCE,
  iat: now,
  exp: now + 24 * 3600,
  prefix: `${process.pid}-`,
};
const started = performance.now();
const pool = perServer > 0 ? await mintTokens(perServer, mintJob) : [];
const [repeated = ''] = await mintTokens(1, { ...mintJob, prefix: 'repeated-' });
if (pool.length > 0) {
  out(
    `minted ${pool.length} distinct tokens in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

// --- Pinning ----------------------------------------------------------------------------------

/** Pins every thread of this process (the load generator) to core 0; servers go to core 1. */
function pinSelf(): boolean {
  if (!PIN) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    out('taskset is unavailable: nothing is pinned, figures are noisier');
    return false;
  }
}
const pinned = pinSelf();

// --- Servers ----------------------------------------------------------------------------------

interface Running {
  name: string;
  port: number;
  child: ChildProcess;
}

const profileDir = process.env['BENCH_PROFILE'];
let profileRuns = 0;

async function startServer(name: string): Promise<Running> {
  const script = new URL('./server-process.ts', import.meta.url).pathname;
  // BENCH_PROFILE=<dir>: a V8 CPU profile of each server run, to see where its time goes.
  const profile =
    profileDir === undefined
      ? []
      : [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${name.replaceAll(/[^\w.-]+/g, '_')}-${++profileRuns}.cpuprofile`,
        ];
  const node = [process.execPath, ...profile, script, name];
  const [command, args] = pinned
    ? ['taskset', ['-c', '1', ...node]]
    : [node[0] ?? process.execPath, node.slice(1)];
  const child = spawn(command, args, {
    env: { ...process.env, BENCH_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  for await (const chunk of child.stdout ?? []) {
    output += String(chunk);
    const match = /LISTENING (\d+)/.exec(output);
    if (match?.[1] !== undefined) return { name, port: Number(match[1]), child };
  }
  throw new Error(`${name} did not start`);
}

/** A peer library (not the bare framework, not ropkit, not a sketch built on core). */
const isPeer = (name: string) =>
  !name.includes('@ropkit/') &&
  !name.endsWith(' bare') &&
  !name.includes(' + core, ') &&
  !name.includes(' + no-op ');

/** The server's resident set size (bytes) and CPU time used so far (microseconds). */
async function usageOf(child: ChildProcess): Promise<{ rss: number; cpuMicros: number }> {
  child.send('usage');
  const [message] = (await once(child, 'message')) as [{ rss: number; cpuMicros: number }];
  return message;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Measuring --------------------------------------------------------------------------------

let failed = false;
function check(name: string, result: LoadResult): void {
  if (result.non2xx + result.errors > 0) {
    failed = true;
    out(`  ! ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
}

interface Table {
  framework: string;
  load: string;
  /** Median answers per second. */
  rps: Map<string, number>;
  /**
   * Median server CPU time per answer, in microseconds: what the server spent, whatever else the
   * machine was doing meanwhile (on a shared machine the steadier figure).
   */
  cpu: Map<string, number>;
}

/** Where round `slot`'s tokens start in the pool: after the warm-up's, each round its own range. */
const rangeStart = (slot: number) => WARM_UP_DISTINCT + slot * DISTINCT;

async function measure(framework: string, servers: Running[], load: string): Promise<Table> {
  const run = (server: Running, slot: number | 'warm-up') => {
    if (load === 'repeated') {
      return loadRepeated(
        server.port,
        repeated,
        slot === 'warm-up' ? WARM_UP_S : DURATION_S,
        CONNECTIONS,
      );
    }
    const counter = new TokenCounter(pool, slot === 'warm-up' ? 0 : rangeStart(slot));
    const amount = slot === 'warm-up' ? WARM_UP_DISTINCT : DISTINCT;
    return loadDistinct(server.port, counter, amount, CONNECTIONS);
  };
  for (const server of servers) {
    check(server.name, await run(server, 'warm-up'));
    await pause(200);
  }
  const samples = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  const cpuSamples = new Map<string, number[]>(servers.map((s) => [s.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order every round, so no configuration always runs first (or after another).
    for (let k = 0; k < servers.length; k++) {
      const server = servers[(round + k) % servers.length];
      if (server === undefined) continue;
      const before = await usageOf(server.child);
      const result = await run(server, round);
      const after = await usageOf(server.child);
      check(server.name, result);
      samples.get(server.name)?.push(result.rps);
      cpuSamples.get(server.name)?.push((after.cpuMicros - before.cpuMicros) / result.requests);
      await pause(200);
    }
  }
  return {
    framework,
    load,
    rps: new Map([...samples].map(([name, values]) => [name, median(values)])),
    cpu: new Map([...cpuSamples].map(([name, values]) => [name, median(values)])),
  };
}

function printTable(table: Table): void {
  const { framework, load, rps, cpu } = table;
  const bare = rps.get(`${framework} bare`) ?? Number.NaN;
  const bareCpu = cpu.get(`${framework} bare`) ?? Number.NaN;
  const what =
    load === 'repeated'
      ? `one repeated token, ${ROUNDS} rounds x ${DURATION_S} s`
      : `every request a new token, ${ROUNDS} rounds x ${DISTINCT} tokens`;
  out(`\n${framework}, ${what}, ${CONNECTIONS} connections (median req/s)`);
  out(
    `${'configuration'.padEnd(40)} ${'req/s'.padStart(8)}  ${'x bare'.padStart(7)}  ${'CPU µs/req'.padStart(10)}  ${'+ over bare'.padStart(11)}`,
  );
  for (const [name, value] of rps) {
    const micros = cpu.get(name) ?? Number.NaN;
    out(
      `${name.padEnd(40)} ${value.toFixed(0).padStart(8)}  ${(value / bare).toFixed(2).padStart(6)}x  ${micros.toFixed(1).padStart(10)}  ${(micros - bareCpu).toFixed(1).padStart(11)}`,
    );
  }
  const ropkit = [...rps].find(([name]) => name.includes('@ropkit/'));
  if (ropkit === undefined) return;
  const ropkitCpu = cpu.get(ropkit[0]) ?? Number.NaN;
  for (const [name, value] of rps) {
    if (!isPeer(name)) continue;
    const peerCpu = cpu.get(name) ?? Number.NaN;
    out(
      `  ${ropkit[0]} / ${name}: ${(ropkit[1] / value).toFixed(2)}x req/s, ${(peerCpu / ropkitCpu).toFixed(2)}x by CPU per request`,
    );
  }
}

function printSummary(tables: Table[]): void {
  out(
    '\nsummary (median req/s; ropkit as a ratio to bare and to the fastest peer, by req/s and by',
  );
  out('server CPU per request)');
  out('| | bare | ropkit | fastest peer | target (req/s) | by CPU per request |');
  out('|---|---:|---:|---:|---|---|');
  for (const { framework, load, rps, cpu } of tables) {
    const bareName = `${framework} bare`;
    const bare = rps.get(bareName) ?? Number.NaN;
    const ropkitName = [...rps.keys()].find((name) => name.includes('@ropkit/')) ?? '';
    const [peerName, peer] = [...rps]
      .filter(([name]) => isPeer(name))
      .reduce<[string, number]>((best, entry) => (entry[1] > best[1] ? entry : best), ['none', 0]);
    const ropkit = rps.get(ropkitName) ?? Number.NaN;
    const cpuOf = (name: string) => cpu.get(name) ?? Number.NaN;
    const byCpuBare = cpuOf(bareName) / cpuOf(ropkitName);
    const byCpuPeer = cpuOf(peerName) / cpuOf(ropkitName);
    const target =
      load === 'repeated'
        ? `>= 0.9x bare: ${ropkit / bare >= 0.9 ? 'MET' : ropkit / bare >= 0.85 ? 'MET at 0.85' : 'NOT MET'}`
        : `>= 1.3x peer: ${ropkit / peer >= 1.3 ? 'MET' : 'NOT MET'}`;
    const byCpu =
      load === 'repeated'
        ? `${byCpuBare.toFixed(2)}x bare (+${(cpuOf(ropkitName) - cpuOf(bareName)).toFixed(1)} µs)`
        : `${byCpuPeer.toFixed(2)}x peer`;
    out(
      `| ${framework}, ${load === 'repeated' ? 'one repeated token' : 'every request a new token'} | ${bare.toFixed(0)} | ${ropkit.toFixed(0)} (${(ropkit / bare).toFixed(2)}x bare, ${(ropkit / peer).toFixed(2)}x peer) | ${peerName.replace(`${framework} + `, '')} ${peer.toFixed(0)} | ${target} | ${byCpu} |`,
    );
  }
}

async function soak(server: Running): Promise<void> {
  const counter = new TokenCounter(pool);
  out(`\nsoak: ${server.name}, ${SOAK_TOKENS} distinct tokens, ${CONNECTIONS} connections`);
  out(`${'t (s)'.padStart(6)} ${'answered'.padStart(9)} ${'RSS (MB)'.padStart(9)}`);
  const t0 = performance.now();
  const sample = async (answered: number) => {
    const { rss } = await usageOf(server.child);
    out(
      `${((performance.now() - t0) / 1000).toFixed(0).padStart(6)} ${String(answered).padStart(9)} ${(rss / 1e6).toFixed(1).padStart(9)}`,
    );
  };
  await sample(0);
  let answered = 0;
  const timer = setInterval(() => void sample(answered), SOAK_SAMPLE_MS);
  try {
    const result = await loadDistinct(server.port, counter, SOAK_TOKENS, CONNECTIONS, (n) => {
      answered = n;
    });
    check(server.name, result);
    out(
      `done: ${result.requests} requests in ${result.seconds.toFixed(1)} s, ${result.rps.toFixed(0)} req/s`,
    );
  } finally {
    clearInterval(timer);
  }
  await sample(answered);
}

// --- Run --------------------------------------------------------------------------------------

out(pinned ? 'servers pinned to core 1 (taskset -c 1), load generator to core 0' : 'not pinned');
const tables: Table[] = [];
for (const framework of frameworks) {
  const servers: Running[] = [];
  for (const name of serversOf(framework)) servers.push(await startServer(name));
  try {
    if (SOAK) {
      for (const server of servers) await soak(server);
      continue;
    }
    for (const load of LOADS) {
      const table = await measure(framework, servers, load);
      printTable(table);
      tables.push(table);
    }
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
  }
}
if (tables.length > 0) printSummary(tables);
out(failed ? '\nnon-2xx answers or errors: FAILED' : '\nno non-2xx answer, no error');
jwks.close();
process.exitCode = failed ? 1 : 0;
