/** A page as {@link Browser} got it: the body is read at once. */
export interface FetchedPage {
  status: number;
  headers: Headers;
  /** The body. */
  text: string;
  /** The `Location` of a redirect, or `null`. */
  location: string | null;
}

const CSRF_INPUT = /name="_csrf" value="([^"]*)"/;

/**
 * A browser as far as the server can tell: it keeps cookies (RFC 6265 section 5.3, host-only,
 * no path or expiry bookkeeping beyond deletion), does not follow redirects, so each test sees
 * every 303 it gets, and sends back the CSRF token of the last page it read, as a form does.
 */
export class Browser {
  readonly #origin: string;
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** The value of a cookie the server set, if it is still there. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** A copy of the cookie jar, to replay an old session later. */
  cookies(): Map<string, string> {
    return new Map(this.#cookies);
  }

  /** Replaces the cookie jar. */
  setCookies(cookies: Map<string, string>): void {
    this.#cookies.clear();
    for (const [name, value] of cookies) this.#cookies.set(name, value);
  }

  /** The CSRF token of the last page read that had a form. */
  csrfToken(): string | undefined {
    return this.#csrf;
  }

  async get(path: string): Promise<FetchedPage> {
    return this.#request(path, { method: 'GET' });
  }

  /**
   * Submits a form as `application/x-www-form-urlencoded`, as a browser does, with the CSRF token
   * of the last page read (the sign-in page's first, if no page was read yet). `csrf` sends
   * another one, `null` none.
   */
  async submit(
    path: string,
    fields: Record<string, string>,
    { csrf }: { csrf?: string | null } = {},
  ): Promise<FetchedPage> {
    if (csrf === undefined && this.#csrf === undefined) await this.get('/');
    const token = csrf === undefined ? this.#csrf : csrf;
    const body = new URLSearchParams(token === null || token === undefined ? {} : { _csrf: token });
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return this.#request(path, { method: 'POST', body });
  }

  /** Posts raw bytes with a content type (not a form a page of the app could send). */
  async post(path: string, body: string, contentType: string): Promise<FetchedPage> {
    return this.#request(path, { method: 'POST', body, headers: { 'content-type': contentType } });
  }

  async #request(path: string, init: RequestInit): Promise<FetchedPage> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) {
      headers.set(
        'cookie',
        [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      );
    }
    const response = await fetch(new URL(path, this.#origin), {
      ...init,
      headers,
      redirect: 'manual',
    });
    for (const setCookie of response.headers.getSetCookie()) this.#store(setCookie);
    const text = await response.text();
    const token = CSRF_INPUT.exec(text)?.[1];
    if (token !== undefined) this.#csrf = token;
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: response.headers.get('location'),
    };
  }

  #store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const expires = attributes.find((attribute) => /^expires=/i.test(attribute));
    const expired =
      attributes.some((attribute) => /^max-age=(0|-\d+)$/i.test(attribute)) ||
      (expires !== undefined && Date.parse(expires.slice('expires='.length)) <= Date.now());
    if (expired) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}
