/** Result of timing one configuration for one round. */
export interface Sample {
  name: string;
  opsPerSecond: number;
}

/**
 * Runs `operation` sequentially `iterations` times and returns operations per second. A promise
 * it returns is awaited before the next call, so this measures the cost of one operation, not the
 * throughput of a batch; a synchronous operation is not awaited (no microtask tick is added to it).
 */
export async function timeSequential(
  iterations: number,
  operation: (i: number) => unknown,
): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const outcome = operation(i);
    if (outcome instanceof Promise) await outcome;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return iterations / seconds;
}

export function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function format(value: number): string {
  return Math.round(value).toLocaleString('en-US').padStart(12);
}
