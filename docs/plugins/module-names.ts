/**
 * A typedoc plugin that names each entry point's module by the specifier users import it with
 * (`@ropkit/express/conformance`), instead of typedoc's default, its path from the common
 * directory (`packages/express/src/conformance`). The specifier is read from the package's own
 * `exports` map: the subpath whose `dev-source` condition is that source file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Converter, ReflectionKind, type Application, type Context } from 'typedoc';

export function load(app: Application): void {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context: Context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const fileName = context.project.getSymbolIdFromReflection(module)?.fileName;
      const specifier = fileName === undefined ? undefined : importSpecifier(fileName);
      if (specifier === undefined) {
        app.logger.warn(`module-names: no package export found for module ${module.name}`);
      } else {
        module.name = specifier;
      }
    }
  });
}

/** `@scope/name` plus the `exports` subpath whose `dev-source` is `fileName`, if there is one. */
function importSpecifier(fileName: string): string | undefined {
  const packageDir = nearestPackageDir(fileName);
  if (packageDir === undefined) return undefined;
  const manifest: unknown = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  if (!isObject(manifest) || typeof manifest['name'] !== 'string') return undefined;
  const exportsMap = isObject(manifest['exports']) ? manifest['exports'] : {};
  const source = `./${relative(packageDir, fileName).split('\\').join('/')}`;
  for (const [subpath, target] of Object.entries(exportsMap)) {
    if (isObject(target) && target['dev-source'] === source) {
      return subpath === '.' ? manifest['name'] : `${manifest['name']}${subpath.slice(1)}`;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nearestPackageDir(fileName: string): string | undefined {
  for (let dir = dirname(fileName); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}
