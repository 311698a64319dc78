// Bundles the CLI and its dependencies (jose) into one ES module that needs nothing but Node:
// the container image runs it, and `build` ships it as dist/mock-server.mjs.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Writes the bundled server to `outFile` and returns its path. */
export async function bundleServer({ outFile }: { outFile: string }): Promise<string> {
  const { version } = JSON.parse(await readFile(`${packageDir}package.json`, 'utf8')) as {
    version: string;
  };
  await build({
    input: `${packageDir}src/cli.ts`,
    platform: 'node',
    tsconfig: `${packageDir}tsconfig.build.json`,
    // `ropkit-mock-server --version` in a container, which has no package.json to read.
    transform: { define: { ROPKIT_MOCK_SERVER_VERSION: JSON.stringify(version) } },
    logLevel: 'warn',
    output: { file: outFile, format: 'esm', codeSplitting: false, minify: false },
  });
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outFile = process.argv[2] ?? `${packageDir}dist/mock-server.mjs`;
  await bundleServer({ outFile });
  process.stdout.write(`bundled ${outFile}\n`);
}
