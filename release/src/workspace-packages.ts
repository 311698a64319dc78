import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject, parseJsonArray, parseJsonObject, stringField, stringMap } from './json.ts';
import { capture, childEnv } from './steps.ts';

/** A workspace package that is published (not `"private": true`). */
export interface PublishablePackage {
  name: string;
  version: string;
  dir: string;
  /** The other publishable packages it needs at run time (not its devDependencies). */
  dependsOn: string[];
}

/** What a user installs along with a package; devDependencies are not. */
const RUNTIME_DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * Every publishable package of the workspace, each after the packages it depends on, so the
 * registry already has a package's dependencies when it is published (core first). The list
 * comes from pnpm itself, so a new package is picked up without editing this file.
 */
export async function publishablePackages(workspaceRoot: string): Promise<PublishablePackage[]> {
  const listing = await capture('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], {
    cwd: workspaceRoot,
    env: childEnv({}),
  });
  const dirs = parseJsonArray(listing, 'pnpm ls --json').map((entry) =>
    stringField(isJsonObject(entry) ? entry : {}, 'path', 'a pnpm ls --json entry'),
  );
  const manifests = await Promise.all(
    dirs.map(async (dir) => {
      const file = join(dir, 'package.json');
      return { dir, manifest: parseJsonObject(await readFile(file, 'utf8'), file) };
    }),
  );
  const publishable = manifests.filter(({ manifest }) => manifest['private'] !== true);
  const names = new Set(
    publishable.map(({ dir, manifest }) =>
      stringField(manifest, 'name', join(dir, 'package.json')),
    ),
  );
  return dependencyOrder(
    publishable.map(({ dir, manifest }) => {
      const what = join(dir, 'package.json');
      const runtime = RUNTIME_DEPENDENCY_FIELDS.flatMap((field) =>
        Object.keys(stringMap(manifest, field, what)),
      );
      return {
        name: stringField(manifest, 'name', what),
        version: stringField(manifest, 'version', what),
        dir,
        dependsOn: runtime.filter((name) => names.has(name)),
      };
    }),
  );
}

/** Kahn's topological sort; keeps the given order among packages that are ready together. */
export function dependencyOrder(packages: PublishablePackage[]): PublishablePackage[] {
  const ordered: PublishablePackage[] = [];
  const done = new Set<string>();
  let pending = packages;
  while (pending.length > 0) {
    const ready = pending.filter((pkg) => pkg.dependsOn.every((name) => done.has(name)));
    if (ready.length === 0) {
      throw new Error(`dependency cycle among ${pending.map((pkg) => pkg.name).join(', ')}`);
    }
    for (const pkg of ready) {
      ordered.push(pkg);
      done.add(pkg.name);
    }
    pending = pending.filter((pkg) => !done.has(pkg.name));
  }
  return ordered;
}
