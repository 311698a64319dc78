#!/usr/bin/env node
/**
 * ropkit-conformance run --adapter <name|module> [--adapter ...] [--runtime container|in-process|auto]
 *                        [--only id,id] [--json file] [--junit file]
 * ropkit-conformance serve --adapter <name|module> --issuer <url> --audience <aud>
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildAuthorizationServerImage, runtimeFromEnvironment } from './authorization-server.js';
import { CATALOGUE } from './catalogue/index.js';
import { loadAdapter } from './load-adapter.js';
import { formatMatrix, toJUnit, toJson } from './report.js';
import { ConformanceRun, type ScenarioResult } from './runner.js';

const USAGE = `usage:
  ropkit-conformance run --adapter <express|koa|fastify|module> [--adapter ...] [--runtime container|in-process|auto] [--only id,id] [--json file] [--junit file]
  ropkit-conformance serve --adapter <name|module> --issuer <url> --audience <audience>
`;

async function run(
  values: Record<string, string | string[] | boolean | undefined>,
): Promise<number> {
  const adapters = [values['adapter']].flat().filter((a): a is string => typeof a === 'string');
  if (adapters.length === 0) throw new TypeError('give at least one --adapter');
  const runtime =
    values['runtime'] === undefined
      ? runtimeFromEnvironment()
      : runtimeFromEnvironment(String(values['runtime']));
  const only = typeof values['only'] === 'string' ? new Set(values['only'].split(',')) : undefined;
  const scenarios = only === undefined ? CATALOGUE : CATALOGUE.filter((s) => only.has(s.id));
  let image: string | undefined;
  if (runtime !== 'in-process') {
    const building = performance.now();
    try {
      image = await buildAuthorizationServerImage();
      const seconds = ((performance.now() - building) / 1000).toFixed(1);
      process.stderr.write(
        `mock server image ${image} built in ${seconds} s (not counted below)\n`,
      );
    } catch (error) {
      if (runtime === 'container') throw error;
    }
  }
  const loaded = await Promise.all(adapters.map((specifier) => loadAdapter(specifier)));
  const started = performance.now();
  // Each adapter has its own mock server, so adapters run side by side. allSettled, not all:
  // every session must have closed (containers stopped) before a failure is reported.
  const settled = await Promise.allSettled(
    loaded.map(async (adapter) => {
      const session = await ConformanceRun.start(adapter, {
        runtime,
        ...(image === undefined ? {} : { image }),
      });
      try {
        process.stderr.write(
          `${adapter.name}: mock server ${session.server.runtime}, app ${session.url}\n`,
        );
        return await session.runAll(scenarios);
      } finally {
        await session.close();
      }
    }),
  );
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  const results: ScenarioResult[] = settled.flatMap((outcome) =>
    outcome.status === 'fulfilled' ? outcome.value : [],
  );
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${formatMatrix(results)}\nwall time ${wall} s (image build excluded)\n`);
  if (typeof values['json'] === 'string') await writeFile(values['json'], toJson(results));
  if (typeof values['junit'] === 'string') await writeFile(values['junit'], toJUnit(results));
  return results.some((result) => result.outcome === 'fail') ? 1 : 0;
}

async function serve(
  values: Record<string, string | string[] | boolean | undefined>,
): Promise<number> {
  const adapter = await loadAdapter(String(values['adapter'] ?? ''));
  const issuer = values['issuer'];
  const audience = values['audience'];
  if (typeof issuer !== 'string' || typeof audience !== 'string')
    throw new TypeError('serve needs --issuer and --audience');
  const app = await adapter.startTestApp({ verifier: { issuer, audience } });
  process.stdout.write(
    `${adapter.name} test app listening on ${app.url} (issuer ${issuer}, audience ${audience})\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  return 0;
}

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      adapter: { type: 'string', multiple: true },
      runtime: { type: 'string' },
      only: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    process.stdout.write(USAGE);
    process.exitCode = command === undefined && values.help !== true ? 2 : 0;
  } else if (command === 'run') {
    process.exitCode = await run(values);
  } else if (command === 'serve') {
    process.exitCode = await serve({ ...values, adapter: values.adapter?.[0] });
  } else {
    process.stderr.write(`unknown command ${command}\n${USAGE}`);
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(
    `ropkit-conformance: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 2;
}
