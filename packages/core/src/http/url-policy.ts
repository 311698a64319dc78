/**
 * Loopback hosts, where plain `http:` is allowed for tests and local development.
 * `URL.hostname` keeps the brackets of an IPv6 literal.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Why a URL may not be used for issuer, discovery or key set requests, or `undefined` when it
 * may. Tokens and keys travel over it, so it must be `https:` unless the host is loopback or the
 * caller allowed plain HTTP explicitly.
 */
export function insecureUrlReason(url: URL, allowInsecureHttp: boolean): string | undefined {
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must use https';
  if (allowInsecureHttp || isLoopbackHost(url.hostname)) return undefined;
  return 'must use https (plain http is allowed only on loopback hosts or with allowInsecureHttp)';
}

/**
 * Parses and checks a URL option.
 *
 * @throws {TypeError} naming the option, when the value is not an absolute, allowed URL.
 */
export function parseUrlOption(value: unknown, option: string, allowInsecureHttp: boolean): URL {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`"${option}" must be a URL string`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`"${option}" must be an absolute URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`"${option}" must not contain credentials`);
  }
  const reason = insecureUrlReason(url, allowInsecureHttp);
  if (reason !== undefined) throw new TypeError(`"${option}" ${reason}`);
  return url;
}
