import { capture, childEnv } from './steps.ts';

/**
 * `git status` of the paths the rehearsal could touch: the published packages' directories
 * (ignored files included, so a stray tarball counts) and the root manifest, lockfile and
 * changesets. Limited to these paths because other work may change the rest of the tree
 * meanwhile; the rehearsal itself writes only to temporary directories.
 */
export async function workingTreeStatus(
  workspaceRoot: string,
  packageDirs: string[],
): Promise<string> {
  return capture(
    'git',
    [
      'status',
      '--porcelain=v1',
      '--untracked-files=all',
      '--ignored=matching',
      '--',
      ...packageDirs,
      'package.json',
      'pnpm-lock.yaml',
      '.changeset',
    ],
    { cwd: workspaceRoot, env: childEnv({}) },
  );
}
