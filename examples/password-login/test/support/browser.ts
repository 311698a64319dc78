/**
 * A browser as far as the server can tell: it keeps cookies (RFC 6265 section 5.3, host-only,
 * no path or expiry bookkeeping beyond deletion) and does not follow redirects, so each test sees
 * every 303 it gets.
 */
export class Browser {
  readonly #origin: string;
  readonly #cookies = new Map<string, string>();

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

  async get(path: string): Promise<Response> {
    return this.#request(path, { method: 'GET' });
  }

  /** Submits a form as `application/x-www-form-urlencoded`, as a browser does. */
  async submit(path: string, fields: Record<string, string>): Promise<Response> {
    return this.#request(path, { method: 'POST', body: new URLSearchParams(fields) });
  }

  async #request(path: string, init: RequestInit): Promise<Response> {
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
    return response;
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
