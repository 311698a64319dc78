/** A deadline passed: the message says what did not finish and within how long. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * `promise`, or a {@link DeadlineError} saying `${what} within ${ms} ms` (`what` is like
 * `startTestApp did not resolve`) when it takes longer. What it resolves to after the deadline goes to `late` (to close an app that
 * started too late), and a late rejection is ignored.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  late?: (value: T) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new DeadlineError(`${what} within ${ms} ms`));
    }, ms);
  });
  promise.then(
    (value) => {
      if (timedOut) late?.(value);
    },
    () => undefined,
  );
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `1500` or `"1500"`, `"1500ms"`, `"1.5s"`, as milliseconds; `undefined` when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}
