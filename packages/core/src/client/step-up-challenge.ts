import { TokenError } from './token-errors.js';

/**
 * What an API asks of the user's authentication in an `insufficient_user_authentication`
 * challenge (RFC 9470 section 3): read, checked and frozen.
 */
export interface StepUpChallenge {
  /**
   * The acceptable authentication context classes (`acr_values`), in the API's order of
   * preference; empty when the challenge named none.
   */
  readonly acrValues: readonly string[];
  /** The largest acceptable age of the authentication in seconds (`max_age`); `undefined`: any. */
  readonly maxAge: number | undefined;
}

/** RFC 9110 section 5.6.2 `tchar`. */
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
/** RFC 9110 section 11.2 `token68`, before its trailing `=`s. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]$/;
/** RFC 9110 section 5.6.4 `qdtext`, and what a `quoted-pair` may escape (with `"` and `\`). */
const QDTEXT = /^[\t \x21\x23-\x5B\x5D-\x7E\x80-\xFF]$/;
const QUOTABLE = /^[\t \x21-\x7E\x80-\xFF]$/;
/**
 * One ACR value of `acr_values`: visible ASCII without `"` and `\` (the `NQCHAR`s of RFC 6749
 * appendix A, as the API side, `requireStepUp`, accepts them); values are separated by one space.
 */
const ACR_VALUES = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
/** `max_age`: a non-negative whole number of seconds (RFC 9470 section 3), at most ten digits. */
const MAX_AGE = /^\d{1,10}$/;
/** The longest header read: a bound on the work a hostile API can cause. */
const MAX_HEADER_LENGTH = 16_384;

interface Challenge {
  scheme: string;
  params: Map<string, string>;
}

/**
 * The challenges of a `WWW-Authenticate` value, read strictly (RFC 9110 section 11.6.1: `#challenge`,
 * `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, values a `token` or a
 * `quoted-string`). `undefined` when the value does not follow that grammar, or a challenge names
 * a parameter twice (RFC 9110 section 11.2, RFC 6750 section 3: "MUST NOT appear more than
 * once"): what a malformed header asks is not guessed.
 */
function parseChallengesStrictly(header: string): Challenge[] | undefined {
  if (header.length > MAX_HEADER_LENGTH) return undefined;
  const challenges: Challenge[] = [];
  let at = 0;
  const char = (offset = 0) => header.charAt(at + offset);
  const skipSpaces = () => {
    while (char() === ' ' || char() === '\t') at++;
  };
  const readToken = () => {
    const start = at;
    while (at < header.length && TCHAR.test(char())) at++;
    return header.slice(start, at);
  };
  /** Whether an `auth-param` (`token BWS "=" BWS ( token / quoted-string )`) starts here. */
  const paramAhead = () => {
    const start = at;
    const name = readToken();
    skipSpaces();
    const equals = char() === '=';
    at++;
    skipSpaces();
    const value = char();
    at = start;
    return name !== '' && equals && (value === '"' || TCHAR.test(value));
  };
  /** One `auth-param` into `params`; `false` when malformed or repeated. */
  const readParam = (params: Map<string, string>): boolean => {
    const name = readToken().toLowerCase();
    skipSpaces();
    at++; // "=", checked by paramAhead
    skipSpaces();
    let value = '';
    if (char() === '"') {
      at++;
      for (;;) {
        const next = char();
        if (at >= header.length) return false; // an unterminated quoted-string
        if (next === '"') break;
        if (next === '\\') {
          at++;
          if (!QUOTABLE.test(char())) return false;
        } else if (!QDTEXT.test(next)) {
          return false;
        }
        value += char();
        at++;
      }
      at++;
    } else {
      value = readToken();
    }
    if (params.has(name)) return false;
    params.set(name, value);
    return true;
  };

  while (at < header.length) {
    skipSpaces();
    if (char() === ',') {
      at++; // an empty list element (RFC 9110 section 5.6.1)
      continue;
    }
    if (at >= header.length) break;
    const scheme = readToken();
    if (scheme === '') return undefined;
    const challenge: Challenge = { scheme, params: new Map() };
    challenges.push(challenge);
    if (at >= header.length || char() === ',') continue;
    if (char() !== ' ' && char() !== '\t') return undefined;
    skipSpaces();
    if (at >= header.length || char() === ',') continue;
    if (!paramAhead()) {
      // token68: the whole of the challenge's credentials.
      const start = at;
      while (at < header.length && TOKEN68.test(char())) at++;
      if (at === start) return undefined;
      while (char() === '=') at++;
      skipSpaces();
      if (at < header.length && char() !== ',') return undefined;
      continue;
    }
    // #auth-param: parameters up to the next element that is not one (the next challenge).
    for (;;) {
      if (!readParam(challenge.params)) return undefined;
      skipSpaces();
      if (at >= header.length) break;
      if (char() !== ',') return undefined;
      while (char() === ',' || char() === ' ' || char() === '\t') at++;
      if (at >= header.length || !paramAhead()) break;
    }
  }
  return challenges;
}

/**
 * The step-up an API asks for in a `WWW-Authenticate` value (RFC 9470 section 3): the `error` of
 * the challenge of the scheme the access token was sent with is `insufficient_user_authentication`
 * (for a DPoP-bound token, the `DPoP` challenge's, else the `Bearer` one's, RFC 9449 section
 * 7.1), with an optional `acr_values` (space-separated values) and `max_age` (whole seconds), each
 * a token or a quoted-string. Several challenges in one value, or in several headers joined with
 * commas, are told apart by the grammar of RFC 9110 section 11.6.1.
 *
 * `undefined` when the header holds no such challenge, or when it is malformed: not that grammar,
 * a parameter repeated in a challenge, an `acr_values` with an empty value, extra spaces or a
 * quote, a `max_age` that is not a whole number. A requirement is never guessed.
 *
 * @example
 * ```ts
 * readStepUpChallenge('Bearer realm="api", error="insufficient_user_authentication", acr_values="urn:mace:incommon:iap:silver", max_age=300');
 * // { acrValues: ['urn:mace:incommon:iap:silver'], maxAge: 300 }
 * ```
 */
export function readStepUpChallenge(
  wwwAuthenticate: string | null | undefined,
  tokenType: 'Bearer' | 'DPoP' = 'Bearer',
): StepUpChallenge | undefined {
  if (typeof wwwAuthenticate !== 'string') return undefined;
  const challenges = parseChallengesStrictly(wwwAuthenticate);
  if (challenges === undefined) return undefined;
  // The first challenge of the scheme that names an error: a server may send a bare challenge of
  // the scheme before the one with the error (RFC 9110 section 11.6.1 allows several).
  const first = (scheme: string) =>
    challenges.find(
      (challenge) => challenge.scheme.toLowerCase() === scheme && challenge.params.has('error'),
    );
  const dpop = tokenType === 'DPoP' ? first('dpop') : undefined;
  const challenge = dpop ?? first('bearer');
  if (challenge?.params.get('error') !== 'insufficient_user_authentication') return undefined;
  const acrValues = challenge.params.get('acr_values');
  const maxAge = challenge.params.get('max_age');
  if (acrValues !== undefined && !ACR_VALUES.test(acrValues)) return undefined;
  if (maxAge !== undefined && !MAX_AGE.test(maxAge)) return undefined;
  return Object.freeze({
    acrValues: Object.freeze(acrValues === undefined ? [] : acrValues.split(' ')),
    maxAge: maxAge === undefined ? undefined : Number(maxAge),
  });
}

/** Whether two step-up requirements ask the same: the same ACR values (any order), the same age. */
export function sameStepUp(a: StepUpChallenge, b: StepUpChallenge): boolean {
  return (
    a.maxAge === b.maxAge &&
    a.acrValues.length === b.acrValues.length &&
    a.acrValues.every((value) => b.acrValues.includes(value))
  );
}

/**
 * The API answered 401 `insufficient_user_authentication` (RFC 9470): the access token is good,
 * but the user's authentication behind it is not strong enough (`acrValues`) or not recent enough
 * (`maxAge`) for this call. The user must sign in again with the password grant carrying
 * `acr_values` and `max_age`; for Auth0, that is a sign-in with MFA.
 *
 * 401, with its own `code`, `step_up_required`. Not a `ReauthenticationRequiredError`: a handler
 * written for that one ends the session (the refresh token stopped working), which would forget
 * the step-up the engine keeps under it, and the next sign-in would be password-only again, round
 * and round; the session must stay. The sign-in engine's `apiFetch`
 * remembers the requirement and where the user was for the next sign-in; `renderError` answers it
 * 401 `login_required` with `acr_values` and `max_age`. Its message and fields hold no token and
 * nothing the API wrote besides the requirement.
 */
export class StepUpRequiredError extends TokenError {
  readonly code = 'step_up_required' as const;
  /** 401, also as http-errors and Fastify name it: frameworks answer it 401, never 500. */
  readonly status = 401;
  readonly statusCode = 401;
  /** Koa shows the (secret-free) message to the client. */
  readonly expose = true;
  /** The acceptable authentication context classes, in the API's order of preference; empty: any. */
  readonly acrValues: readonly string[];
  /** The largest acceptable age of the authentication in seconds; `undefined`: any. */
  readonly maxAge: number | undefined;

  constructor(challenge: StepUpChallenge, options?: ErrorOptions) {
    super(
      'The API asks the user to sign in again, with a stronger or more recent authentication (RFC 9470 insufficient_user_authentication)',
      options,
    );
    this.acrValues = Object.freeze([...challenge.acrValues]);
    this.maxAge = challenge.maxAge;
  }
}

/**
 * The API still answered `insufficient_user_authentication`, for the same requirement, right
 * after the user signed in again for it: the sign-in did not give what the API asks (a tenant that
 * does not turn `acr_values` into MFA, an API that wants an `acr` the tenant never issues), and
 * another one would not either. 403: the user is signed in, the action is refused.
 * `renderError` answers it 403 `insufficient_user_authentication`.
 */
export class StepUpFailedError extends TokenError {
  readonly code = 'step_up_failed' as const;
  /** 403, also as http-errors and Fastify name it: frameworks answer it 403, never 500. */
  readonly status = 403;
  readonly statusCode = 403;
  /** Koa shows the (secret-free) message to the client. */
  readonly expose = true;
  /** What the API asked, as in {@link StepUpRequiredError.acrValues}. */
  readonly acrValues: readonly string[];
  /** What the API asked, as in {@link StepUpRequiredError.maxAge}. */
  readonly maxAge: number | undefined;

  constructor(challenge: StepUpChallenge, options?: ErrorOptions) {
    super(
      'The API still refuses the user authentication after a step-up sign-in for the same requirement',
      options,
    );
    this.acrValues = Object.freeze([...challenge.acrValues]);
    this.maxAge = challenge.maxAge;
  }
}
