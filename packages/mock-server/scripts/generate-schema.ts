// Writes schema/tenant.schema.json from the option descriptions (src/tenant-options.ts), through
// the built package: `pnpm run generate:schema` compiles first. With --check, writes nothing and
// exits 1 when the committed file differs (test/tenant-schema.test.ts checks the same).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TENANT_SCHEMA_FILE, tenantJsonSchema } from '../dist/tenant-schema.js';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const file = fileURLToPath(new URL(`../${TENANT_SCHEMA_FILE}`, import.meta.url));

/** The repository's prettier style when prettier is installed (it is, in the monorepo). */
async function format(text: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text;
  }
}

const generated = await format(`${JSON.stringify(tenantJsonSchema(), null, 2)}\n`);
if (values.check) {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write(`${TENANT_SCHEMA_FILE} is out of date: run pnpm run generate:schema\n`);
    process.exit(1);
  }
  process.stdout.write(`${TENANT_SCHEMA_FILE} is up to date\n`);
} else {
  await writeFile(file, generated);
  process.stdout.write(`wrote ${TENANT_SCHEMA_FILE}\n`);
}
