/**
 * Checks shared by every options object: each returns the value (or the default when it is
 * `undefined`) and throws a `TypeError` naming the option and what it must be, never its value.
 */

export function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`);
  return value;
}

export function nonNegative(value: unknown, name: string, fallback: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative number of ${unit}`);
  }
  return value;
}

export function positive(value: unknown, name: string, fallback: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive number of ${unit}`);
  }
  return value;
}

export function positiveInteger(
  value: unknown,
  name: string,
  fallback: number,
  unit: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${name}" must be a positive whole number of ${unit}`);
  }
  return value;
}

/** A share of something in [0, 1) (or (0, 1) when zero is not allowed). */
export function share(
  value: unknown,
  name: string,
  fallback: number,
  zeroAllowed: boolean,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value >= 1 ||
    (!zeroAllowed && value === 0)
  ) {
    throw new TypeError(
      `"${name}" must be a number ${zeroAllowed ? 'from 0' : 'above 0'} and below 1`,
    );
  }
  return value;
}

/** Throws unless every own key of `options` is in `known`: a misspelt option is a bug. */
export function rejectUnknownOptions(
  options: object,
  known: ReadonlySet<string>,
  what: string,
): void {
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw new TypeError(`Unknown ${what} option "${name}"`);
  }
}
