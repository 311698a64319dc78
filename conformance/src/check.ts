import { isDeepStrictEqual, inspect } from 'node:util';

/**
 * A conformance failure. Its message is one line saying what was sent, what was expected and what
 * came back: `sent GET /api/private with a token signed by another key; expected a refusal (401);
 * got 200, no WWW-Authenticate, body {"sub":"auth0|conformance"}`.
 */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';

  constructor(message: string) {
    super(oneLine(message));
  }
}

/** What a check needs of an answer: the request it answers and what came back. */
export interface Exchange {
  /** The request, e.g. `GET /api/private`. */
  readonly request: string;
  readonly status: number;
  readonly wwwAuthenticate: string | null;
  readonly body: string;
}

/** The text on one line: line breaks and runs of white space become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** At most `max` characters of `text`, on one line, with `...` when cut. */
export function clip(text: string, max: number): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

/** What came back: `401, WWW-Authenticate: Bearer realm="api", body {"error":...}`. */
export function describeAnswer(answer: Exchange): string {
  const challenge =
    answer.wwwAuthenticate === null
      ? 'no WWW-Authenticate'
      : `WWW-Authenticate: ${clip(answer.wwwAuthenticate, 160)}`;
  const body = answer.body === '' ? 'empty body' : `body ${clip(answer.body, 80)}`;
  return `${answer.status}, ${challenge}, ${body}`;
}

/** Fails with `sent ...; expected ...; got ...`. */
export function fail(sent: string, expected: string, got: string): never {
  throw new ConformanceFailure(`sent ${sent}; expected ${expected}; got ${got}`);
}

/** Fails unless `ok`, saying what was sent, expected and what came (an answer or a text). */
export function check(
  ok: boolean,
  sent: string,
  expected: string,
  got: string | Exchange | (() => string),
): void {
  if (ok) return;
  const text =
    typeof got === 'string' ? got : typeof got === 'function' ? got() : describeAnswer(got);
  fail(sent, expected, text);
}

/** `GET /api/private with ...`: the request of `answer` and what it carried. */
export function sentOf(answer: Exchange, what: string): string {
  return what === '' ? answer.request : `${answer.request} ${what}`;
}

/** Fails unless the answer has status `status`. */
export function expectStatus(
  answer: Exchange,
  status: number,
  what: string,
  expected = `${status}`,
): void {
  check(answer.status === status, sentOf(answer, what), expected, answer);
}

/**
 * Fails unless the answer refuses the request with a client error (4xx): a 2xx means the token
 * (or request) was accepted, a 5xx that the server failed instead of refusing.
 */
export function expectRefused(answer: Exchange, what: string, expected = 'a refusal (401)'): void {
  const refused = answer.status >= 400 && answer.status < 500;
  const got =
    answer.status >= 200 && answer.status < 300
      ? `${describeAnswer(answer)} (accepted)`
      : answer.status >= 500
        ? `${describeAnswer(answer)} (a server error, not a refusal)`
        : describeAnswer(answer);
  check(refused, sentOf(answer, what), expected, got);
}

/** The auth-scheme of a challenge, lower-cased (`bearer`), or `undefined` without one. */
export function schemeOf(challenge: string | null): string | undefined {
  return challenge === null ? undefined : /^\s*([^\s,]+)/.exec(challenge)?.[1]?.toLowerCase();
}

/** The value of auth-param `name` of a challenge (quoted or not), or `undefined`. */
export function paramOf(challenge: string | null, name: string): string | undefined {
  if (challenge === null) return undefined;
  const pattern = new RegExp(
    `(?:^|[\\s,])${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s,]+))`,
    'i',
  );
  const match = pattern.exec(challenge.replace(/^\s*\S+/, ''));
  if (match === null) return undefined;
  return match[1] ?? match[2];
}

/** Fails the scenario unless `actual` deep-equals `expected`. */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new ConformanceFailure(`${what}: expected ${inspect(expected)}, got ${inspect(actual)}`);
  }
}

/** Fails the scenario unless `condition` holds. */
export function expectTrue(condition: boolean, what: string): void {
  if (!condition) throw new ConformanceFailure(what);
}

/** One challenge of a `WWW-Authenticate` value: its scheme (lower-cased) and auth-params. */
export interface Challenge {
  scheme: string;
  /** Auth-param values by lower-cased name, unquoted. */
  params: ReadonlyMap<string, string>;
}

/**
 * The challenges of a `WWW-Authenticate` value (RFC 9110 section 11.6.1: a comma-separated list of
 * challenges, each a scheme and its comma-separated auth-params), in order:
 * `Bearer realm="api", DPoP realm="api", algs="ES256"` is two. Quoted strings may hold commas.
 */
export function challengesOf(value: string | null): Challenge[] {
  if (value === null) return [];
  // Split at the commas outside quoted strings.
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const character = value[i] ?? '';
    if (quoted && character === '\\') {
      current += character + (value[i + 1] ?? '');
      i += 1;
    } else if (character === '"') {
      quoted = !quoted;
      current += character;
    } else if (character === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += character;
  }
  items.push(current);
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  const param = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))$/;
  for (const raw of items) {
    const item = raw.trim();
    if (item === '') continue;
    // A new challenge: a scheme, then nothing, an auth-param or a token68.
    const start = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+(.*))?$/.exec(item);
    const isParam = param.test(item);
    if (start !== null && !isParam) {
      const params = new Map<string, string>();
      const rest = start[2]?.trim() ?? '';
      const first = param.exec(rest);
      if (first !== null)
        params.set(
          first[1]?.toLowerCase() ?? '',
          (first[2] ?? first[3] ?? '').replace(/\\(.)/g, '$1'),
        );
      challenges.push({ scheme: start[1]?.toLowerCase() ?? '', params });
      continue;
    }
    const match = param.exec(item);
    const last = challenges.at(-1);
    if (match !== null && last !== undefined)
      last.params.set(
        match[1]?.toLowerCase() ?? '',
        (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1'),
      );
  }
  return challenges;
}

/** The challenge of `scheme` (case-insensitive) in a `WWW-Authenticate` value, or `undefined`. */
export function challengeOf(value: string | null, scheme: string): Challenge | undefined {
  return challengesOf(value).find((challenge) => challenge.scheme === scheme.toLowerCase());
}
