// Benchmark of the built package (run `pnpm run build` first; `pnpm run bench` does both):
// - password grants per second over real HTTP on 127.0.0.1, RS256 and ES256 signing;
// - in-process start time (startMockServer until it listens, key generation included);
// - container start time (start() until the health check passes and the issuer is set), when a
//   Docker engine is reachable.
// Every loop is bounded in count and in time, and only loopback is contacted.
import { performance } from 'node:perf_hooks';
import { startMockServer, TUTORIAL, tutorialTenant } from '../dist/index.js';

const GRANT_REQUESTS = 4_000;
const GRANT_SECONDS = 10;
const CONCURRENCY = 8;
const START_RUNS = 20;
const CONTAINER_RUNS = 3;

const body = new URLSearchParams({
  grant_type: 'password',
  username: TUTORIAL.username,
  password: TUTORIAL.password,
  audience: TUTORIAL.audience,
  scope: TUTORIAL.scope,
  client_id: TUTORIAL.clientId,
  client_secret: TUTORIAL.clientSecret,
}).toString();

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (value) => value.toFixed(1);
  return `median ${f(percentile(sorted, 50))} ms, min ${f(sorted[0])} ms, max ${f(sorted.at(-1))} ms (n=${sorted.length})`;
}

async function grant(tokenEndpoint) {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`token request answered ${response.status}`);
}

async function passwordGrantsPerSecond(alg) {
  const server = await startMockServer(tutorialTenant({ signingKeys: [{ alg }] }));
  try {
    for (let i = 0; i < 50; i += 1) await grant(server.tokenEndpoint); // warm-up
    const latencies = [];
    const deadline = performance.now() + GRANT_SECONDS * 1000;
    let issued = 0;
    const started = performance.now();
    async function worker() {
      while (issued < GRANT_REQUESTS && performance.now() < deadline) {
        issued += 1;
        const t0 = performance.now();
        await grant(server.tokenEndpoint);
        latencies.push(performance.now() - t0);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return `${alg}: ${(latencies.length / seconds).toFixed(0)} password grants/s (${latencies.length} requests in ${seconds.toFixed(2)} s, concurrency ${CONCURRENCY}; latency p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms)`;
  } finally {
    await server.close();
  }
}

async function inProcessStart(alg) {
  const samples = [];
  for (let run = 0; run < START_RUNS; run += 1) {
    const t0 = performance.now();
    const server = await startMockServer(tutorialTenant({ signingKeys: [{ alg }] }));
    samples.push(performance.now() - t0);
    await server.close();
  }
  return `in-process start (${alg} key generated): ${summary(samples)}`;
}

async function containerStart() {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  let module;
  try {
    module = await import('../dist/testcontainers.js');
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch (error) {
    return `container start: skipped (${error instanceof Error ? error.message : String(error)})`;
  }
  const image = await module.buildMockServerImage({ imageName: 'ropkit/mock-server:bench' });
  const samples = [];
  for (let run = 0; run < CONTAINER_RUNS; run += 1) {
    const t0 = performance.now();
    const container = await new module.MockAuthorizationServerContainer(image.imageName).start();
    samples.push(performance.now() - t0);
    await container.stop();
  }
  return `container start (base "${image.base}": ${image.reason}): ${summary(samples)}`;
}

const lines = [
  `node ${process.version}, ${process.platform}/${process.arch}`,
  await passwordGrantsPerSecond('RS256'),
  await passwordGrantsPerSecond('ES256'),
  await inProcessStart('RS256'),
  await inProcessStart('ES256'),
  await containerStart(),
];
process.stdout.write(`${lines.join('\n')}\n`);
