import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { capabilityList, checkAdapterDefinition, profileList } from './adapter-definition.js';
import type { AdapterUnderTest } from './scenario.js';
import type { StartTestApp } from './test-app.js';

/** The kit's own test apps of ropkit's adapters (they need the adapter and its framework). */
const BUILT_IN: Readonly<Record<string, string>> = {
  express: '@ropkit/conformance/adapters/express',
  koa: '@ropkit/conformance/adapters/koa',
  fastify: '@ropkit/conformance/adapters/fastify',
};

/**
 * Loads an adapter's harness: `express`, `koa` and `fastify` name ours; a path (starting with
 * `.` or absolute) is a file; anything else is a package name. The module exports `startTestApp`
 * (or a default export of that shape), and optionally `name` (how reports name it), `skips`
 * (scenario id, or `group-*`, to reason), `capabilities` and `profiles`.
 *
 * @throws {AdapterDefinitionError} when `skips`, `capabilities` or `profiles` name something the
 *   kit does not know.
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
  const declaredName: unknown = Reflect.get(exports, 'name');
  const name =
    BUILT_IN[specifier] !== undefined
      ? specifier
      : typeof declaredName === 'string' && declaredName.trim() !== ''
        ? declaredName
        : specifier.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '');
  const skips = readSkips(Reflect.get(exports, 'skips'));
  const capabilities = readList(Reflect.get(exports, 'capabilities'), name, 'capabilities');
  const profiles = readList(Reflect.get(exports, 'profiles'), name, 'profiles');
  const adapter: AdapterUnderTest = {
    name,
    startTestApp: start,
    ...(skips === undefined ? {} : { skips }),
    ...(capabilities === undefined ? {} : { capabilities: capabilityList(name, capabilities) }),
    ...(profiles === undefined ? {} : { profiles: profileList(name, profiles) }),
  };
  checkAdapterDefinition(adapter);
  return adapter;
}

/** A list of strings the module exports (checked against the kit's names afterwards). */
function readList(value: unknown, adapter: string, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new TypeError(`${adapter}: ${what} must be an array of strings`);
  return value;
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
