/** One challenge of a `WWW-Authenticate` header: its scheme and auth-params (names lower case). */
export interface AuthChallenge {
  /** As sent; compare case-insensitively (RFC 9110 section 11.1). */
  scheme: string;
  params: Readonly<Record<string, string>>;
}

/** RFC 9110 section 5.6.2 `tchar`. */
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Most challenges read from one header: a bound on the work a hostile header can cause. */
const MAX_CHALLENGES = 16;

/**
 * The challenges of a `WWW-Authenticate` value (RFC 9110 section 11.6.1): `challenge =
 * auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, several separated by commas, as RFC 9449
 * section 7.2 has a server send `Bearer` and `DPoP` ones in one header. Parameters belong to the
 * challenge they follow, so one scheme's `error` is never read as another's. Lenient: what does
 * not parse is skipped, a token68 is dropped.
 */
export function parseChallenges(header: string | null | undefined): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  if (typeof header !== 'string') return challenges;
  const text = header.slice(0, 8192);
  let at = 0;
  const skip = (pattern: RegExp) => {
    while (at < text.length && pattern.test(text.charAt(at))) at++;
  };
  const token = () => {
    const start = at;
    while (at < text.length && TCHAR.test(text.charAt(at))) at++;
    return text.slice(start, at);
  };
  while (at < text.length) {
    skip(/[\s,]/);
    if (at >= text.length) break;
    const name = token();
    if (name === '') {
      at++; // not a token: skip the character
      continue;
    }
    skip(/[ \t]/);
    if (text.charAt(at) !== '=') {
      if (challenges.length >= MAX_CHALLENGES) break;
      challenges.push({ scheme: name, params: {} });
      continue;
    }
    at++;
    skip(/[ \t]/);
    let value: string;
    if (text.charAt(at) === '"') {
      // quoted-string (RFC 9110 section 5.6.4), with its quoted-pairs.
      at++;
      value = '';
      while (at < text.length && text.charAt(at) !== '"') {
        if (text.charAt(at) === '\\') at++;
        value += text.charAt(at);
        at++;
      }
      at++;
    } else {
      value = token();
    }
    const current = challenges.at(-1);
    const param = name.toLowerCase();
    // A token68 ends in "="s: those are not parameters. The first of a name counts.
    if (current !== undefined && value !== '' && !(param in current.params)) {
      current.params[param] = value;
    }
  }
  return challenges;
}

/**
 * The `error` of the first challenge of `scheme` (case-insensitive) in a `WWW-Authenticate`
 * value, e.g. `use_dpop_nonce` (RFC 9449 section 9) or `invalid_token` (RFC 6750 section 3.1).
 */
export function challengeError(
  header: string | null | undefined,
  scheme: 'Bearer' | 'DPoP',
): string | undefined {
  const wanted = scheme.toLowerCase();
  return parseChallenges(header).find((challenge) => challenge.scheme.toLowerCase() === wanted)
    ?.params['error'];
}
