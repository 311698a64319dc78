/**
 * `pnpm --filter @ropkit/release-rehearsal run rehearse`: the release, for real but locally.
 * Publishes every publishable @ropkit/* package (already built: `pnpm build` runs first) to a
 * verdaccio on 127.0.0.1, then installs @ropkit/express from it with npm in a fresh project
 * outside the workspace, type-checks and runs a script that protects a route, and runs the
 * mock server's CLI. Prints each step; exits 1 at the first failure. Verdaccio is stopped and
 * the temporary directories removed in every case. The working tree is left as it was.
 *
 * Versions: the packages' current ones (0.0.0). `changeset version` would only change the
 * numbers; what can break on the way to users (the `files` list, `exports`, the `bin`, the
 * `workspace:` and `catalog:` rewrites, the published types) is the same at any version.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rehearseConsumer } from './consumer-project.ts';
import { checkEngines } from './engines.ts';
import { publishPackage, verifyPublishedManifest } from './publish.ts';
import { capture, childEnv, step } from './steps.ts';
import { ensureVerdaccio, startVerdaccio, type LocalRegistry } from './verdaccio.ts';
import { workingTreeStatus } from './working-tree.ts';
import { publishablePackages } from './workspace-packages.ts';

const workspaceRoot = fileURLToPath(new URL('../../', import.meta.url));

let registry: LocalRegistry | undefined;
let tempRoot: string | undefined;

async function cleanUp(): Promise<void> {
  const running = registry;
  registry = undefined;
  if (running !== undefined) {
    await running.stop();
    process.stdout.write('verdaccio stopped\n');
  }
  const dir = tempRoot;
  tempRoot = undefined;
  if (dir !== undefined) {
    await rm(dir, { recursive: true, force: true });
    process.stdout.write(`removed ${dir}\n`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function rehearse(): Promise<void> {
  const packages = await step(
    'list the publishable @ropkit/* packages in dependency order',
    async () => {
      const found = await publishablePackages(workspaceRoot);
      for (const pkg of found) {
        process.stdout.write(`${pkg.name}@${pkg.version}  ${relative(workspaceRoot, pkg.dir)}\n`);
      }
      return found;
    },
  );
  await step('each package claims no Node version its run-time dependencies refuse', async () => {
    for (const pkg of packages) process.stdout.write(`${await checkEngines(pkg)}\n`);
  });
  const packageDirs = packages.map((pkg) => relative(workspaceRoot, pkg.dir));
  const statusBefore = await workingTreeStatus(workspaceRoot, packageDirs);

  tempRoot = await mkdtemp(join(tmpdir(), 'ropkit-rehearsal-'));
  if (!relative(workspaceRoot, tempRoot).startsWith(`..${sep}`)) {
    throw new Error(`the temporary directory ${tempRoot} is inside the workspace`);
  }
  const registryDir = join(tempRoot, 'registry');
  const projectDir = join(tempRoot, 'consumer');
  const tarballDir = join(tempRoot, 'tarballs');
  await Promise.all([registryDir, projectDir, tarballDir].map((dir) => mkdir(dir)));

  const version = await step('install verdaccio 6 (once, with npm)', ensureVerdaccio);
  const upstream = (
    await capture('npm', ['config', 'get', 'registry'], { cwd: tempRoot, env: childEnv({}) })
  ).trim();
  const local = await step(
    `start verdaccio ${version} on 127.0.0.1 (uplink ${upstream})`,
    async () => {
      registry = await startVerdaccio(registryDir, upstream);
      process.stdout.write(`verdaccio at ${registry.url}, user registered (token not shown)\n`);
      return registry;
    },
  );

  // npm and pnpm get user configs of our own, so ~/.npmrc is neither read nor changed. Only the
  // publisher's holds the token: the consumer installs anonymously, as users do.
  const publisherNpmrc = join(tempRoot, 'publisher.npmrc');
  const consumerNpmrc = join(tempRoot, 'consumer.npmrc');
  const host = local.url.replace(/^http:/, '');
  await writeFile(publisherNpmrc, `${host}:_authToken=${local.token}\n`, { mode: 0o600 });
  await writeFile(consumerNpmrc, '');

  const versions = new Map(packages.map((pkg) => [pkg.name, pkg.version]));
  for (const pkg of packages) {
    await step(`publish ${pkg.name}@${pkg.version} with pnpm`, () =>
      publishPackage(pkg, local, publisherNpmrc),
    );
    await step(
      `check ${pkg.name}'s published package.json (no workspace: or catalog:)`,
      async () => {
        process.stdout.write(
          `${await verifyPublishedManifest(pkg, local, tarballDir, versions)}\n`,
        );
      },
    );
  }

  await rehearseConsumer(projectDir, local.url, consumerNpmrc, join(tempRoot, 'npm-cache'));

  await step('the working tree is as it was (git status)', async () => {
    const statusAfter = await workingTreeStatus(workspaceRoot, packageDirs);
    if (statusAfter !== statusBefore) {
      throw new Error(`git status changed.\nbefore:\n${statusBefore}\nafter:\n${statusAfter}`);
    }
  });
}

try {
  await rehearse();
  process.stdout.write('\n::: release rehearsal passed\n');
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(
    `\n::: release rehearsal FAILED: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  const logFile = registry?.logFile;
  if (logFile !== undefined) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    process.stderr.write(
      `--- verdaccio log (last 40 lines) ---\n${log.split('\n').slice(-40).join('\n')}\n`,
    );
  }
} finally {
  await cleanUp();
}
