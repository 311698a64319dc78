import { once } from 'node:events';
import { connect } from 'node:net';
import { ConformanceFailure, clip } from './check.js';

/** How long a request may take by default, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** An answer as the kit compares it. */
export interface Answer {
  /** The request it answers, e.g. `GET /api/private`. */
  request: string;
  status: number;
  wwwAuthenticate: string | null;
  contentType: string | null;
  cacheControl: string | null;
  /** The `Retry-After` header (RFC 9110 section 10.2.3), or `null`. */
  retryAfter: string | null;
  /** Every `Set-Cookie` value. */
  cookies: string[];
  /** Any other response header (`DPoP-Nonce`), by name, case-insensitively; `null` when absent. */
  header(name: string): string | null;
  body: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): unknown;
  /** One member of a JSON object body; `undefined` when the body is not one. */
  field(name: string): unknown;
}

/** An answer read from a raw socket. */
export interface RawAnswer {
  request: string;
  status: number;
  wwwAuthenticate: string | null;
  body: string;
}

/** A browser-like session: keeps cookies between requests, and may claim an end-user IP. */
export interface SessionOptions {
  /** Sent as `X-Forwarded-For`, for apps started with `trustProxy`. */
  ip?: string;
}

/** `fetch` with a deadline, whose failures name the URL and the cause. */
export type KitFetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Why a request failed, in words: the URL, and the deadline or the network cause. */
export function requestFailure(method: string, url: string, error: unknown, timeoutMs: number) {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return `${method} ${url} did not answer within ${timeoutMs} ms`;
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const inner = cause instanceof Error ? cause : error instanceof Error ? error : undefined;
  const code: unknown = inner === undefined ? undefined : Reflect.get(inner, 'code');
  const message = inner?.message ?? String(error);
  const reason =
    typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return `${method} ${url} failed: ${clip(reason, 200)}`;
}

/**
 * `fetch` with a deadline of `timeoutMs` for the answer and its body; a failure throws a
 * {@link ConformanceFailure} naming the method, the URL and the cause (or the deadline).
 */
export function deadlineFetch(timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): KitFetch {
  return async (url, init = {}) => {
    const method = init.method ?? 'GET';
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      // The body is read here, under the same deadline, and kept for the caller.
      const body = await response.arrayBuffer();
      return new Response(body.byteLength === 0 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      throw new ConformanceFailure(requestFailure(method, url, error, timeoutMs));
    }
  };
}

/** Options of {@link ConformanceHttp}. */
export interface HttpOptions {
  /** How long one request may take, in milliseconds. Default 10 s. */
  timeoutMs?: number;
}

/** HTTP helpers for one app; every request has a deadline. */
export class ConformanceHttp {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: HttpOptions = {}) {
    this.#base = baseUrl;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get baseUrl(): string {
    return this.#base;
  }

  /** The deadline of one request, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /**
   * One request with the given headers and optional body. A request that gets no answer within
   * the deadline, or fails on the network, throws a {@link ConformanceFailure} that says so.
   */
  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> {
    const method = init.method ?? 'GET';
    const url = `${this.#base}${path}`;
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, {
        method,
        headers: init.headers ?? {},
        ...(init.body === undefined ? {} : { body: init.body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      body = await response.text();
    } catch (error) {
      throw new ConformanceFailure(requestFailure(method, url, error, this.#timeoutMs));
    }
    return {
      request: `${method} ${path}`,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
      contentType: response.headers.get('content-type'),
      cacheControl: response.headers.get('cache-control'),
      retryAfter: response.headers.get('retry-after'),
      cookies: response.headers.getSetCookie(),
      header: (name) => response.headers.get(name),
      body,
      json: () => JSON.parse(body) as unknown,
      field: (name) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return undefined;
        }
        return typeof parsed === 'object' && parsed !== null
          ? Reflect.get(parsed, name)
          : undefined;
      },
    };
  }

  /** A GET with `Authorization: Bearer <token>`. */
  bearer(path: string, token: string): Promise<Answer> {
    return this.request(path, { headers: { authorization: `Bearer ${token}` } });
  }

  /**
   * Raw HTTP/1.1 bytes, for what fetch cannot send (a repeated header). Returns the status, the
   * challenge and the body's text, under the same deadline.
   */
  async raw(path: string, headerLines: string[]): Promise<RawAnswer> {
    const url = new URL(this.#base);
    const where = `GET ${this.#base}${path}`;
    const socket = connect(Number(url.port), url.hostname);
    socket.setTimeout(this.#timeoutMs, () =>
      socket.destroy(Object.assign(new Error('deadline'), { name: 'TimeoutError' })),
    );
    let text = '';
    try {
      await once(socket, 'connect');
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: ${url.host}`,
          'Connection: close',
          ...headerLines,
          '',
          '',
        ].join('\r\n'),
      );
      for await (const chunk of socket) text += String(chunk);
    } catch (error) {
      socket.destroy();
      throw new ConformanceFailure(requestFailure('GET', where.slice(4), error, this.#timeoutMs));
    }
    const [head = '', ...rest] = text.split('\r\n\r\n');
    const challenge = /^www-authenticate:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? null;
    return {
      request: `GET ${path}`,
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
      wwwAuthenticate: challenge,
      body: rest.join('\r\n\r\n'),
    };
  }

  /** A cookie-keeping session, as a browser using the login form would be. */
  session(options: SessionOptions = {}): BrowserSession {
    return new BrowserSession(this, options);
  }
}

/** Keeps the cookies an app sets, and sends them back. */
export class BrowserSession {
  readonly #http: ConformanceHttp;
  readonly #ip: string | undefined;
  readonly #cookies: Map<string, string>;

  constructor(http: ConformanceHttp, options: SessionOptions, cookies = new Map<string, string>()) {
    this.#http = http;
    this.#ip = options.ip;
    this.#cookies = cookies;
  }

  /**
   * A copy of this browser as it is now: the cookies it holds (a session id an attacker may have
   * learnt), which the original's later requests no longer change.
   */
  snapshot(): BrowserSession {
    return new BrowserSession(this.#http, this.#optionsOf(), new Map(this.#cookies));
  }

  /** The same browser (the same cookie jar) sent to another instance of the app. */
  via(http: ConformanceHttp): BrowserSession {
    return new BrowserSession(http, this.#optionsOf(), this.#cookies);
  }

  #optionsOf(): SessionOptions {
    return this.#ip === undefined ? {} : { ip: this.#ip };
  }

  /** Every cookie value the app set, joined (to check no token is in it). */
  get cookieText(): string {
    return [...this.#cookies.values()].join('; ');
  }

  /** One request of this session, with its cookies and claimed IP; keeps the cookies it sets. */
  async send(
    path: string,
    init: { method?: string; form?: Record<string, string>; json?: unknown } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers['cookie'] = this.cookieText;
    if (this.#ip !== undefined) headers['x-forwarded-for'] = this.#ip;
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const answer = await this.#http.request(path, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    for (const cookie of answer.cookies) {
      const [pair] = cookie.split(';');
      const separator = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && separator > 0) this.#cookies.set(pair.slice(0, separator), pair);
    }
    return answer;
  }

  /** Signs in through the app's login route with a form. */
  login(username: string, password: string, extra: Record<string, string> = {}): Promise<Answer> {
    return this.send('/login', { form: { username, password, ...extra } });
  }
}
