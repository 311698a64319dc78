/**
 * A declarative description of configuration options, read two ways: {@link checkOption} validates
 * untyped input against it (a config file, an environment variable, the control API), and
 * {@link toJsonSchema} turns it into a JSON Schema (draft 2020-12) for editors. Both read the same
 * description, so the schema cannot drift from the validation. Checks that a schema cannot express
 * (cross-references between sections, a canonical issuer URL) stay in `validate-config.ts`.
 *
 * Every failure is a `TypeError` naming the option's path; a message never contains an option's
 * value, so a secret cannot leak through it. Only names are quoted: a claim name, a duplicated
 * scope.
 */

import { childPath, isJsonObject, type JsonObject } from './option-reader.js';

/** What every option has: a description for the schema (editors show it on hover). */
interface Documented {
  readonly description: string;
}

/** A pattern (ECMAScript syntax, as JSON Schema's `pattern`) and what to say when it fails. */
export interface PatternRule {
  readonly source: string;
  /** Completes `"<path>" …`, e.g. `must not contain whitespace`. */
  readonly message: string;
}

/** A non-empty string. */
export interface StringOption extends Documented {
  readonly type: 'string';
  readonly pattern?: PatternRule;
  readonly default?: string;
}

/** `true` or `false`. */
export interface BooleanOption extends Documented {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** An integer within `[minimum, maximum]`; with `nullable`, also `null`. */
export interface IntegerOption extends Documented {
  readonly type: 'integer';
  readonly minimum: number;
  readonly maximum: number;
  /** For the message, e.g. `seconds`. */
  readonly unit?: string;
  readonly nullable?: boolean;
  readonly default?: number | null;
}

/** One of a fixed set of strings. */
export interface EnumOption extends Documented {
  readonly type: 'enum';
  readonly values: readonly string[];
  /** For the message: `"<path>" is not <label>; expected one of: …` instead of `must be one of`. */
  readonly label?: string;
  readonly default?: string;
}

/** An array. */
export interface ArrayOption extends Documented {
  readonly type: 'array';
  readonly items: OptionSpec;
  /** Items (strings) must be unique; names what they are for the message, e.g. `scope`. */
  readonly uniqueItems?: string;
  readonly default?: readonly unknown[];
}

/** An object with known properties; any other property is an error (a typo must not be ignored). */
export interface ObjectOption extends Documented {
  readonly type: 'object';
  /** The TypeScript type it stands for; the schema puts it under `$defs` by this name. */
  readonly title?: string;
  readonly properties: Readonly<Record<string, OptionSpec>>;
  readonly required?: readonly string[];
}

/** An object used as a map: any keys (optionally matching a pattern), values of one kind. */
export interface MapOption extends Documented {
  readonly type: 'map';
  readonly keys?: PatternRule & { readonly what: string };
  readonly values: OptionSpec;
}

/** Any JSON value (a claim's value). */
export interface AnyOption extends Documented {
  readonly type: 'any';
}

/** One option. */
export type OptionSpec =
  | StringOption
  | BooleanOption
  | IntegerOption
  | EnumOption
  | ArrayOption
  | ObjectOption
  | MapOption
  | AnyOption;

/** What a value must be, to complete `"<path>" must be …`. */
function expectation(spec: OptionSpec): string {
  switch (spec.type) {
    case 'string':
      return 'a non-empty string';
    case 'boolean':
      return 'a boolean';
    case 'integer': {
      const unit = spec.unit === undefined ? '' : ` ${spec.unit}`;
      const orNull = spec.nullable === true ? ' (or null)' : '';
      return `an integer from ${spec.minimum} to ${spec.maximum}${unit}${orNull}`;
    }
    case 'enum':
      return `one of: ${spec.values.join(', ')}`;
    case 'array':
      return spec.items.type === 'string' ? 'an array of strings' : 'an array';
    case 'object':
    case 'map':
      return 'an object';
  }
  // Every type but `any` returns inside the switch.
  return 'a JSON value';
}

function fail(path: string, what: string): never {
  throw new TypeError(`"${path === '' ? 'config' : path}" ${what}`);
}

function checkObject(
  spec: ObjectOption,
  value: unknown,
  path: string,
): asserts value is JsonObject {
  if (!isJsonObject(value)) fail(path, `must be ${expectation(spec)}`);
  const allowed = Object.keys(spec.properties);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `Unknown option "${childPath(path, key)}"; expected one of: ${allowed.join(', ')}`,
      );
    }
  }
  for (const [key, property] of Object.entries(spec.properties)) {
    const where = childPath(path, key);
    if (value[key] === undefined) {
      if (spec.required?.includes(key) === true) {
        fail(where, `is required: ${expectation(property)}`);
      }
      continue;
    }
    checkOption(property, value[key], where);
  }
}

/**
 * Throws a `TypeError` naming the first part of `value` that does not fit `spec` (its path starts
 * at `path`, `''` for the top level).
 */
export function checkOption(spec: OptionSpec, value: unknown, path: string): void {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string' || value === '') fail(path, `must be ${expectation(spec)}`);
      if (spec.pattern !== undefined && !new RegExp(spec.pattern.source, 'u').test(value)) {
        fail(path, spec.pattern.message);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(path, `must be ${expectation(spec)}`);
      return;
    case 'integer':
      if (value === null && spec.nullable === true) return;
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < spec.minimum ||
        value > spec.maximum
      ) {
        fail(path, `must be ${expectation(spec)}`);
      }
      return;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        fail(
          path,
          spec.label === undefined
            ? `must be ${expectation(spec)}`
            : `is not ${spec.label}; expected ${expectation(spec)}`,
        );
      }
      return;
    case 'array': {
      if (!Array.isArray(value)) fail(path, `must be ${expectation(spec)}`);
      value.forEach((item: unknown, index) => {
        checkOption(spec.items, item, childPath(path, index));
      });
      if (spec.uniqueItems !== undefined) {
        const seen = new Set<unknown>();
        for (const item of value) {
          // Unique items are names (scopes), never secrets: quoting one is safe.
          if (seen.has(item))
            fail(path, `has two entries with ${spec.uniqueItems} "${String(item)}"`);
          seen.add(item);
        }
      }
      return;
    }
    case 'object':
      checkObject(spec, value, path);
      return;
    case 'map':
      if (!isJsonObject(value)) fail(path, `must be ${expectation(spec)}`);
      for (const [key, item] of Object.entries(value)) {
        if (spec.keys !== undefined && !new RegExp(spec.keys.source, 'u').test(key)) {
          fail(path, `has ${spec.keys.what} "${key}", which ${spec.keys.message}`);
        }
        checkOption(spec.values, item, childPath(path, key));
      }
      return;
    case 'any':
      return;
  }
}

/** The keys of an object option's properties that have a static default. */
type DefaultedKeys<S extends ObjectOption> = {
  [K in keyof S['properties']]: S['properties'][K] extends { readonly default: unknown }
    ? K
    : never;
}[keyof S['properties']];

/**
 * `T` (a configuration interface) with the options that have a static default in `S` made
 * required: what {@link readObject} returns.
 */
export type WithDefaults<T, S extends ObjectOption> = T &
  Required<Pick<T, DefaultedKeys<S> & keyof T>>;

/**
 * Checks `value` against `spec` (deeply) and returns a shallow copy with every static default of
 * the top level filled in. `T` is the configuration interface `spec` describes; the test suite
 * checks that the two have the same keys.
 */
export function readObject<T, S extends ObjectOption>(
  spec: S,
  value: unknown,
  path: string,
): WithDefaults<T, S> {
  checkObject(spec, value, path);
  const result: JsonObject = { ...value };
  for (const [key, property] of Object.entries(spec.properties)) {
    if (result[key] === undefined && 'default' in property && property.default !== undefined) {
      result[key] = structuredClone(property.default);
    }
  }
  // The one place where checked JSON becomes typed: `result` was checked against `spec` just
  // above, and test/tenant-schema.test.ts keeps `spec` and `T` in step, key for key.
  // oxlint-disable-next-line typescript/no-unsafe-type-assertion
  return result as WithDefaults<T, S>;
}

/** A JSON Schema (the subset {@link toJsonSchema} emits). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The JSON Schema dialect {@link toJsonSchema} emits. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

function annotations(spec: OptionSpec): JsonSchema {
  const result: Record<string, unknown> = { description: spec.description };
  if ('default' in spec && spec.default !== undefined) result['default'] = spec.default;
  return result;
}

function schemaOf(spec: OptionSpec, defs: Map<string, JsonSchema>): JsonSchema {
  switch (spec.type) {
    case 'string':
      return {
        type: 'string',
        minLength: 1,
        ...(spec.pattern === undefined ? {} : { pattern: spec.pattern.source }),
        ...annotations(spec),
      };
    case 'boolean':
      return { type: 'boolean', ...annotations(spec) };
    case 'integer':
      return {
        type: spec.nullable === true ? ['integer', 'null'] : 'integer',
        minimum: spec.minimum,
        maximum: spec.maximum,
        ...annotations(spec),
      };
    case 'enum':
      return { type: 'string', enum: [...spec.values], ...annotations(spec) };
    case 'array':
      return {
        type: 'array',
        items: schemaOf(spec.items, defs),
        ...(spec.uniqueItems === undefined ? {} : { uniqueItems: true }),
        ...annotations(spec),
      };
    case 'object': {
      const body: JsonSchema = {
        type: 'object',
        properties: Object.fromEntries(
          Object.entries(spec.properties).map(([key, property]) => [key, schemaOf(property, defs)]),
        ),
        ...(spec.required === undefined || spec.required.length === 0
          ? {}
          : { required: [...spec.required] }),
        additionalProperties: false,
      };
      if (spec.title === undefined) return { ...body, ...annotations(spec) };
      // Named types go under $defs once; each use refers to them with its own description.
      defs.set(spec.title, { title: spec.title, ...body });
      return { $ref: `#/$defs/${spec.title}`, ...annotations(spec) };
    }
    case 'map':
      return {
        type: 'object',
        ...(spec.keys === undefined ? {} : { propertyNames: { pattern: spec.keys.source } }),
        additionalProperties: schemaOf(spec.values, defs),
        ...annotations(spec),
      };
  }
  // Every type but `any` returns inside the switch: any value, so no `type`.
  return annotations(spec);
}

/** The JSON Schema (draft 2020-12) for values that {@link checkOption} accepts as `spec`. */
export function toJsonSchema(spec: ObjectOption): JsonSchema {
  const defs = new Map<string, JsonSchema>();
  // The root is written in place, not as a $ref to itself.
  const root = schemaOf({ ...spec, title: undefined }, defs);
  return {
    $schema: JSON_SCHEMA_DIALECT,
    ...(spec.title === undefined ? {} : { title: spec.title }),
    ...root,
    ...(defs.size === 0
      ? {}
      : { $defs: Object.fromEntries([...defs].toSorted(([a], [b]) => a.localeCompare(b))) }),
  };
}
