import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// expectTypeOf in types.test.ts runs inside this package's program, where src/index.ts is always
// loaded. Here each fixture is its own program: the augmentation must come from the import alone.
const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, '..');
const modules = join(packageDir, 'node_modules');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ropkit-fastify-types-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROUTE = `
const app = Fastify();
app.get('/', async (request) => ({
  sub: request.auth?.payload.sub,
  token: await request.accessToken(),
  api: (await request.apiFetch('https://api.example.com/orders')).status,
  who: (await request.identity())?.sub,
  email: (await request.userinfo()).email,
}));
`;

/** Type-checks one file as its own program; resolves to tsc's output and exit code. */
async function typecheck(name: string, source: string): Promise<{ code: number; output: string }> {
  const file = join(dir, `${name}.ts`);
  await writeFile(file, source);
  const config = {
    compilerOptions: {
      module: 'nodenext',
      target: 'es2024',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      customConditions: ['dev-source'],
      types: ['node'],
      typeRoots: [join(modules, '@types')],
      paths: {
        fastify: [join(modules, 'fastify')],
        '@ropkit/fastify': [join(packageDir, 'src/index.ts')],
      },
    },
    files: [file],
  };
  const project = join(dir, `${name}.tsconfig.json`);
  await writeFile(project, JSON.stringify(config));
  try {
    const { stdout } = await run(join(modules, '.bin', 'tsc'), ['-p', project], { cwd: dir });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

/**
 * The compiler's errors in the fixture itself: the workspace's sources it pulls in (through the
 * dev-source condition) are type-checked by their own packages.
 */
function fixtureErrors(name: string, output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(`${name}.ts(`));
}

describe('declaration merging: importing @ropkit/fastify is enough', () => {
  it('types request.auth, accessToken(), apiFetch(), identity() and userinfo() with the import', async () => {
    const result = await typecheck(
      'with-import',
      `import Fastify from 'fastify';\nimport '@ropkit/fastify';\n${ROUTE}`,
    );
    expect(fixtureErrors('with-import', result.output)).toEqual([]);
    // The compiler did read it (no configuration or missing-file error); the test below shows that
    // the filter finds the fixture's errors.
    expect(result.output).not.toMatch(/error TS[56]\d{3}/);
  });

  it('does not know them without it', async () => {
    const result = await typecheck('without-import', `import Fastify from 'fastify';\n${ROUTE}`);
    expect(result.code).not.toBe(0);
    const errors = fixtureErrors('without-import', result.output).join('\n');
    expect(errors).toContain("Property 'auth' does not exist");
    expect(errors).toContain("Property 'accessToken' does not exist");
    expect(errors).toContain("Property 'apiFetch' does not exist");
    expect(errors).toContain("Property 'identity' does not exist");
    expect(errors).toContain("Property 'userinfo' does not exist");
  });
});
