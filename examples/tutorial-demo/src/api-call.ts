import type { AuthorizedFetch } from '@ropkit/core';
import type { DemoContext } from './demo-context.ts';
import { shortenToken } from './mask.ts';
import type { StepLog } from './step-log.ts';

/** Longest answer body shown. */
const BODY_PREVIEW = 160;

/** An answer of the example API. */
export interface ApiAnswer {
  readonly status: number;
  readonly wwwAuthenticate: string | null;
  readonly body: unknown;
}

/**
 * Calls the example API as the tutorial's "Call API" step does, with the access token in the
 * Authorization header (RFC 6750 section 2.1) through `apiFetch`, or without any credentials when
 * `apiFetch` is `anonymous`. Shows the request (token shortened) and the answer.
 */
export async function callApi(
  context: DemoContext,
  log: StepLog,
  path: string,
  apiFetch: AuthorizedFetch | 'anonymous',
  token?: string,
): Promise<ApiAnswer> {
  const credentials =
    apiFetch === 'anonymous'
      ? 'no Authorization header'
      : `Authorization: Bearer ${token === undefined ? "(the session's token)" : shortenToken(token)}`;
  return requestApi(context, log, path, credentials, (url) =>
    apiFetch === 'anonymous' ? fetch(url) : apiFetch(url),
  );
}

/**
 * Sends `GET path` to the example API with `send` and shows the request and the answer, the
 * `WWW-Authenticate` challenge on a line of its own. `credentials` is what the request carries
 * as shown: tokens and proofs already shortened by the caller.
 */
export async function requestApi(
  context: DemoContext,
  log: StepLog,
  path: string,
  credentials: string,
  send: (url: string) => Promise<Response>,
): Promise<ApiAnswer> {
  const url = `${context.api.url}${path}`;
  log.line(`→ GET ${url}  ${credentials}`);
  const response = await send(url);
  const text = await response.text();
  const answer: ApiAnswer = {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: parseJson(text),
  };
  const preview = text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
  log.line(`← ${answer.status} ${preview}`);
  if (answer.wwwAuthenticate !== null) log.line(`    WWW-Authenticate: ${answer.wwwAuthenticate}`);
  return answer;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The `sub` member of an answer body, if it has one. */
export function subjectOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { sub?: unknown }).sub : undefined;
}

/** The `error` member of an answer body (RFC 6750 section 3), if it has one. */
export function errorOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null
    ? (body as { error?: unknown }).error
    : undefined;
}
