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
  const url = `${context.api.url}${path}`;
  const credentials =
    apiFetch === 'anonymous'
      ? 'no Authorization header'
      : `Authorization: Bearer ${token === undefined ? "(the session's token)" : shortenToken(token)}`;
  log.line(`→ GET ${url}  ${credentials}`);
  const response = apiFetch === 'anonymous' ? await fetch(url) : await apiFetch(url);
  const text = await response.text();
  const answer: ApiAnswer = {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    body: parseJson(text),
  };
  const challenge =
    answer.wwwAuthenticate === null ? '' : `  WWW-Authenticate: ${answer.wwwAuthenticate}`;
  const preview = text.length > BODY_PREVIEW ? `${text.slice(0, BODY_PREVIEW)}…` : text;
  log.line(`← ${answer.status} ${preview}${challenge}`);
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
