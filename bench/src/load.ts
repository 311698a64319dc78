/**
 * The load generator of the adapter benchmark: autocannon, in the benchmark's own process
 * (pinned to another core than the server).
 *
 * Why autocannon rather than a loop over an undici `Pool`: it parses responses with llhttp on raw
 * sockets and keeps 50 connections busy well beyond the 40,000 requests a second the fastest bare
 * framework answers here, so the generator is not the bottleneck; and, read in its source
 * (lib/httpClient.js, lib/requestIterator.js), with `amount` each connection sends exactly its
 * share, builds every request after the first with `setupRequest`, and never re-sends one (after a
 * timeout or a lost connection it sends a new request), so a token taken from one counter shared
 * by all connections is sent exactly once. The counter is checked after each run.
 */
import autocannon from 'autocannon';

/** One measured run. */
export interface LoadResult {
  /** 2xx answers per second, from the start to the last answer. */
  rps: number;
  /** Requests answered. */
  requests: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  seconds: number;
}

const PATH = '/api/private';

/**
 * Runs autocannon. Its own `duration` is counted in whole 1-second ticks when a run stops on
 * `amount`, so the time from the start to the last answer is measured here instead.
 */
function run(
  options: autocannon.Options,
  onProgress?: (answered: number) => void,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastAnswerAt = startedAt;
    let answered = 0;
    const instance = autocannon(options, (error: unknown, result?: autocannon.Result) => {
      clearInterval(ticker);
      if (result === undefined) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const seconds = (lastAnswerAt - startedAt) / 1000;
      resolve({
        rps: result['2xx'] / seconds,
        requests: result.requests.total,
        non2xx: result.non2xx,
        errors: result.errors,
        seconds,
      });
    });
    instance.on('response', () => {
      answered++;
      lastAnswerAt = performance.now();
    });
    const ticker = setInterval(() => onProgress?.(answered), 1000);
  });
}

/** The same token on every request, for `seconds`. */
export function loadRepeated(
  port: number,
  token: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  return run({
    url: `http://127.0.0.1:${port}${PATH}`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
}

/**
 * A token sequence shared by every connection: each request takes the next one, so every token
 * is sent exactly once (past the end it throws: mint more).
 */
export class TokenCounter {
  readonly #tokens: readonly string[];
  #next: number;

  constructor(tokens: readonly string[], start = 0) {
    this.#tokens = tokens;
    this.#next = start;
  }

  get position(): number {
    return this.#next;
  }

  take(): string {
    const token = this.#tokens[this.#next];
    if (token === undefined) throw new Error('out of distinct tokens: mint more');
    this.#next++;
    return token;
  }
}

/**
 * `amount` requests, each with the next token of `counter`: `amount` distinct tokens, each sent
 * once. `onProgress` is called with the requests answered so far, every second.
 */
export async function loadDistinct(
  port: number,
  counter: TokenCounter,
  amount: number,
  connections: number,
  onProgress?: (answered: number) => void,
): Promise<LoadResult> {
  const first = counter.position;
  const result = await run(
    {
      url: `http://127.0.0.1:${port}${PATH}`,
      connections,
      amount,
      timeout: 30,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${counter.take()}` },
          }),
        },
      ],
    },
    onProgress,
  );
  const sent = counter.position - first;
  if (sent !== amount) throw new Error(`${sent} tokens taken for ${amount} requests`);
  return result;
}
