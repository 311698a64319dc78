import { inspect } from 'node:util';
import { DpopNonceMemory } from './dpop-nonce-memory.js';
import type { DpopProofSigner, DpopSigningAlgorithm } from './dpop-proof-signer.js';

/** Response headers as undici's `request` (a record) or `fetch` (a `Headers`) give them. */
export type DpopResponseHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * A client's DPoP key and what it has learnt from servers (RFC 9449): the proof signer, and the
 * last nonce of each origin (section 8 and 9). A `TokenClient` created with the `dpop` option has
 * one (`client.dpop`); its token requests, `createAuthorizedFetch` and `bearerTokenInterceptor`
 * use it. Use it yourself to call an API with another HTTP client:
 *
 * @example
 * ```ts
 * const tokens = await manager.getTokenSet(key);
 * const proof = client.dpop.proof('GET', url, tokens.accessToken);
 * const response = await fetch(url, {
 *   headers: { authorization: `DPoP ${tokens.accessToken}`, dpop: proof },
 * });
 * client.dpop.rememberNonce(url, response.headers); // the next proof carries a new nonce
 * ```
 */
export class DpopHandle {
  readonly #signer: DpopProofSigner;
  readonly #nonces: DpopNonceMemory;

  /** @param nonces where nonces are kept. Default: 100 origins, least recently used dropped. */
  constructor(signer: DpopProofSigner, nonces: DpopNonceMemory = new DpopNonceMemory()) {
    this.#signer = signer;
    this.#nonces = nonces;
  }

  /** The JWS algorithm of the proofs. */
  get alg(): DpopSigningAlgorithm {
    return this.#signer.alg;
  }

  /** The public key the proofs carry, and the tokens are bound to. */
  get publicJwk(): Readonly<Record<string, string>> {
    return this.#signer.publicJwk;
  }

  /** The key's RFC 7638 thumbprint: a bound access token's `cnf.jkt` (RFC 9449 section 6.1). */
  get thumbprint(): string {
    return this.#signer.thumbprint;
  }

  /**
   * A new proof for one request (RFC 9449 section 4.2), with the nonce last received from the
   * URL's origin, if any. `accessToken`: the token the request carries (`Authorization: DPoP`),
   * hashed into `ath`; leave it out for a token request.
   *
   * @throws {TypeError} the method or URL cannot be proven (not http(s), not a method name).
   */
  proof(method: string, url: string | URL, accessToken?: string): string {
    return this.#signer.proof({ method, url, accessToken, nonce: this.#nonces.get(url) });
  }

  /**
   * Keeps the `DPoP-Nonce` of an answer from `url` for the next proof to its origin (a server
   * may send a new one in any answer, section 8.2). Call it with every answer's headers.
   *
   * @returns the nonce the answer carried, or `undefined`.
   */
  rememberNonce(url: string | URL, headers: DpopResponseHeaders): string | undefined {
    const value =
      headers instanceof Headers ? headers.get('dpop-nonce') : headerValue(headers, 'dpop-nonce');
    return this.#nonces.remember(url, value);
  }

  /** The algorithm and thumbprint: never the key. */
  toJSON(): { alg: DpopSigningAlgorithm; thumbprint: string } {
    return this.#signer.toJSON();
  }

  /** `DpopHandle { alg, thumbprint }`: never the key. */
  [inspect.custom](): string {
    return `DpopHandle { alg: ${this.alg}, thumbprint: ${this.thumbprint} }`;
  }
}

/** A header of a plain record, whatever the case of its name. */
function headerValue(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  name: string,
): string | readonly string[] | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}
