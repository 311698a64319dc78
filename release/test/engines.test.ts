import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEngines, lowestNode } from '../src/engines.ts';

describe('lowestNode', () => {
  it.each([
    ['>=22.19.0', [22, 19, 0]],
    ['>=22.19', [22, 19, 0]],
    ['^20.10.0 || >=22', [20, 10, 0]],
    ['22.x', [22, 0, 0]],
    ['>=18 <24', [18, 0, 0]],
    ['*', [0, 0, 0]],
  ])('%s starts at %j', (range, version) => {
    expect(lowestNode(range)).toEqual(version);
  });

  it.each(['<24', 'latest', '>=banana'])('does not pretend to understand %s', (range) => {
    expect(lowestNode(range)).toBeUndefined();
  });
});

/** A package with one dependency, each with its engines.node. */
async function workspace(own: string, dependency: string) {
  const root = await mkdtemp(join(tmpdir(), 'engines-'));
  const dir = join(root, 'pkg');
  await mkdir(join(dir, 'node_modules', 'dep'), { recursive: true });
  const manifest = { name: '@ropkit/x', engines: { node: own }, dependencies: { dep: '^1.0.0' } };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  await writeFile(
    join(dir, 'node_modules', 'dep', 'package.json'),
    JSON.stringify({ name: 'dep', version: '1.2.3', engines: { node: dependency } }),
  );
  return { name: '@ropkit/x', version: '0.0.0', dir, dependsOn: [] };
}

describe('checkEngines', () => {
  it('refuses a package that claims less than a dependency needs, naming it', async () => {
    await expect(checkEngines(await workspace('>=22.12', '>=22.19.0'))).rejects.toThrow(
      '@ropkit/x claims Node >=22.12 (from 22.12.0), lower than its dependencies allow: dep@1.2.3 needs Node >=22.19.0',
    );
  });

  it('passes a package whose floor is at least every dependency floor', async () => {
    expect(await checkEngines(await workspace('>=22.19', '>=22.19.0'))).toContain('dep@1.2.3');
  });
});
