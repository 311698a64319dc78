/**
 * Small readers for objects that arrive as untyped JSON through the control API (faults, key
 * rotation options). The tenant configuration is read through its option descriptions instead
 * (`option-spec.ts`, `tenant-options.ts`). Every failure is a `TypeError` naming the option's path;
 * a message never contains the option's value, so a secret cannot leak through it.
 */

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain (non-array) object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is one of `choices`. */
export function isOneOf<T extends string | number>(
  value: unknown,
  choices: readonly T[],
): value is T {
  return (choices as readonly unknown[]).includes(value);
}

/** Throws unless `value` is a plain object; returns it typed. */
export function expectObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) throw new TypeError(`"${path}" must be an object`);
  return value;
}

/** Throws on the first key of `object` not in `allowed`: a misspelt option must not be ignored. */
export function rejectUnknownKeys(
  object: JsonObject,
  allowed: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      const where = path === '' ? key : `${path}.${key}`;
      throw new TypeError(`Unknown option "${where}"; expected one of: ${allowed.join(', ')}`);
    }
  }
}

/** Joins a parent path and a key. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A required non-empty string. */
export function requireString(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`"${childPath(path, key)}" must be a non-empty string`);
  }
  return value;
}

/** An optional boolean with a default. */
export function optionalBoolean(
  object: JsonObject,
  key: string,
  path: string,
  fallback: boolean,
): boolean {
  const value = object[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`"${childPath(path, key)}" must be a boolean`);
  }
  return value;
}

/** An optional integer within `[min, max]`, with a default. */
export function optionalInteger(
  object: JsonObject,
  key: string,
  path: string,
  range: { min: number; max: number; fallback: number; unit?: string },
): number {
  const value = object[key];
  if (value === undefined) return range.fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  ) {
    const unit = range.unit === undefined ? '' : ` ${range.unit}`;
    throw new TypeError(
      `"${childPath(path, key)}" must be an integer from ${range.min} to ${range.max}${unit}`,
    );
  }
  return value;
}

/** Throws when two items share a key; only for keys that are not secret (ids, names, emails). */
export function rejectDuplicates(values: readonly string[], path: string, what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new TypeError(`"${path}" has two entries with ${what} "${value}"`);
    seen.add(value);
  }
}
