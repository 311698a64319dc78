/**
 * A JSON Schema (draft 2020-12) checker for the subset of keywords that `toJsonSchema` emits, so
 * the test suite can check configurations against the shipped schema without a dependency. A
 * keyword outside the subset is an error, not ignored: the schema cannot start using one that this
 * checker (and so the agreement test) would silently skip.
 */

type Schema = { readonly [keyword: string]: unknown } | boolean;

/** Keywords that only annotate: they never make an instance invalid. */
const ANNOTATIONS = new Set(['$schema', '$comment', 'title', 'description', 'default', '$defs']);

const ASSERTIONS = new Set([
  '$ref',
  'type',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'pattern',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'uniqueItems',
  'propertyNames',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Schema's type of a JSON value ("integer" for a number without a fraction). */
function typeMatches(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
  }
  throw new Error(`unsupported type "${type}"`);
}

/** Equality as JSON Schema defines it (for `enum` and `uniqueItems`). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return a === b;
}

/**
 * The first place where `value` fails `root`, as `path: reason`, or `undefined` when it is valid.
 * Throws on a keyword outside the subset.
 */
export function firstSchemaError(root: Schema, value: unknown): string | undefined {
  const defs = isObject(root) && isObject(root['$defs']) ? root['$defs'] : {};

  function check(schema: Schema, instance: unknown, path: string): string | undefined {
    if (schema === true) return undefined;
    if (schema === false) return `${path}: not allowed`;
    for (const keyword of Object.keys(schema)) {
      if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) {
        throw new Error(`the schema uses "${keyword}", which this checker does not implement`);
      }
    }
    const ref = schema['$ref'];
    if (ref !== undefined) {
      const match = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref) : null;
      const target = match === null ? undefined : defs[match[1]!];
      if (!isObject(target)) throw new Error(`unresolvable $ref ${JSON.stringify(ref)}`);
      const error = check(target, instance, path);
      if (error !== undefined) return error;
    }
    const type = schema['type'];
    if (type !== undefined) {
      const types = Array.isArray(type) ? (type as string[]) : [type as string];
      if (!types.some((candidate) => typeMatches(instance, candidate))) {
        return `${path}: not of type ${types.join(' or ')}`;
      }
    }
    const choices = schema['enum'];
    if (Array.isArray(choices) && !choices.some((choice) => jsonEqual(choice, instance))) {
      return `${path}: not in enum`;
    }
    if (typeof instance === 'number') {
      const { minimum, maximum } = schema;
      if (typeof minimum === 'number' && instance < minimum) return `${path}: below minimum`;
      if (typeof maximum === 'number' && instance > maximum) return `${path}: above maximum`;
    }
    if (typeof instance === 'string') {
      const { minLength, pattern } = schema;
      // Length in code points, as JSON Schema counts it (not UTF-16 units).
      if (typeof minLength === 'number' && Array.from(instance).length < minLength) {
        return `${path}: shorter than minLength`;
      }
      // JSON Schema patterns are ECMA-262 regular expressions, unanchored, Unicode-aware.
      if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(instance)) {
        return `${path}: does not match pattern`;
      }
    }
    if (Array.isArray(instance)) {
      const items = schema['items'];
      if (items !== undefined) {
        for (const [index, item] of instance.entries()) {
          const error = check(items as Schema, item, `${path}[${index}]`);
          if (error !== undefined) return error;
        }
      }
      if (schema['uniqueItems'] === true) {
        for (let i = 0; i < instance.length; i += 1) {
          for (let j = i + 1; j < instance.length; j += 1) {
            if (jsonEqual(instance[i], instance[j])) return `${path}: items not unique`;
          }
        }
      }
    }
    if (isObject(instance)) {
      const properties = isObject(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
      for (const key of required) {
        if (!Object.hasOwn(instance, key)) return `${path}.${key}: required`;
      }
      const propertyNames = schema['propertyNames'];
      const additional = schema['additionalProperties'];
      for (const [key, item] of Object.entries(instance)) {
        const where = `${path}.${key}`;
        if (propertyNames !== undefined) {
          const error = check(propertyNames as Schema, key, `${where} (name)`);
          if (error !== undefined) return error;
        }
        if (Object.hasOwn(properties, key)) {
          const error = check(properties[key] as Schema, item, where);
          if (error !== undefined) return error;
        } else if (additional !== undefined) {
          const error = check(additional as Schema, item, where);
          if (error !== undefined) return error;
        }
      }
    }
    return undefined;
  }

  return check(root, value, '$');
}
