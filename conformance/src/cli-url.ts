import { requestFailure } from './http-client.js';

/** `300 ms` or `30 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/**
 * Waits until `url` answers (any HTTP status), polling every 250 ms for at most `waitMs`; says
 * once that it waits. Rejects naming the URL and the last cause when it never answers.
 */
export async function waitForServer(
  url: string,
  waitMs: number,
  requestTimeoutMs: number,
  say: (line: string) => void,
): Promise<void> {
  const until = Date.now() + waitMs;
  let said = false;
  let last = '';
  for (;;) {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(Math.min(requestTimeoutMs, Math.max(1, until - Date.now()))),
      });
      await response.body?.cancel();
      return;
    } catch (error) {
      last = requestFailure('GET', url, error, requestTimeoutMs);
    }
    if (Date.now() >= until) break;
    if (!said) {
      say(`waiting up to ${duration(waitMs)} for ${url} to answer`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${duration(waitMs)} (last: ${last})`);
}
