import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
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
    throw explainLoadFailure(specifier, error, cwd);
  }
}

function explainLoadFailure(specifier: string, error: unknown, cwd: string): Error {
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
  return new CliError(`--adapter ${specifier}: ${messageOf(error)}`);
}
