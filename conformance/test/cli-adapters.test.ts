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
    '%s: its @ropkit package and every peer that package declares',
    async (adapter, packages) => {
      const [own, ...peers] = packages;
      expect(own).toBe(`@ropkit/${adapter}`);
      const manifest = await manifestOf(own!);
      expect(manifest.exports).toHaveProperty('./conformance');
      // Optional peers too: the conformance entry imports the session, router and body plugins.
      expect(peers.toSorted()).toEqual(Object.keys(manifest.peerDependencies ?? {}).toSorted());
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
