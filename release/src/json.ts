/**
 * Reading JSON from outside (manifests, registry answers, pnpm's output) without trusting its
 * shape: each field is checked where it is read, and a wrong one fails with what and where.
 */

/** A parsed JSON object whose fields are not checked yet. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string, what: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (!isJsonObject(value)) throw new Error(`${what} is not a JSON object`);
  return value;
}

export function parseJsonArray(text: string, what: string): unknown[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error(`${what} is not a JSON array`);
  return value;
}

export function stringField(object: JsonObject, key: string, what: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw new Error(`${what}: "${key}" is not a string`);
  return value;
}

export function objectField(object: JsonObject, key: string, what: string): JsonObject {
  const value = object[key];
  if (!isJsonObject(value)) throw new Error(`${what}: "${key}" is not an object`);
  return value;
}

/** `object[key]` as a map of strings (dependencies, `bin`), empty when the field is absent. */
export function stringMap(object: JsonObject, key: string, what: string): Record<string, string> {
  const value = object[key];
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw new Error(`${what}: "${key}" is not an object`);
  const map: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new Error(`${what}: "${key}.${name}" is not a string`);
    map[name] = entry;
  }
  return map;
}
