import type { ScenarioResult } from './runner.js';
import type { Scenario } from './scenario.js';

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Where progress goes (stderr, so the matrix on stdout stays clean). */
  write: (text: string) => void;
  /**
   * A terminal: one line per adapter, redrawn in place. Otherwise one plain line per adapter and
   * scenario group, written when the group is done.
   */
  tty: boolean;
  /** The terminal's width, so a live line never wraps (which would break the redraw). */
  columns?: () => number | undefined;
  /** No progress and no informational lines; notices still show. */
  quiet: boolean;
}

interface Count {
  passed: number;
  /** Failures that fail the run (a MUST of a counted profile). */
  failed: number;
  /** Failed SHOULDs. */
  warned: number;
  /** Failed MAYs, and failures of profiles the adapter does not claim. */
  noted: number;
  skipped: number;
}

interface GroupCount extends Count {
  group: string;
  total: number;
}

interface AdapterProgress {
  name: string;
  groups: GroupCount[];
  started: boolean;
  /** Why it did not start, once it is known. */
  failedToStart?: string;
}

function doneOf(count: Count): number {
  return count.passed + count.failed + count.warned + count.noted + count.skipped;
}

function tally(count: Count): string {
  const warned = count.warned > 0 ? `, ${count.warned} warnings` : '';
  const noted = count.noted > 0 ? `, ${count.noted} informational` : '';
  const skipped = count.skipped > 0 ? `, ${count.skipped} skipped` : '';
  return `${count.passed} passed, ${count.failed} failed${warned}${noted}${skipped}`;
}

const ESC = '\u001b[';

/**
 * What a `run` prints on stderr while it runs: each adapter's current scenario group and how far
 * it got, in place on a terminal, or a line per finished group otherwise.
 */
export class Progress {
  readonly #options: ProgressOptions;
  readonly #adapters: AdapterProgress[] = [];
  /** Live lines on the terminal now, below the cursor's row. */
  #drawn = 0;
  #ended = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
  }

  /** An adapter is starting (its mock server and app), and will run these scenarios. */
  starting(adapter: string, scenarios: readonly Scenario[]): void {
    const groups: GroupCount[] = [];
    for (const scenario of scenarios) {
      let count = groups.find((g) => g.group === scenario.group);
      if (count === undefined) {
        count = {
          group: scenario.group,
          total: 0,
          passed: 0,
          failed: 0,
          warned: 0,
          noted: 0,
          skipped: 0,
        };
        groups.push(count);
      }
      count.total += 1;
    }
    this.#adapters.push({ name: adapter, groups, started: false });
    this.#redraw();
  }

  /** The adapter's app is up; its scenarios start. */
  started(adapter: string): void {
    const state = this.#adapters.find((a) => a.name === adapter);
    if (state !== undefined) state.started = true;
    this.#redraw();
  }

  /** One scenario's result. */
  result(result: ScenarioResult): void {
    const state = this.#adapters.find((a) => a.name === result.adapter);
    const count = state?.groups.find((g) => g.group === result.group);
    if (state === undefined || count === undefined) return;
    state.started = true;
    if (result.outcome === 'pass') count.passed += 1;
    else if (result.outcome === 'skip') count.skipped += 1;
    else if (result.severity === 'warning') count.warned += 1;
    else if (result.severity === 'info') count.noted += 1;
    else count.failed += 1;
    if (this.#options.quiet) return;
    if (this.#options.tty) this.#redraw();
    else if (doneOf(count) === count.total)
      this.#options.write(`${state.name}: ${count.group}: ${tally(count)}\n`);
  }

  /** The adapter's app did not start: said even with `--quiet`; the others go on. */
  failedToStart(adapter: string, reason: string): void {
    const state = this.#adapters.find((a) => a.name === adapter);
    if (state !== undefined) state.failedToStart = reason;
    this.notice(`${adapter}: did not start: ${reason}`);
  }

  /** A line that shows even with `--quiet` (e.g. the fallback to the in-process server). */
  notice(line: string): void {
    this.#above(line);
  }

  /** A line that `--quiet` hides (e.g. where an adapter's app listens). */
  info(line: string): void {
    if (!this.#options.quiet) this.#above(line);
  }

  /** Clears the live lines; the run is over. */
  end(): void {
    if (this.#options.tty && this.#drawn > 0) this.#options.write(this.#clear());
    this.#drawn = 0;
    this.#ended = true;
  }

  #above(line: string): void {
    if (!this.#options.tty || this.#ended || this.#drawn === 0) {
      this.#options.write(`${line}\n`);
      return;
    }
    this.#options.write(`${this.#clear()}${line}\n${this.#lines()}`);
  }

  #redraw(): void {
    if (!this.#options.tty || this.#options.quiet || this.#ended) return;
    this.#options.write(`${this.#clear()}${this.#lines()}`);
  }

  /** Moves the cursor up over the live lines and erases them. */
  #clear(): string {
    const text = this.#drawn > 0 ? `${ESC}${this.#drawn}A\r${ESC}J` : '';
    this.#drawn = 0;
    return text;
  }

  /** The live lines (one per adapter), each cut to the terminal's width; counts them drawn. */
  #lines(): string {
    const width = Math.max(...this.#adapters.map((a) => a.name.length));
    const columns = this.#options.columns?.();
    const lines = this.#adapters.map((state) => {
      const text = `${state.name.padEnd(width)}  ${this.#status(state)}`;
      return columns !== undefined && columns > 1 && text.length >= columns
        ? text.slice(0, columns - 1)
        : text;
    });
    this.#drawn = lines.length;
    return lines.map((line) => `${line}\n`).join('');
  }

  #status(state: AdapterProgress): string {
    if (state.failedToStart !== undefined) return 'did not start';
    if (!state.started) return 'starting the mock server and the app';
    const current = state.groups.find((g) => doneOf(g) < g.total);
    const failed = state.groups.reduce((sum, g) => sum + g.failed, 0);
    if (current === undefined) {
      const all = { passed: 0, failed, warned: 0, noted: 0, skipped: 0 };
      for (const g of state.groups) {
        all.passed += g.passed;
        all.warned += g.warned;
        all.noted += g.noted;
        all.skipped += g.skipped;
      }
      return `done: ${tally(all)}`;
    }
    const failures = failed > 0 ? `  (${failed} failed)` : '';
    return `${current.group}  ${doneOf(current)}/${current.total}${failures}`;
  }
}
