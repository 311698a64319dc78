import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-provided DPoP nonces (RFC 9449 section 9), stateless: a nonce is the number of a time
 * period and an HMAC of it, so any replica with the same secret accepts it and nothing is stored.
 * A nonce is accepted in the period it was issued and the next one, so it lives between one and
 * two lifetimes; a proof without a current nonce is answered `use_dpop_nonce` with a fresh one.
 */
export interface DpopNonces {
  /** A nonce for now: `<period>.<base64url HMAC>`, the same for everyone within a period. */
  current(nowMs: number): string;
  /** True when `nonce` was issued in this period or the one before. Constant time in the MAC. */
  accepts(nonce: unknown, nowMs: number): boolean;
}

/** Longest nonce accepted: a period number and a 22-character MAC fit easily. */
const MAX_NONCE_LENGTH = 64;
const NONCE = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/;

/** Nonces keyed by `secret`, each accepted for `lifetime` to twice `lifetime` seconds. */
export function dpopNonces(secret: Uint8Array, lifetime: number): DpopNonces {
  const periodMs = lifetime * 1000;
  // 128 bits of HMAC-SHA-256: forging one is as hard as guessing a 128-bit secret.
  const mac = (period: number): Buffer =>
    createHmac('sha256', secret).update(`ropkit-dpop-nonce:${period}`).digest().subarray(0, 16);
  return {
    current(nowMs) {
      const period = Math.floor(nowMs / periodMs);
      return `${period}.${mac(period).toString('base64url')}`;
    },
    accepts(nonce, nowMs) {
      if (typeof nonce !== 'string' || nonce.length > MAX_NONCE_LENGTH) return false;
      const match = NONCE.exec(nonce);
      if (match === null) return false;
      const period = Number(match[1]);
      const now = Math.floor(nowMs / periodMs);
      if (period !== now && period !== now - 1) return false;
      const given = Buffer.from(match[2] ?? '', 'base64url');
      return given.length === 16 && timingSafeEqual(given, mac(period));
    },
  };
}
