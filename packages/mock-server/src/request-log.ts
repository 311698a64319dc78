import type { RequestLogEntry } from './control.js';

/** The log of requests received, for tests that count calls. Holds no secrets by construction. */
export class RequestLog {
  #entries: RequestLogEntry[] = [];

  /** Appends an entry. */
  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
  }

  /** A copy of every entry, oldest first. */
  entries(): RequestLogEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  /** Empties the log. */
  clear(): void {
    this.#entries = [];
  }
}
