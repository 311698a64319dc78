import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isJsonObject,
  objectField,
  parseJsonObject,
  stringField,
  stringMap,
  type JsonObject,
} from './json.ts';
import { capture, childEnv, run } from './steps.ts';
import type { LocalRegistry } from './verdaccio.ts';
import type { PublishablePackage } from './workspace-packages.ts';

const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
] as const;

/**
 * `pnpm publish` from the package's directory, as a maintainer would (pnpm, not npm: it is
 * pnpm that rewrites `workspace:^` and `catalog:` into real ranges in the published manifest).
 * `npmrc` holds the registry token; `--no-git-checks` because a rehearsal runs on any branch
 * and on a dirty tree.
 */
export async function publishPackage(
  pkg: PublishablePackage,
  registry: LocalRegistry,
  npmrc: string,
): Promise<void> {
  await run('pnpm', ['publish', '--registry', registry.url, '--no-git-checks'], {
    cwd: pkg.dir,
    env: childEnv({ npm_config_userconfig: npmrc }),
  });
}

/**
 * Downloads the tarball the registry now serves for `pkg`, reads `package/package.json` from
 * it, and checks that no dependency range is still a `workspace:` or `catalog:` protocol (npm
 * cannot install those), that each `@ropkit/*` dependency asks for the version published here,
 * and that every file named by `exports` (all conditions) or `bin` is in the tarball.
 * Returns the manifest's run-time dependencies for the log.
 */
export async function verifyPublishedManifest(
  pkg: PublishablePackage,
  registry: LocalRegistry,
  workDir: string,
  versions: ReadonlyMap<string, string>,
): Promise<string> {
  const tarball = await downloadTarball(pkg, registry, workDir);
  const tar = (...args: string[]): Promise<string> =>
    capture('tar', args, { cwd: workDir, env: childEnv({}) });
  const what = `${pkg.name}'s published package.json`;
  const manifest = parseJsonObject(await tar('-xzOf', tarball, 'package/package.json'), what);
  const files = new Set((await tar('-tzf', tarball)).split('\n').filter((line) => line !== ''));

  const problems: string[] = [];
  const name = stringField(manifest, 'name', what);
  const version = stringField(manifest, 'version', what);
  if (name !== pkg.name || version !== pkg.version) problems.push(`it is ${name}@${version}`);
  for (const target of packagedPaths(manifest, what)) {
    if (!files.has(`package/${target.replace(/^\.\//, '')}`)) {
      problems.push(`${target} (named by exports or bin) is not in the tarball`);
    }
  }
  const lines: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [dependency, range] of Object.entries(stringMap(manifest, field, what))) {
      if (/^(workspace|catalog):/.test(range))
        problems.push(`${field}.${dependency} is "${range}"`);
      if (field === 'devDependencies') continue; // never installed by users
      lines.push(`${field}: ${dependency}@${range}`);
      const published = versions.get(dependency);
      if (published !== undefined && range !== `^${published}`) {
        problems.push(`${field}.${dependency} is "${range}", expected "^${published}"`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}`);
  return lines.length > 0 ? lines.join('\n') : '(no dependencies)';
}

/** Fetches the packument as npm would, then the tarball it names for `pkg.version`. */
async function downloadTarball(
  pkg: PublishablePackage,
  registry: LocalRegistry,
  workDir: string,
): Promise<string> {
  const headers = { authorization: `Bearer ${registry.token}` };
  const packumentUrl = new URL(pkg.name.replace('/', '%2f'), registry.url);
  const packumentAnswer = await fetch(packumentUrl, { headers });
  if (!packumentAnswer.ok)
    throw new Error(`GET ${packumentUrl.href}: HTTP ${packumentAnswer.status}`);
  const what = `the registry's ${pkg.name}@${pkg.version}`;
  const packument = parseJsonObject(await packumentAnswer.text(), what);
  const release = objectField(objectField(packument, 'versions', what), pkg.version, what);
  const tarballUrl = stringField(objectField(release, 'dist', what), 'tarball', what);

  const tarballAnswer = await fetch(tarballUrl, { headers });
  if (!tarballAnswer.ok) throw new Error(`GET ${tarballUrl}: HTTP ${tarballAnswer.status}`);
  const file = join(workDir, `${pkg.name.replace('/', '-')}-${pkg.version}.tgz`);
  await writeFile(file, Buffer.from(await tarballAnswer.arrayBuffer()));
  return file;
}

/** Every file the manifest's `exports` (all conditions, nested) and `bin` point to. */
function packagedPaths(manifest: JsonObject, what: string): string[] {
  const paths: string[] = [];
  const collect = (target: unknown): void => {
    if (typeof target === 'string') paths.push(target);
    else if (isJsonObject(target)) Object.values(target).forEach(collect);
  };
  collect(manifest['exports']);
  const bin = manifest['bin'];
  if (typeof bin === 'string') paths.push(bin);
  else paths.push(...Object.values(stringMap(manifest, 'bin', what)));
  return paths;
}
