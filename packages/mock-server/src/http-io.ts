import type { IncomingMessage, ServerResponse } from 'node:http';
import { Auth0Errors } from './auth0-errors.js';
import type { FaultKind } from './control.js';

/** A response as handlers build it, before it is written. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A fault the endpoint applied itself (an `id-token` fault), for the request log. */
  fault?: FaultKind;
}

/** Bodies larger than this are refused: the token endpoint's forms are small. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON response. */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/** Reads the whole request body, up to 1 MiB. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw Auth0Errors.invalidRequest('Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads request parameters from a form-encoded or JSON body; Auth0's token endpoint takes both.
 * A parameter given twice is an error (RFC 6749 section 3.2); JSON values must be strings.
 */
export function parseParameters(
  body: Buffer,
  contentType: string | undefined,
): Map<string, string> {
  const parameters = new Map<string, string>();
  if (body.length === 0) return parameters;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw Auth0Errors.invalidRequest('Request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw Auth0Errors.invalidRequest('Request body must be a JSON object');
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        throw Auth0Errors.invalidRequest(`Parameter "${name}" must be a string`);
      }
      parameters.set(name, value);
    }
    return parameters;
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
      if (parameters.has(name)) {
        throw Auth0Errors.invalidRequest(`Parameter "${name}" must not be repeated`);
      }
      parameters.set(name, value);
    }
    return parameters;
  }
  throw Auth0Errors.invalidRequest(
    'Content-Type must be application/x-www-form-urlencoded or application/json',
  );
}

/** The peer's IP, with IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) shown as IPv4. */
export function peerAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** Writes `response` unless the connection is already gone. */
export function writeResponse(target: ServerResponse, response: HttpResponse): void {
  if (target.destroyed) return;
  target.writeHead(response.status, {
    ...response.headers,
    'content-length': String(Buffer.byteLength(response.body)),
  });
  target.end(response.body);
}
