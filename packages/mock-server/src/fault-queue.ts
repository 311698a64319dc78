import type { FaultSpec } from './control.js';
import { ID_TOKEN_DEFECTS } from './id-token-defects.js';
import {
  expectObject,
  isOneOf,
  optionalInteger,
  rejectUnknownKeys,
  requireString,
} from './option-reader.js';

const REDIRECT_STATUSES = [301, 302, 303, 307, 308] as const;

/** The endpoint of `id-token` faults: the only one that issues ID tokens. */
export const TOKEN_ENDPOINT = '/oauth/token';

/** A fault that answers in place of the endpoint (or delays or drops the request). */
export type RequestFault = Exclude<FaultSpec, { kind: 'id-token' | 'dpop-binding' }>;

/** A fault that spoils the ID token of a successful token response. */
export type IdTokenFault = Extract<FaultSpec, { kind: 'id-token' }>;

/** A fault that spoils the DPoP binding of a successful token response's access token. */
export type DpopBindingFault = Extract<FaultSpec, { kind: 'dpop-binding' }>;

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
    case 'id-token': {
      rejectUnknownKeys(fault, [...base, 'defect'], 'fault');
      if (endpoint !== TOKEN_ENDPOINT) {
        throw new TypeError(
          `"fault.endpoint" must be "${TOKEN_ENDPOINT}" for an id-token fault: only the token endpoint issues ID tokens`,
        );
      }
      const defect = fault['defect'];
      if (defect === undefined) throw new TypeError('"fault.defect" is required');
      if (!isOneOf(defect, ID_TOKEN_DEFECTS)) {
        throw new TypeError(`"fault.defect" must be one of: ${ID_TOKEN_DEFECTS.join(', ')}`);
      }
      return { endpoint, times, kind, defect };
    }
    case 'dpop-binding':
      rejectUnknownKeys(fault, base, 'fault');
      if (endpoint !== TOKEN_ENDPOINT) {
        throw new TypeError(
          `"fault.endpoint" must be "${TOKEN_ENDPOINT}" for a dpop-binding fault: only the token endpoint issues access tokens`,
        );
      }
      return { endpoint, times, kind };
    default:
      throw new TypeError(
        '"fault.kind" must be one of: status, latency, drop, malformed-json, html, redirect, id-token, dpop-binding',
      );
  }
}

interface QueuedFault {
  readonly fault: FaultSpec;
  remaining: number;
}

/**
 * Faults waiting for their endpoint, first in, first out. `id-token` and `dpop-binding` faults
 * wait apart: they are not taken by the request but by the answer, when it is a token response
 * with an ID token (a DPoP-bound access token), so that requests answered otherwise (an error, a
 * grant without `openid`, a Bearer token) do not use them up.
 */
export class FaultQueue {
  #queue: QueuedFault[] = [];

  /** Queues a validated fault. */
  add(fault: FaultSpec & { times: number }): void {
    this.#queue.push({ fault, remaining: fault.times });
  }

  /** Takes the oldest fault that answers in place of `path` (or `*`), counting one use. */
  take(path: string): RequestFault | undefined {
    return this.#takeFirst(
      (fault): fault is RequestFault =>
        fault.kind !== 'id-token' &&
        fault.kind !== 'dpop-binding' &&
        (fault.endpoint === path || fault.endpoint === '*'),
    );
  }

  /** Takes the oldest `dpop-binding` fault for `path`, counting one use. */
  takeDpopBindingFault(path: string): DpopBindingFault | undefined {
    return this.#takeFirst(
      (fault): fault is DpopBindingFault =>
        fault.kind === 'dpop-binding' && fault.endpoint === path,
    );
  }

  /** Takes the oldest `id-token` fault for `path`, counting one use. */
  takeIdTokenFault(path: string): IdTokenFault | undefined {
    return this.#takeFirst(
      (fault): fault is IdTokenFault => fault.kind === 'id-token' && fault.endpoint === path,
    );
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queue = [];
  }

  #takeFirst<T extends FaultSpec>(matches: (fault: FaultSpec) => fault is T): T | undefined {
    for (const [index, queued] of this.#queue.entries()) {
      const { fault } = queued;
      if (!matches(fault)) continue;
      queued.remaining -= 1;
      if (queued.remaining === 0) this.#queue.splice(index, 1);
      return fault;
    }
    return undefined;
  }
}
