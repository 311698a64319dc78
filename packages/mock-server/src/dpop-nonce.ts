import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Longest nonce accepted: a period number and a 22-character MAC fit easily. */
const MAX_NONCE_LENGTH = 64;
const NONCE = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/;

/**
 * Server-provided DPoP nonces (RFC 9449 section 8), on the mock's clock and stateless: a nonce is
 * the number of a period of `lifetime` seconds and an HMAC of it, so nothing is stored and a moved
 * clock moves the nonces with it. A nonce is accepted in the period it was issued and the next
 * one, so it lives between one and two lifetimes (section 8 leaves the lifetime to the server). A
 * nonce of a period the clock has not reached (issued before a `reset()` moved the clock back) is
 * not accepted.
 */
export class DpopNonces {
  /** The HMAC key: random per server, so no nonce of another mock is accepted. */
  readonly #secret = randomBytes(32);
  readonly #periodMs: number;

  constructor(lifetimeSeconds: number) {
    this.#periodMs = lifetimeSeconds * 1000;
  }

  /** A nonce for now, the same for every client within a period: `<period>.<base64url MAC>`. */
  current(nowMs: number): string {
    const period = Math.floor(nowMs / this.#periodMs);
    return `${period}.${this.#mac(period).toString('base64url')}`;
  }

  /** Whether `nonce` was issued by this server in the current period or the one before. */
  accepts(nonce: unknown, nowMs: number): boolean {
    if (typeof nonce !== 'string' || nonce.length > MAX_NONCE_LENGTH) return false;
    const match = NONCE.exec(nonce);
    if (match === null) return false;
    const period = Number(match[1]);
    const now = Math.floor(nowMs / this.#periodMs);
    if (period !== now && period !== now - 1) return false;
    const given = Buffer.from(match[2] ?? '', 'base64url');
    // Constant time, although a nonce is no secret: the habit costs nothing.
    return given.length === 16 && timingSafeEqual(given, this.#mac(period));
  }

  /** 128 bits of HMAC-SHA-256: a nonce cannot be made up without the secret. */
  #mac(period: number): Buffer {
    return createHmac('sha256', this.#secret)
      .update(`ropkit-mock-dpop-nonce:${period}`)
      .digest()
      .subarray(0, 16);
  }
}
