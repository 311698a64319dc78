import { channel } from 'node:diagnostics_channel';

/**
 * What the token manager reports. Payloads never hold a token or a secret: only the key,
 * times, scopes, attempt numbers and error codes.
 */
export interface TokenEvents {
  /** Tokens obtained by sign-in (password, password-realm or MFA grant) or saved. */
  acquired: {
    key: string;
    expiresAt: number;
    refreshAt: number;
    scope: readonly string[] | undefined;
  };
  /** A refresh succeeded. `rotated`: a new refresh token replaced the old one. */
  refreshed: { key: string; expiresAt: number; refreshAt: number; rotated: boolean };
  /**
   * A refresh failed; `servingStale` when a still-valid token keeps being served. `retryAfter`:
   * the seconds the server asked to wait, if it did; no refresh of the key is sent before then.
   */
  refreshFailed: {
    key: string;
    code: string;
    status: number | undefined;
    retryAfter: number | undefined;
    servingStale: boolean;
  };
  /**
   * A retry of a refresh is scheduled after `delayMs`: at least the server's `retryAfter`
   * seconds, when it sent them, plus jitter.
   */
  retryScheduled: {
    key: string;
    attempt: number;
    delayMs: number;
    code: string;
    status: number | undefined;
    retryAfter: number | undefined;
  };
  /**
   * The key's tokens were cleared: sign-out, a refresh token that stopped working, `delete`, or
   * a refresh that answered an ID token for another user (`subject_changed`, OpenID Connect
   * Core 1.0 section 12.2).
   */
  cleared: {
    key: string;
    reason: 'sign_out' | 'invalid_grant' | 'deleted' | 'subject_changed';
  };
}

/** The `node:diagnostics_channel` name of each event: `ropkit:token:<event>`. */
export const TOKEN_CHANNELS = {
  acquired: channel('ropkit:token:acquired'),
  refreshed: channel('ropkit:token:refreshed'),
  refreshFailed: channel('ropkit:token:refresh-failed'),
  retryScheduled: channel('ropkit:token:retry-scheduled'),
  cleared: channel('ropkit:token:cleared'),
} as const;

/** An optional logger; each method receives a fixed message and the event payload. */
export interface TokenLogger {
  /** Frequent events: refreshed, retry scheduled. */
  debug?(message: string, fields: object): void;
  /** Sign-ins and cleared keys. */
  info?(message: string, fields: object): void;
  /** Failed refreshes. */
  warn?(message: string, fields: object): void;
}

const LEVELS: Record<keyof TokenEvents, keyof TokenLogger> = {
  acquired: 'info',
  refreshed: 'debug',
  refreshFailed: 'warn',
  retryScheduled: 'debug',
  cleared: 'info',
};

/** Publishes an event on its channel and to the logger, if any. Nothing is printed by default. */
export function emitTokenEvent<E extends keyof TokenEvents>(
  logger: TokenLogger | undefined,
  event: E,
  payload: TokenEvents[E],
): void {
  const target = TOKEN_CHANNELS[event];
  if (target.hasSubscribers) target.publish(payload);
  logger?.[LEVELS[event]]?.(`ropkit token ${event}`, payload);
}
