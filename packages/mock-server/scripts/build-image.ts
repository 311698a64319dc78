// Builds the mock server image from the built package (run `pnpm run build` first):
//   node scripts/build-image.ts [--base auto|scratch|node] [--name ropkit/mock-server:local]
// and prints which base was used, and why.
import { parseArgs } from 'node:util';
import { buildMockServerImage, type ImageBase } from '../dist/testcontainers.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: 'auto' },
    name: { type: 'string' },
  },
});
const base = values.base;
if (base !== 'auto' && base !== 'scratch' && base !== 'node') {
  process.stderr.write('--base must be auto, scratch or node\n');
  process.exit(2);
}
// The reaper (Ryuk) is for test sessions; a one-off build needs none, and it may not be pullable.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
const built = await buildMockServerImage({
  base: base as ImageBase | 'auto',
  ...(values.name === undefined ? {} : { imageName: values.name }),
});
process.stdout.write(`built ${built.imageName} on base "${built.base}": ${built.reason}\n`);
