import { isDeepStrictEqual, inspect } from 'node:util';

/** A conformance failure: the message says what was expected and what came. */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/** Fails the scenario unless `actual` deep-equals `expected`. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new ConformanceFailure(`${what}: expected ${inspect(expected)}, got ${inspect(actual)}`);
  }
}

/** Fails the scenario unless `condition` holds. */
export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new ConformanceFailure(what);
}
