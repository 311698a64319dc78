import { isUtf8 } from 'node:buffer';
import { scratch } from './scratch.js';

/**
 * RFC 7515 section 7.1 with RFC 7515 section 2's base64url (no padding, no whitespace, no other
 * characters): `header.payload.signature`, each part non-empty. jose decodes leniently (padding,
 * whitespace and stray low bits pass), so a token is checked against this before anything is
 * decoded: one token must have exactly one spelling.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Why a JWS (or its JOSE header) is refused, before any key is looked up. */
export type JwsFormatReason =
  /** Not the strict compact serialization, or a header that is not a JSON object. */
  | 'malformed'
  /** `crit` names an extension this implementation does not understand, or `b64` is not `true`. */
  | 'unsupported'
  /** `alg` names an algorithm outside the allow-list. */
  | 'algorithm';

/** A JWS refused on its form alone; `reason` says which rule. Never carries token bytes. */
export class JwsFormatError extends Error {
  override readonly name = 'JwsFormatError';
  readonly reason: JwsFormatReason;

  constructor(reason: JwsFormatReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A JOSE header: a JSON object, `alg` checked to be a non-empty string. */
export type JoseHeader = Readonly<Record<string, unknown>> & { readonly alg: string };

/** A compact JWS split and decoded, its signature not yet verified. */
export interface CompactJws {
  /** The protected header, as `JSON.parse` gave it. */
  readonly header: JoseHeader;
  /** The JWS Signing Input (RFC 7515 section 5.2): `header.payload`, ASCII. */
  readonly signingInput: string;
  /** The payload segment, still base64url-encoded: decoded only once the signature holds. */
  readonly payload: string;
  /** The signature segment, still base64url-encoded (canonical): see `verifyJwsSignature`. */
  readonly signature: string;
}

/** Each segment of `header.payload.signature` (split at `first` and `second`) canonical. */
function hasCanonicalSegments(token: string, first: number, second: number): boolean {
  return (
    isCanonicalBase64url(token, 0, first) &&
    isCanonicalBase64url(token, first + 1, second) &&
    isCanonicalBase64url(token, second + 1, token.length)
  );
}

/**
 * Base64url characters whose value has its low 4 (or 2) bits clear: the only ones a canonical
 * encoder ends a 2-character (or 3-character) final group with (RFC 4648 section 3.5).
 */
const ENDS_2 = new Set('AQgw');
const ENDS_3 = new Set('AEIMQUYcgkosw048');

/**
 * True when `text.slice(start, end)` (already known to hold base64url characters only) has a
 * length a base64url string can have and no stray bits in its last character: a length of 4n+1
 * decodes to nothing valid, and a decoder that drops stray bits would read 16 (or 4) spellings as
 * the same bytes (RFC 4648 sections 3.5 and 5).
 */
export function isCanonicalBase64url(text: string, start: number, end: number): boolean {
  const length = end - start;
  switch (length % 4) {
    case 0:
      return true;
    case 2:
      return ENDS_2.has(text.charAt(end - 1));
    case 3:
      return ENDS_3.has(text.charAt(end - 1));
    default:
      return false;
  }
}

/**
 * Decodes a base64url segment of JSON to a plain object the way jose 6 does: strict UTF-8
 * (invalid sequences refused), one leading byte order mark dropped (TextDecoder's default),
 * `JSON.parse` (duplicate members: the last one wins), and only a JSON object accepted.
 * `undefined` for anything else.
 */
export function decodeJsonSegment(segment: string): Record<string, unknown> | undefined {
  const bytes = scratch(segment.length);
  const length = bytes.write(segment, 0, 'base64url');
  let text = bytes.toString('utf8', 0, length);
  // Node's decoder replaces each invalid sequence with U+FFFD: without one, the bytes were valid
  // UTF-8 and the strict check can be skipped.
  if (text.includes('\uFFFD') && !isUtf8(bytes.subarray(0, length))) return undefined;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isJsonObject(parsed) ? parsed : undefined;
}

/**
 * The payload of a JWS whose signature holds, decoded as {@link decodeJsonSegment} does (jose's
 * order: the payload is read only after the signature).
 *
 * @throws {JwsFormatError} `malformed`: the payload is not a JSON object.
 */
export function decodeJwsPayload(jws: CompactJws): Record<string, unknown> {
  const payload = decodeJsonSegment(jws.payload);
  if (payload === undefined) {
    throw new JwsFormatError('malformed', 'The payload is not a JSON object');
  }
  return payload;
}

/** A value `JSON.parse` returned that is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits and decodes a compact JWS, and applies the JOSE header rules every JWS profile shares
 * (RFC 7515 section 4.1): `alg` a non-empty string within `algorithms`, `crit` understood. The only
 * extension understood is `b64` (RFC 7797), and only as `true`: a JWT never has an unencoded
 * payload. The signature is not checked here: see `verifyJwsSignature`.
 *
 * @throws {JwsFormatError} `malformed`, `unsupported` or `algorithm`.
 */
export function decodeCompactJws(token: string, algorithms: ReadonlySet<string>): CompactJws {
  if (!COMPACT_JWS.test(token)) throw new JwsFormatError('malformed', 'Not a compact JWS');
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (!hasCanonicalSegments(token, first, second)) {
    throw new JwsFormatError('malformed', 'Not canonical base64url');
  }
  const header = decodeHeader(token.slice(0, first));
  if (!algorithms.has(header.alg)) {
    throw new JwsFormatError('algorithm', 'The algorithm is not allowed');
  }
  return {
    header,
    signingInput: token.slice(0, second),
    payload: token.slice(first + 1, second),
    signature: token.slice(second + 1),
  };
}

/**
 * Headers decoded and checked, by their segment: every token an issuer signs with one key has the
 * same header, so its base64url and JSON decoding are done once. Bounded; a header that fails a
 * rule is never kept.
 */
const HEADERS = new Map<string, JoseHeader>();
const MAX_HEADERS = 64;

/** Freezes a value `JSON.parse` made, and everything in it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/** The JOSE header of a segment, frozen: decoded, `crit` understood, `alg` a non-empty string. */
function decodeHeader(segment: string): JoseHeader {
  const cached = HEADERS.get(segment);
  if (cached !== undefined) return cached;
  const header = decodeJsonSegment(segment);
  if (header === undefined) {
    throw new JwsFormatError('malformed', 'The header is not a JSON object');
  }
  checkCrit(header);
  if (!hasAlg(header)) throw new JwsFormatError('malformed', 'The alg header is missing');
  // Shared by every token with this header (and every result): frozen all the way down.
  deepFreeze(header);
  if (HEADERS.size >= MAX_HEADERS) {
    const oldest = HEADERS.keys().next();
    if (oldest.done !== true) HEADERS.delete(oldest.value);
  }
  HEADERS.set(segment, header);
  return header;
}

/**
 * RFC 7515 section 4.1.11, checked before `alg` as jose does: `crit` is a non-empty array of
 * non-empty strings, each understood and present.
 */
function checkCrit(header: Record<string, unknown>): void {
  const { crit } = header;
  if (crit === undefined) return;
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    crit.some((name) => typeof name !== 'string' || name === '')
  ) {
    throw new JwsFormatError('malformed', 'The crit header is malformed');
  }
  for (const name of crit) {
    if (name !== 'b64') throw new JwsFormatError('unsupported', 'An extension is not understood');
  }
  // RFC 7797 section 3: `b64` is a boolean; RFC 7797 section 7: a JWT's is never false.
  if (header['b64'] !== true) {
    throw new JwsFormatError('unsupported', 'The payload of a JWT is always base64url-encoded');
  }
}

/** RFC 7515 section 4.1.1: `alg` is a non-empty string. */
function hasAlg(header: Record<string, unknown>): header is JoseHeader {
  return typeof header['alg'] === 'string' && header['alg'] !== '';
}
