import { toJsonSchema, type JsonSchema } from './option-spec.js';
import { SERVER_OPTIONS } from './tenant-options.js';

/** Where the package ships the schema, and what its `exports` map calls it. */
export const TENANT_SCHEMA_FILE = 'schema/tenant.schema.json';

/**
 * The JSON Schema of a configuration file (`ropkit-mock-server --config FILE`, a
 * {@link MockServerConfig}), generated from the option descriptions that the validation uses.
 * `scripts/generate-schema.ts` writes it to {@link TENANT_SCHEMA_FILE}; a test checks that the
 * committed file is what this returns.
 */
export function tenantJsonSchema(): JsonSchema {
  const { $schema, ...schema } = toJsonSchema(SERVER_OPTIONS);
  return {
    $schema,
    $comment:
      'Generated from src/tenant-options.ts by scripts/generate-schema.ts (pnpm --filter @ropkit/mock-server run generate:schema); do not edit.',
    ...schema,
  };
}
