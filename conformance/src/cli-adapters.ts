import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AdapterDefinitionError } from './adapter-definition.js';
import { loadAdapter } from './load-adapter.js';
import type { AdapterUnderTest } from './scenario.js';

/**
 * What `--adapter <name>` needs installed next to `@ropkit/conformance`, for each built-in
 * adapter: every package the kit's test app of that adapter (`src/adapters/<name>.ts`) imports:
 * the adapter, its framework and the framework's session, router and body plugins.
 */
export const BUILT_IN_ADAPTER_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  express: ['@ropkit/express', 'express', 'express-session'],
  koa: ['@ropkit/koa', 'koa', 'koa-session', '@koa/router', '@koa/bodyparser'],
  fastify: [
    '@ropkit/fastify',
    'fastify',
    '@fastify/cookie',
    '@fastify/session',
    '@fastify/formbody',
  ],
};

/** The install command for a built-in adapter's packages. */
export function installCommand(packages: readonly string[]): string {
  return `npm install --save-dev ${packages.join(' ')}`;
}

/** An error the CLI reports as one message, without a stack, with its exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** True for `./x.js`, `../x.js`, `/abs/x.js` (and `C:\x.js`): a file, not a package name. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier);
}

function codeOf(error: unknown): string | undefined {
  const code: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The package Node could not find, from its `Cannot find package 'name' imported from` error. */
export function missingPackageOf(error: unknown): string | undefined {
  if (codeOf(error) !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find package '([^']+)'/.exec(messageOf(error))?.[1];
}

/** The package name of a bare specifier: `@scope/name/sub` gives `@scope/name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

function isFile(path: string): boolean | undefined {
  try {
    return statSync(path).isFile();
  } catch {
    return undefined;
  }
}

/**
 * Loads `--adapter <specifier>` as {@link loadAdapter} does, relative paths from `cwd`, and
 * turns the ways it fails into one clear message: the packages to install for a built-in
 * adapter, the missing file, or a name that is neither a built-in nor an installed package.
 *
 * @throws {CliError} when the adapter cannot be loaded.
 */
export async function loadCliAdapter(specifier: string, cwd: string): Promise<AdapterUnderTest> {
  const builtIn = BUILT_IN_ADAPTER_PACKAGES[specifier];
  const isPath = builtIn === undefined && isPathSpecifier(specifier);
  const file = isPath ? resolve(cwd, specifier) : undefined;
  if (file !== undefined) {
    const kind = isFile(file);
    if (kind === undefined) throw new CliError(`--adapter ${specifier}: no such file (${file})`);
    if (!kind)
      throw new CliError(`--adapter ${specifier}: ${file} is a directory; give the module file`);
  }
  try {
    return await loadAdapter(file ?? specifier);
  } catch (error) {
    throw await explainLoadFailure(specifier, error, cwd, file);
  }
}

/** `file:///x/y.js:3:7` or `/x/y.ts:3` as `/x/y.js:3`; `undefined` for anything else. */
function fileLineOf(text: string): string | undefined {
  const match = /((?:file:\/\/)?\/[^\s:()]+|[A-Za-z]:\\[^\s:()]+):(\d+)(?::\d+)?/.exec(text);
  if (match === null) return undefined;
  const [, where = '', line = ''] = match;
  const path = where.startsWith('file:') ? fileURLToPath(where) : where;
  return `${path}:${line}`;
}

/** Where in the module (or a module it imports) loading failed, from the error's stack. */
function locationInStack(error: unknown): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n')) {
    if (/node:internal|\/conformance\/(src|dist)\/(load-adapter|cli-adapters)\./.test(line))
      continue;
    const found = fileLineOf(line);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Where a syntax error is: Node keeps it out of the error it throws at import() and only prints
 * it for an uncaught one, so the module is imported again in a child process (parsing fails
 * before any module code runs) and the place read from what it prints.
 */
function locateSyntaxError(
  file: string | undefined,
  specifier: string,
): Promise<string | undefined> {
  const target = file === undefined ? specifier : pathToFileURL(file).href;
  return new Promise((done) => {
    execFile(
      process.execPath,
      [
        ...process.execArgv,
        '--input-type=module',
        '--eval',
        'await import(process.argv[1]);',
        target,
      ],
      { timeout: 10_000 },
      (_error, _stdout, stderr) => {
        const first = stderr.split('\n').find((line) => line.trim() !== '');
        done(first === undefined ? undefined : fileLineOf(first));
      },
    );
  });
}

async function explainLoadFailure(
  specifier: string,
  error: unknown,
  cwd: string,
  file: string | undefined,
): Promise<Error> {
  if (error instanceof AdapterDefinitionError)
    return new CliError(`--adapter ${specifier}: ${error.message}`);
  const builtIn = BUILT_IN_ADAPTER_PACKAGES[specifier];
  const missing = missingPackageOf(error);
  if (builtIn !== undefined) {
    if (missing !== undefined || codeOf(error) === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      const what =
        missing === undefined
          ? `the installed ${builtIn[0]} does not fit this kit (too old?)`
          : `${missing} is not installed`;
      return new CliError(
        `--adapter ${specifier} needs ${builtIn.join(', ')}; ${what}. Install them with:\n  ${installCommand(builtIn)}`,
      );
    }
    return new CliError(`--adapter ${specifier}: ${messageOf(error)}`);
  }
  if (!isPathSpecifier(specifier) && missing === packageNameOf(specifier)) {
    const builtIns = Object.keys(BUILT_IN_ADAPTER_PACKAGES).join(', ');
    const hint =
      isFile(resolve(cwd, specifier)) === true
        ? `; to load the file, write ./${specifier}`
        : `; give ${builtIns}, a file path (./my-adapter.js), or an installed package`;
    return new CliError(`--adapter ${specifier}: no package "${missing}" is installed${hint}`);
  }
  if (missing !== undefined) return new CliError(`--adapter ${specifier}: ${messageOf(error)}`);
  // A syntax error or a throw while the module loads: say what and where.
  const kind = error instanceof Error ? `${error.name}: ` : '';
  const where =
    locationInStack(error) ??
    (error instanceof SyntaxError ? await locateSyntaxError(file, specifier) : undefined);
  const message = messageOf(error).split('\n')[0] ?? '';
  return new CliError(
    `--adapter ${specifier}: ${kind}${message}${where === undefined ? '' : ` (at ${where})`}`,
  );
}
