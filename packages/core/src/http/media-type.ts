/** RFC 9110 section 5.6.2: `token = 1*tchar`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The type and subtype of a media type, lowercased; parameters are left out. */
export interface MediaType {
  type: string;
  subtype: string;
}

/**
 * Parses a `Content-Type` value (RFC 9110 section 8.3.1): `type "/" subtype *( OWS ";" OWS
 * parameter )`. Type and subtype are tokens, compared case-insensitively, so they are returned
 * lowercased; parameters (`charset`, `profile`, ...) are ignored. Returns `undefined` for an
 * absent, empty or malformed value, and for a field sent several times (it is a singleton).
 */
export function parseMediaType(
  value: string | readonly string[] | undefined,
): MediaType | undefined {
  const text = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  if (typeof text !== 'string') return undefined;
  const essence = (text.split(';', 1)[0] ?? '').replace(/^[ \t]+|[ \t]+$/g, '');
  const slash = essence.indexOf('/');
  if (slash < 0) return undefined;
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase() };
}

/**
 * True for `application/json` (RFC 8259 section 11) and `application/<name>+json`, the
 * structured syntax suffix of RFC 6839 section 3.1 (e.g. `application/problem+json`). Not for
 * `text/json`, `application/jsonp`, `application/json-seq` or `text/plain; profile=json`.
 */
export function isJsonMediaType(mediaType: MediaType | undefined): boolean {
  if (mediaType?.type !== 'application') return false;
  const { subtype } = mediaType;
  return subtype === 'json' || (subtype.length > '+json'.length && subtype.endsWith('+json'));
}

/** RFC 9457 section 3: `application/problem+json`. */
export function isProblemJson(mediaType: MediaType | undefined): boolean {
  return mediaType?.type === 'application' && mediaType.subtype === 'problem+json';
}

/** `type/subtype` for a message. */
export function formatMediaType(mediaType: MediaType): string {
  return `${mediaType.type}/${mediaType.subtype}`;
}
