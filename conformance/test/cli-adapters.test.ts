import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ADAPTER_PACKAGES, installCommand, loadCliAdapter } from '../src/cli-adapters.js';
import { CONFORMANCE_DIR } from './support/cli-process.js';

const require = createRequire(import.meta.url);

interface Manifest {
  name: string;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

async function manifestOf(name: string): Promise<Manifest> {
  return JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')) as Manifest;
}

describe('what each built-in adapter needs installed', () => {
  it.each(Object.entries(BUILT_IN_ADAPTER_PACKAGES))(
    '%s: every package its test app imports, each an optional peer of the kit',
    async (adapter, packages) => {
      expect(packages[0]).toBe(`@ropkit/${adapter}`);
      const source = await readFile(`${CONFORMANCE_DIR}/src/adapters/${adapter}.ts`, 'utf8');
      const imported = [...source.matchAll(/^(?:import|\}) .*?from '([^.'][^']*)';$/gm)]
        .map((match) => match[1] ?? '')
        .filter((specifier) => !specifier.startsWith('node:'));
      expect(packages.toSorted()).toEqual([...new Set(imported)].toSorted());
      const kit = await manifestOf('@ropkit/conformance');
      for (const name of packages) expect(kit.peerDependencies).toHaveProperty(name);
    },
  );

  it.each(Object.keys(BUILT_IN_ADAPTER_PACKAGES))('%s loads by that name', async (adapter) => {
    const loaded = await loadCliAdapter(adapter, CONFORMANCE_DIR);
    expect(loaded.name).toBe(adapter);
  });

  it('the README says exactly that, per adapter, and testcontainers apart', async () => {
    const readme = await readFile(`${CONFORMANCE_DIR}/README.md`, 'utf8');
    for (const packages of Object.values(BUILT_IN_ADAPTER_PACKAGES)) {
      expect(readme).toContain(installCommand(['@ropkit/conformance', ...packages]));
    }
    expect(readme).toContain(installCommand(['testcontainers']));
    expect(readme).not.toContain('npm install --save-dev @ropkit/conformance testcontainers');
  });
});
