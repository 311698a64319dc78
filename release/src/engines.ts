import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isJsonObject, parseJsonObject } from './json.ts';
import type { PublishablePackage } from './workspace-packages.ts';

/** A Node version as three numbers. */
type Version = readonly [number, number, number];

/**
 * The lowest Node version an `engines.node` range admits: the smallest lower bound of its `||`
 * alternatives (`>=22.19.0`, `^20.10 || >=22`, `22.x`, `>=18 <24`). `undefined` for a range
 * this reader does not understand: the caller treats that as a failure, so an unusual range is
 * looked at by a person instead of passing unchecked.
 */
export function lowestNode(range: string): Version | undefined {
  let lowest: Version | undefined;
  for (const alternative of range.split('||')) {
    const bound = lowerBound(alternative.trim());
    if (bound === undefined) return undefined;
    if (lowest === undefined || compare(bound, lowest) < 0) lowest = bound;
  }
  return lowest;
}

function lowerBound(alternative: string): Version | undefined {
  if (alternative === '' || alternative === '*') return [0, 0, 0];
  // The first comparator of a conjunction (">=18 <24") is its lower bound when it is one.
  const first = alternative.split(/\s+/)[0] ?? '';
  const match = /^(>=|\^|~|=)?v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(first);
  if (match === null) return undefined;
  return [number(match[2]), number(match[3]), number(match[4])];
}

/** A version part: digits, or 0 for a missing part or a wildcard (`x`, `*`). */
function number(part: string | undefined): number {
  return part === undefined || !/^\d+$/.test(part) ? 0 : Number(part);
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `22.19.0`. */
export function formatVersion(version: Version): string {
  return version.join('.');
}

/**
 * Checks that `pkg` does not claim a Node version its run-time dependencies refuse: its
 * `engines.node` floor must be at least the floor of every dependency (as installed in the
 * workspace). Returns one line per dependency checked; throws naming each one that is higher.
 */
export async function checkEngines(pkg: PublishablePackage): Promise<string> {
  const manifest = parseJsonObject(await readFile(join(pkg.dir, 'package.json'), 'utf8'), pkg.name);
  const own = nodeRange(manifest);
  if (own === undefined) throw new Error(`${pkg.name} has no engines.node`);
  const floor = lowestNode(own);
  if (floor === undefined) throw new Error(`${pkg.name}: engines.node "${own}" is not understood`);
  const require = createRequire(join(pkg.dir, 'package.json'));
  const lines: string[] = [];
  const problems: string[] = [];
  for (const name of Object.keys(objectOf(manifest['dependencies']))) {
    const dependency = parseJsonObject(
      await readFile(require.resolve(`${name}/package.json`), 'utf8'),
      `${name}/package.json`,
    );
    const range = nodeRange(dependency);
    if (range === undefined) {
      lines.push(`  ${name}@${String(dependency['version'])}: no engines.node`);
      continue;
    }
    const needed = lowestNode(range);
    if (needed === undefined) {
      problems.push(`${name}'s engines.node "${range}" is not understood`);
    } else if (compare(needed, floor) > 0) {
      problems.push(`${name}@${String(dependency['version'])} needs Node ${range}`);
    }
    lines.push(`  ${name}@${String(dependency['version'])}: node ${range}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${pkg.name} claims Node ${own} (from ${formatVersion(floor)}), lower than its dependencies allow: ${problems.join('; ')}`,
    );
  }
  return `${pkg.name}: node ${own}\n${lines.join('\n')}`;
}

function nodeRange(manifest: Record<string, unknown>): string | undefined {
  const node = objectOf(manifest['engines'])['node'];
  return typeof node === 'string' ? node : undefined;
}

function objectOf(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? value : {};
}
