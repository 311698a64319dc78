import { setMostRecent } from '../bounded-map.js';
import { isNonce } from './dpop-proof-signer.js';

/** Longest nonce remembered; a longer `DPoP-Nonce` is ignored (a bound on what a proof holds). */
const MAX_NONCE_LENGTH = 1024;

/**
 * The last server-provided DPoP nonce of each origin (RFC 9449 section 8 for authorization
 * servers, section 9 for resource servers): a server may send a new one in any answer (section
 * 8.2), and the next proof to that origin must carry it. Keyed by origin, as one server issues
 * nonces for all its endpoints; bounded, least recently used dropped first.
 */
export class DpopNonceMemory {
  readonly #nonces = new Map<string, string>();
  readonly #maxOrigins: number;

  /** @param maxOrigins most origins remembered. Default `100`. */
  constructor(maxOrigins = 100) {
    if (!Number.isSafeInteger(maxOrigins) || maxOrigins < 1) {
      throw new TypeError('"maxOrigins" must be a positive whole number');
    }
    this.#maxOrigins = maxOrigins;
  }

  /** The nonce to send to `url`'s origin, if one is known. */
  get(url: string | URL): string | undefined {
    const origin = originOf(url);
    if (origin === undefined) return undefined;
    const nonce = this.#nonces.get(origin);
    if (nonce !== undefined) setMostRecent(this.#nonces, origin, nonce, this.#maxOrigins);
    return nonce;
  }

  /**
   * Remembers the `DPoP-Nonce` header of an answer from `url` (RFC 9449 section 8.1: `nonce =
   * 1*NQCHAR`), whatever its status. A missing or malformed header changes nothing.
   *
   * @returns the nonce read, or `undefined` when the answer had no usable one.
   */
  remember(
    url: string | URL,
    nonceHeader: string | readonly string[] | null | undefined,
  ): string | undefined {
    const value = Array.isArray(nonceHeader) ? nonceHeader[0] : nonceHeader;
    if (typeof value !== 'string') return undefined;
    const nonce = value.trim();
    if (nonce === '' || nonce.length > MAX_NONCE_LENGTH || !isNonce(nonce)) return undefined;
    const origin = originOf(url);
    if (origin === undefined) return undefined;
    setMostRecent(this.#nonces, origin, nonce, this.#maxOrigins);
    return nonce;
  }

  /** Number of origins with a nonce. */
  get size(): number {
    return this.#nonces.size;
  }
}

function originOf(url: string | URL): string | undefined {
  try {
    const { origin } = url instanceof URL ? url : new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
