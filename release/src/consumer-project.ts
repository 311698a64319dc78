import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonObject } from './json.ts';
import { capture, childEnv, run, step, type RunOptions } from './steps.ts';

/** The files copied into the consumer project: the script and its strict NodeNext tsconfig. */
const CONSUMER_TEMPLATE = fileURLToPath(new URL('../consumer/', import.meta.url));

/**
 * What a user does after the release, in an empty directory outside the workspace: npm (not
 * pnpm, and no workspace links) installs @ropkit/express and its dependencies from the
 * registry, TypeScript 7 type-checks a script against the published `.d.ts` files, and Node runs
 * it. Then @ropkit/mock-server's CLI must start from its published `bin`.
 */
export async function rehearseConsumer(
  projectDir: string,
  registryUrl: string,
  npmrc: string,
  npmCache: string,
): Promise<void> {
  // The Node the user runs: ROPKIT_CONSUMER_NODE (CI sets the packages' floor, 22.19) or ours.
  const node = process.env['ROPKIT_CONSUMER_NODE'] ?? process.execPath;
  const options: RunOptions = {
    cwd: projectDir,
    env: childEnv({
      npm_config_userconfig: npmrc,
      npm_config_cache: npmCache,
      // tsc's `#!/usr/bin/env node` finds the consumer's Node first.
      PATH: `${dirname(node)}${delimiter}${process.env['PATH'] ?? ''}`,
    }),
  };
  const npm = (...args: string[]): Promise<void> =>
    run('npm', [...args, '--registry', registryUrl, '--no-audit', '--no-fund'], options);

  await step('consumer: npm init, "type": "module"', async () => {
    await run('npm', ['init', '-y'], options);
    const manifestFile = join(projectDir, 'package.json');
    const manifest = parseJsonObject(await readFile(manifestFile, 'utf8'), manifestFile);
    await writeFile(manifestFile, `${JSON.stringify({ ...manifest, type: 'module' }, null, 2)}\n`);
  });

  await step('consumer: npm install @ropkit/express and its peers from the local registry', () =>
    // jose is listed because check.ts imports it to play the issuer, not for @ropkit/express.
    npm(
      'install',
      '@ropkit/express',
      'express',
      'jose',
      'typescript@7',
      '@types/express',
      '@types/node',
    ),
  );

  await step('consumer: tsc type-checks check.ts (strict, NodeNext, noEmit)', async () => {
    await copyFile(join(CONSUMER_TEMPLATE, 'check.ts'), join(projectDir, 'check.ts'));
    await copyFile(join(CONSUMER_TEMPLATE, 'tsconfig.json'), join(projectDir, 'tsconfig.json'));
    await run(join(projectDir, 'node_modules', '.bin', 'tsc'), ['--version'], options);
    await run(join(projectDir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], options);
  });

  await step('consumer: node check.ts (401 without a token, 200 with one)', async () => {
    await run(node, ['--version'], options);
    await run(node, ['check.ts'], options);
  });

  await step(
    'consumer: npm install @ropkit/mock-server; npx ropkit-mock-server --help',
    async () => {
      await npm('install', '@ropkit/mock-server');
      // --no: use the installed bin, never download one; `--` so that --help reaches the CLI.
      process.stdout.write('$ npx --no -- ropkit-mock-server --help\n');
      const help = await capture('npx', ['--no', '--', 'ropkit-mock-server', '--help'], options);
      process.stdout.write(help);
      if (!help.includes('Usage: ropkit-mock-server')) {
        throw new Error('ropkit-mock-server --help did not print its usage');
      }
    },
  );
}
