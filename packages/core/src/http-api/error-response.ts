import type { BearerError } from '../errors.js';

/** A complete HTTP answer: what every adapter writes, byte for byte. */
export interface HttpAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The exact body bytes (JSON), `''` for none. */
  body: string;
}

/** The answer {@link renderBearerError} gives. */
export type ErrorResponse = HttpAnswer;

/**
 * The one rendering of a {@link BearerError} shared by all adapters, so that for the same input
 * Express, Koa and Fastify answer the same status, `WWW-Authenticate` and body:
 * `{"error":"invalid_token","error_description":"..."}` as `application/json; charset=utf-8`,
 * with `Cache-Control: no-store` (an error about credentials must not be cached).
 */
export function renderBearerError(error: BearerError): ErrorResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  const challenge = error.wwwAuthenticate;
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  return { status: error.status, headers, body: JSON.stringify(error.body) };
}
