import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AdapterUnderTest } from './scenario.js';
import type { StartTestApp } from './test-app.js';

/** The kit's own test apps of ropkit's adapters (they need the adapter and its framework). */
const BUILT_IN: Readonly<Record<string, string>> = {
  express: '@ropkit/conformance/adapters/express',
  koa: '@ropkit/conformance/adapters/koa',
  fastify: '@ropkit/conformance/adapters/fastify',
};

/**
 * Loads an adapter's harness: `express`, `koa` and `fastify` name ours; anything else is a
 * module specifier or a file path whose module exports `startTestApp` (or a default export of
 * that shape), and optionally `skips` (scenario id to reason).
 */
export async function loadAdapter(specifier: string): Promise<AdapterUnderTest> {
  const target = BUILT_IN[specifier] ?? specifier;
  const url =
    target.startsWith('.') || isAbsolute(target) ? pathToFileURL(resolve(target)).href : target;
  const loaded: unknown = await import(url);
  const exports: object = typeof loaded === 'object' && loaded !== null ? loaded : {};
  const start: unknown = Reflect.get(exports, 'startTestApp') ?? Reflect.get(exports, 'default');
  if (!isStartTestApp(start)) {
    throw new TypeError(`${specifier} does not export a startTestApp function`);
  }
  const name =
    BUILT_IN[specifier] === undefined
      ? specifier.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '')
      : specifier;
  const skips = readSkips(Reflect.get(exports, 'skips'));
  return { name, startTestApp: start, ...(skips === undefined ? {} : { skips }) };
}

function isStartTestApp(value: unknown): value is StartTestApp {
  return typeof value === 'function';
}

/** `skips`: scenario id to reason; an empty reason is kept, so the run fails that scenario. */
function readSkips(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const skips: Record<string, string> = {};
  for (const [id, reason] of Object.entries(value)) {
    skips[id] = typeof reason === 'string' ? reason : '';
  }
  return skips;
}
