import { once } from 'node:events';
import { connect } from 'node:net';

/** An answer as the kit compares it. */
export interface Answer {
  status: number;
  wwwAuthenticate: string | null;
  contentType: string | null;
  cacheControl: string | null;
  /** Every `Set-Cookie` value. */
  cookies: string[];
  body: string;
  /** The body parsed as JSON (throws if it is not JSON). */
  json(): unknown;
  /** One member of a JSON object body; `undefined` when the body is not one. */
  field(name: string): unknown;
}

/** A browser-like session: keeps cookies between requests, and may claim an end-user IP. */
export interface SessionOptions {
  /** Sent as `X-Forwarded-For`, for apps started with `trustProxy`. */
  ip?: string;
}

/** HTTP helpers for one app. */
export class ConformanceHttp {
  readonly #base: string;

  constructor(baseUrl: string) {
    this.#base = baseUrl;
  }

  get baseUrl(): string {
    return this.#base;
  }

  /** One request with the given headers and optional body. */
  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> {
    const response = await fetch(`${this.#base}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
    });
    const body = await response.text();
    return {
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
      contentType: response.headers.get('content-type'),
      cacheControl: response.headers.get('cache-control'),
      cookies: response.headers.getSetCookie(),
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

  /** Raw HTTP/1.1 bytes, for what fetch cannot send (a repeated header). Returns the status. */
  async raw(path: string, headerLines: string[]): Promise<number> {
    const url = new URL(this.#base);
    const socket = connect(Number(url.port), url.hostname);
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
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
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
