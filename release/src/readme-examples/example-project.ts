import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeExample } from './markdown-examples.ts';
import { capture, childEnv } from '../steps.ts';
import { runToEnd } from './example-run.ts';

/**
 * The tools a TypeScript user has besides what a README installs: the compiler and Node's types.
 * A README's own install line may name other versions; then its versions are used.
 */
const TOOLS = ['typescript@7', '@types/node@24'];

/**
 * The compiler settings examples must pass: strict, with the checks a careful team turns on, and
 * without the DOM library (a Node program has no `window`; the global `fetch` types come from
 * `@types/node`).
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'es2024',
    lib: ['es2024', 'esnext.disposable'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['*.ts'],
};

/** A fresh project for one README: what its install lines name, and its examples as files. */
export interface ExampleProject {
  dir: string;
  /** The file each example was written to, by example. */
  files: Map<CodeExample, string>;
}

/**
 * Creates `dir` as a new project outside the workspace, installs `packages` with pnpm (which,
 * unlike npm, refuses imports of packages that were not installed), each `@ropkit/*` package
 * from its packed tarball, and writes each example to its own file with the placeholders
 * replaced.
 */
export async function createExampleProject(
  dir: string,
  packages: string[],
  examples: CodeExample[],
  tarballs: Map<string, string>,
  replacements: Array<[string, string]>,
): Promise<ExampleProject> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'readme-example', private: true, type: 'module' }, null, 2)}\n`,
  );
  // Every @ropkit/* package resolves to its tarball, also as another package's dependency.
  const overrides = [...tarballs].map(([name, file]) => `  "${name}": "file:${file}"`);
  // Install scripts of dependencies are not run (pnpm's default), and their being skipped is not
  // an error: what a README installs must work without them (testcontainers' are optional).
  await writeFile(
    join(dir, 'pnpm-workspace.yaml'),
    `strictDepBuilds: false\noverrides:\n${overrides.join('\n')}\n`,
  );
  await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);

  const wanted = packages.map((name) => tarballs.get(name) ?? name);
  const named = new Set(packages.map(packageName));
  const tools = TOOLS.filter((tool) => !named.has(packageName(tool)));
  await capture('pnpm', ['add', ...wanted], { cwd: dir, env: childEnv({}) });
  await capture('pnpm', ['add', '--save-dev', ...tools], { cwd: dir, env: childEnv({}) });

  const files = new Map<CodeExample, string>();
  for (const example of examples) {
    const suffix = example.settings.mode === 'vitest' ? '.test.ts' : '.ts';
    const file = `example-line-${example.line}${suffix}`;
    let code = example.code;
    for (const [placeholder, value] of replacements) code = code.replaceAll(placeholder, value);
    await writeFile(join(dir, file), code);
    files.set(example, file);
  }
  return { dir, files };
}

/** `name` of `name@range` (scoped names keep their first `@`). */
function packageName(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at === -1 ? spec : spec.slice(0, at);
}

/**
 * Type-checks every example of the project at once; returns the compiler's messages per file
 * (empty when all pass).
 */
export async function typeCheck(project: ExampleProject): Promise<Map<string, string[]>> {
  const tsc = join(project.dir, 'node_modules', '.bin', 'tsc');
  const result = await runToEnd(tsc, ['-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: project.dir,
    env: childEnv({}),
    timeoutMs: 120_000,
  });
  const errors = new Map<string, string[]>();
  if (result.code === 0) return errors;
  for (const line of result.output.split('\n')) {
    if (!/error TS\d+/.test(line)) continue;
    const file = /^(example-line-\d+(?:\.test)?\.ts)\(/.exec(line)?.[1] ?? '(project)';
    errors.set(file, [...(errors.get(file) ?? []), line]);
  }
  if (errors.size === 0) errors.set('(project)', [result.output.trim() || 'tsc failed']);
  return errors;
}
