import type { IncomingHttpHeaders } from 'node:http';
import { parseParameters } from '../http-io.js';

/** A request as endpoints see it: read in full, nothing left on the socket. */
export interface EndpointRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /**
   * Every header's values, one per field line (Node joins repeated unknown headers with `, ` in
   * {@link headers}): RFC 9449 section 4.3 wants exactly one `DPoP` header.
   */
  readonly headersDistinct: Readonly<Partial<Record<string, string[]>>>;
  readonly body: Buffer;
  /** The socket's peer address. */
  readonly peerIp: string;
  /**
   * The body's form or JSON parameters, parsed on first use (the request log and the endpoint
   * share one parse). Throws the `invalid_request` error of an unreadable body.
   */
  readonly parameters: () => ReadonlyMap<string, string>;
}

/** A parse of `body` that runs once, on first call, and remembers its result or its error. */
export function parametersOnce(
  body: Buffer,
  contentType: string | undefined,
): () => ReadonlyMap<string, string> {
  let outcome: { parameters: ReadonlyMap<string, string> } | { error: unknown } | undefined;
  return () => {
    if (outcome === undefined) {
      try {
        outcome = { parameters: parseParameters(body, contentType) };
      } catch (error) {
        outcome = { error };
      }
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.parameters;
  };
}

/** A single-valued request header. */
export function header(request: EndpointRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer` header (RFC 6750 section 2.1), if any. */
export function bearerToken(request: EndpointRequest): string | undefined {
  const match = /^Bearer +(\S+)$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}
