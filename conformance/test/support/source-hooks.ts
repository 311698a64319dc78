/**
 * Lets `node --conditions=dev-source --import ./test/support/source-hooks.ts src/cli.ts` run the
 * CLI from source, as the built CLI runs from dist/, without a build (Node strips the types):
 *
 * - a relative `./x.js` imported from a `.ts` file resolves to `./x.ts` when there is no `x.js`;
 * - the packages named in `ROPKIT_TEST_HIDDEN_PACKAGES` (comma-separated) are not found, with
 *   Node's own error, as if they were not installed.
 */
import { registerHooks } from 'node:module';

const hidden = new Set(
  (process.env['ROPKIT_TEST_HIDDEN_PACKAGES'] ?? '').split(',').filter((name) => name !== ''),
);

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (hidden.has(packageNameOf(specifier))) {
      // Resolved from a directory with no node_modules: Node throws its ERR_MODULE_NOT_FOUND.
      return nextResolve(specifier, {
        ...context,
        parentURL: 'file:///ropkit-hidden-packages/importer.js',
      });
    }
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (!relative || !specifier.endsWith('.js') || context.parentURL?.endsWith('.ts') !== true)
        throw error;
      try {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      } catch {
        throw error;
      }
    }
  },
});
