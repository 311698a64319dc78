// Sums every vitest JSON report (reports/vitest.json in each workspace package) into one line,
// `<N> passed, <M> failed`, so a CI run that executed no test is visible. Exits 1 when a package
// with tests left no report, or any test failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'examples']
  .flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir)).map((name) => join(root, dir, name))
      : [],
  )
  .concat([join(root, 'conformance'), join(root, 'bench')]);

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = 0;
for (const dir of workspaces) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const hasTests = Boolean(JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test);
  const report = join(dir, 'reports', 'vitest.json');
  if (!existsSync(report)) {
    if (hasTests) {
      console.error(`no test report from ${dir}`);
      missing++;
    }
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests ?? 0;
  failed += result.numFailedTests ?? 0;
  skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  if (result.success === false && (result.numFailedTests ?? 0) === 0) failed++; // suite-level error
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || missing > 0 ? 1 : 0);
