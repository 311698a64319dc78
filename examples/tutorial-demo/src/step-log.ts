import type { JWTPayload } from 'jose';
import { decodeClaims } from './claims.ts';

/** Labels are padded to this width so the values line up. */
const LABEL_WIDTH = 20;

/** Claims whose value is a NumericDate (RFC 7519 section 2), shown with their ISO date too. */
const DATE_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

/**
 * What a step shows under its heading: what was sent (secrets already masked by the caller),
 * what came back, and decoded token claims. Lines are kept, and also written as they come when a
 * writer is given, so a long step shows progress.
 */
export class StepLog {
  readonly lines: string[] = [];
  readonly #write: ((line: string) => void) | undefined;

  constructor(write?: (line: string) => void) {
    this.#write = write;
  }

  /** A line of prose, e.g. `→ POST https://TENANT/oauth/token`. */
  line(text: string): void {
    this.lines.push(text);
    this.#write?.(text);
  }

  /** Name/value pairs under a title, aligned. */
  fields(title: string, fields: ReadonlyArray<readonly [string, string]>): void {
    this.line(title);
    for (const [name, value] of fields) this.line(`    ${name.padEnd(LABEL_WIDTH - 1)} ${value}`);
  }

  /**
   * Decodes a JWT without verifying it and shows its claims under `title`; returns the claims.
   * For display only: say so in `title`.
   */
  claims(title: string, token: string): JWTPayload {
    const claims = decodeClaims(token);
    this.claimSet(title, claims);
    return claims;
  }

  /** Shows claims already at hand (verified ID token claims, a /userinfo answer) under `title`. */
  claimSet(title: string, claims: Readonly<Record<string, unknown>>): void {
    this.fields(
      title,
      Object.entries(claims).map(([name, value]) => [name, formatClaim(name, value)] as const),
    );
  }
}

function formatClaim(name: string, value: unknown): string {
  if (DATE_CLAIMS.has(name) && typeof value === 'number') {
    return `${value} (${new Date(value * 1000).toISOString()})`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
