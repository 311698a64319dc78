/**
 * Largest `Retry-After` kept, in seconds: one day. A longer wait is read as one day, so that a
 * hostile or broken server cannot park a client for months, and so that the value, turned into
 * milliseconds, stays far below the 2^31 - 1 ms that `setTimeout` takes (a longer timer fires
 * at once, which would turn "wait a year" into "retry now").
 */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** RFC 9110 section 5.6.7 IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`,
);
/** RFC 9110 section 5.6.7 obsolete rfc850-date: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
/** RFC 9110 section 5.6.7 obsolete asctime-date: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`,
);

/**
 * Reads `Retry-After` (RFC 9110 section 10.2.3): `delay-seconds` (`1*DIGIT`) or an
 * `HTTP-date` in any of the three formats a recipient must accept (section 5.6.7). Returns the
 * seconds to wait from `nowMs`: a whole number, never negative (a date in the past means "now"),
 * capped at {@link MAX_RETRY_AFTER_SECONDS}. Anything else (fractions, signs, exponents, a date
 * with trailing text, several different values) is garbage and gives `undefined`, as does an
 * absent header. `Date.parse` is not used: it accepts far more than HTTP-date (`"2"`, `"soon 5"`).
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (Array.isArray(value)) {
    // A singleton field sent more than once (RFC 9110 section 5.5): usable only if the copies agree.
    const distinct = new Set(value.map((v) => v.trim()));
    if (distinct.size === 1) text = value[0];
  }
  if (text === undefined) return undefined;
  // Field values have no leading or trailing whitespace (RFC 9110 section 5.5); tolerate OWS.
  text = text.replace(/^[ \t]+|[ \t]+$/g, '');
  if (/^\d+$/.test(text)) {
    // Leading zeros, and numbers too long to be exact, are still numbers of seconds.
    return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  }
  const date = parseHttpDate(text, nowMs);
  if (date === undefined) return undefined;
  const seconds = Math.max(0, Math.ceil((date - nowMs) / 1000));
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/** An HTTP-date (RFC 9110 section 5.6.7) in epoch milliseconds, or `undefined`. */
export function parseHttpDate(text: string, nowMs: number): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match;
    return utc(year, month, day, hour, minute, second);
  }
  match = RFC850_DATE.exec(text);
  if (match !== null) {
    const [, day, month, yy, hour, minute, second] = match;
    // Section 5.6.7: a two-digit year more than 50 years in the future is the most recent past
    // year with those last two digits.
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(yy);
    if (year > nowYear + 50) year -= 100;
    return utc(String(year), month, day, hour, minute, second);
  }
  match = ASCTIME_DATE.exec(text);
  if (match !== null) {
    const [, month, day, hour, minute, second, year] = match;
    return utc(year, month, day?.trim(), hour, minute, second);
  }
  return undefined;
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | undefined {
  const y = Number(year);
  const m = MONTHS.indexOf((month ?? '').toLowerCase());
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (![y, d, h, mi, s].every(Number.isInteger) || m < 0) return undefined;
  // Section 5.6.7: hour 00-23, minute 00-59, second 00-60 (a leap second).
  if (h > 23 || mi > 59 || s > 60 || d < 1) return undefined;
  const ms = Date.UTC(y, m, d, h, mi, Math.min(s, 59));
  // Refuses 31 Feb and the like, which Date.UTC would roll over into March.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms + (s === 60 ? 1000 : 0);
}
