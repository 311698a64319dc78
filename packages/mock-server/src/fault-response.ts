import type { RequestFault } from './fault-queue.js';
import { jsonResponse, type HttpResponse } from './http-io.js';

/**
 * The faults that replace the response (latency and drop are handled by the request handler,
 * id-token faults by the token endpoint).
 */
export type ResponseFault = Exclude<RequestFault, { kind: 'latency' } | { kind: 'drop' }>;

/**
 * The response a fault stands for: what a broken proxy, gateway or overloaded tenant in front of
 * Auth0 might send instead of a proper answer.
 */
export function faultResponse(fault: ResponseFault): HttpResponse {
  // Every kind but `redirect` returns inside the switch.
  switch (fault.kind) {
    case 'status': {
      const headers = fault.headers ?? {};
      if (fault.body === undefined) return { status: fault.status, headers, body: '' };
      if (typeof fault.body === 'string') {
        return {
          status: fault.status,
          headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
          body: fault.body,
        };
      }
      return jsonResponse(fault.status, fault.body, headers);
    }
    case 'malformed-json':
      return {
        status: fault.status ?? 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        // A body cut off mid-token, as a truncated upstream response would be.
        body: '{"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.',
      };
    case 'html': {
      const status = fault.status ?? 502;
      return {
        status,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!DOCTYPE html>\n<html><head><title>${status} Error</title></head><body><h1>${status} Error</h1><p>The upstream server did not answer.</p></body></html>\n`,
      };
    }
  }
  return { status: fault.status ?? 302, headers: { location: fault.location }, body: '' };
}
