import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings for every workspace package.
 *
 * - `dev-source` makes workspace packages resolve to their `src/` (see each package's `exports`),
 *   so tests never need a build step.
 * - Each run also writes a JSON report to `reports/vitest.json`; `.ci/run` sums those into the
 *   closing `N passed, M failed` line.
 */
export function sharedConfig(options: { testTimeout?: number; hookTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions: ['dev-source'] },
    ssr: { resolve: { conditions: ['dev-source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 15_000,
      hookTimeout: options.hookTimeout ?? 30_000,
      reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
    },
  });
}
