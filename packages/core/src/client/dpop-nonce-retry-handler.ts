import type { Dispatcher } from 'undici';
import type { DpopHandle } from '../dpop/dpop-handle.js';
import { challengeError } from './auth-challenges.js';

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/** What {@link DpopNonceRetryHandler} needs besides the handler it wraps. */
export interface DpopNonceRetryOptions {
  /** The handler the answer is for. */
  handler: Dispatcher.DispatchHandler;
  /** The DPoP handle whose nonces the answers feed. */
  dpop: DpopHandle;
  /** The request's URL (its origin keys the nonce). */
  url: URL;
  /**
   * Sends the request again with a new proof (which takes the nonce just kept), this handler
   * receiving the answer; `undefined` when the body cannot be sent twice.
   */
  retry: ((handler: Dispatcher.DispatchHandler) => void) | undefined;
}

/**
 * An undici handler for a request sent with a DPoP-bound token (RFC 9449 section 7.1): keeps each
 * answer's `DPoP-Nonce` for the next proof to its origin, and when the resource server answers
 * 401 with a `DPoP` challenge `use_dpop_nonce` and a nonce (section 9), swallows that answer and
 * sends the request once more, with a proof carrying the nonce. Once: the second answer, whatever
 * it is, goes to the wrapped handler.
 */
export class DpopNonceRetryHandler implements Dispatcher.DispatchHandler {
  readonly #options: DpopNonceRetryOptions;
  #retried = false;
  /** True while the refused answer is being read to its end, to be dropped. */
  #dropping = false;

  constructor(options: DpopNonceRetryOptions) {
    this.#options = options;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#options.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Controller,
    statusCode: number,
    headers: Headers,
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.#options.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Headers,
    statusMessage?: string,
  ): void {
    const { handler, dpop, url, retry } = this.#options;
    if (statusCode >= 200) {
      const nonce = dpop.rememberNonce(url, headers);
      const challenge = headers['www-authenticate'];
      if (
        !this.#retried &&
        retry !== undefined &&
        statusCode === 401 &&
        nonce !== undefined &&
        challengeError(Array.isArray(challenge) ? challenge.join(', ') : challenge, 'DPoP') ===
          'use_dpop_nonce'
      ) {
        this.#retried = true;
        this.#dropping = true;
        return;
      }
    }
    handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (!this.#dropping) this.#options.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Headers): void {
    if (!this.#dropping) {
      this.#options.handler.onResponseEnd?.(controller, trailers);
      return;
    }
    this.#dropping = false;
    try {
      this.#options.retry?.(this);
    } catch (error) {
      this.onResponseError(controller, error instanceof Error ? error : new Error(String(error)));
    }
  }

  onResponseError(controller: Controller, error: Error): void {
    this.#dropping = false;
    this.#options.handler.onResponseError?.(controller, error);
  }
}
