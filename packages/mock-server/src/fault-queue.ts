import type { FaultSpec } from './control.js';
import {
  expectObject,
  isOneOf,
  optionalInteger,
  rejectUnknownKeys,
  requireString,
} from './option-reader.js';

const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;

/** Checks a fault (typed, or JSON from the control API) and fills in its defaults. */
export function validateFault(value: unknown): FaultSpec & { times: number } {
  const fault = expectObject(value, 'fault');
  const endpoint = requireString(fault, 'endpoint', 'fault');
  if (endpoint !== '*' && !endpoint.startsWith('/')) {
    throw new TypeError('"fault.endpoint" must be a path starting with "/", or "*"');
  }
  const times = optionalInteger(fault, 'times', 'fault', { min: 1, max: 1_000_000, fallback: 1 });
  const base = ['endpoint', 'times', 'kind'];
  const kind = fault['kind'];
  switch (kind) {
    case 'status': {
      rejectUnknownKeys(fault, [...base, 'status', 'body', 'headers'], 'fault');
      if (fault['status'] === undefined) throw new TypeError('"fault.status" is required');
      const status = optionalInteger(fault, 'status', 'fault', {
        min: 100,
        max: 599,
        fallback: 500,
      });
      const headerObject =
        fault['headers'] === undefined ? {} : expectObject(fault['headers'], 'fault.headers');
      const headers: Record<string, string> = {};
      for (const name of Object.keys(headerObject)) {
        headers[name] = requireString(headerObject, name, 'fault.headers');
      }
      return { endpoint, times, kind, status, body: fault['body'], headers };
    }
    case 'latency': {
      rejectUnknownKeys(fault, [...base, 'delayMs'], 'fault');
      if (fault['delayMs'] === undefined) throw new TypeError('"fault.delayMs" is required');
      const delayMs = optionalInteger(fault, 'delayMs', 'fault', {
        min: 0,
        max: 600_000,
        fallback: 0,
        unit: 'milliseconds',
      });
      return { endpoint, times, kind, delayMs };
    }
    case 'drop':
      rejectUnknownKeys(fault, base, 'fault');
      return { endpoint, times, kind };
    case 'malformed-json':
    case 'html': {
      rejectUnknownKeys(fault, [...base, 'status'], 'fault');
      const fallback = kind === 'html' ? 502 : 200;
      const status = optionalInteger(fault, 'status', 'fault', { min: 100, max: 599, fallback });
      return { endpoint, times, kind, status };
    }
    case 'redirect': {
      rejectUnknownKeys(fault, [...base, 'location', 'status'], 'fault');
      const location = requireString(fault, 'location', 'fault');
      const status = fault['status'] ?? 302;
      if (!isOneOf(status, REDIRECT_STATUSES)) {
        throw new TypeError(`"fault.status" must be one of: ${REDIRECT_STATUSES.join(', ')}`);
      }
      return { endpoint, times, kind, location, status };
    }
    default:
      throw new TypeError(
        '"fault.kind" must be one of: status, latency, drop, malformed-json, html, redirect',
      );
  }
}

interface QueuedFault {
  readonly fault: FaultSpec;
  remaining: number;
}

/** Faults waiting for their endpoint, first in, first out. */
export class FaultQueue {
  #queue: QueuedFault[] = [];

  /** Queues a validated fault. */
  add(fault: FaultSpec & { times: number }): void {
    this.#queue.push({ fault, remaining: fault.times });
  }

  /** Takes the oldest fault for `path` (or for `*`), counting one use. */
  take(path: string): FaultSpec | undefined {
    const index = this.#queue.findIndex(
      (queued) => queued.fault.endpoint === path || queued.fault.endpoint === '*',
    );
    if (index === -1) return undefined;
    const queued = this.#queue[index]!;
    queued.remaining -= 1;
    if (queued.remaining === 0) this.#queue.splice(index, 1);
    return queued.fault;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queue = [];
  }
}
