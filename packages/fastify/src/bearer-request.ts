import type { BearerRequest } from '@ropkit/core';
import type { AnyFastifyRequest } from './fastify-types.js';

/**
 * The framework-neutral request core's verifier reads. `rawHeaders` lets core see a repeated
 * Authorization header (RFC 6750 section 2: one method, one credential), which Node folds away
 * in `headers`. `body` is whatever has been parsed so far: nothing yet in `onRequest`.
 */
export function toBearerRequest(request: AnyFastifyRequest): BearerRequest {
  return {
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
    method: request.method,
    query: isRecord(request.query) ? request.query : undefined,
    body: request.body,
  };
}

/**
 * RFC 6750 section 2.2: a form body can carry the token only once it is parsed. True for a form
 * request whose body Fastify has not parsed yet, that is, a hook placed before `preValidation`.
 */
export function isUnparsedFormBody(request: AnyFastifyRequest): boolean {
  if (request.body !== undefined && request.body !== null) return false;
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const contentType = request.headers['content-type'];
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null;
}
