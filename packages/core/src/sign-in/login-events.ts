import { channel } from 'node:diagnostics_channel';
import type { TokenLogger } from '../client/token-events.js';

/** Events of the sign-in engine; payloads never hold a token, password or mfa_token. */
export interface LoginEvents {
  /**
   * Revoking a refresh token failed (RFC 7009) while its session was signed out or signed in
   * again. The tokens are forgotten all the same and the user is signed out: the refresh token is
   * then held by no one, and expires on its own.
   */
  revocationFailed: { key: string; reason: 'logout' | 'replaced'; code: string };
}

/** The `node:diagnostics_channel` name of each event: `ropkit:login:<event>`. */
export const LOGIN_CHANNELS = {
  revocationFailed: channel('ropkit:login:revocation-failed'),
} as const;

/** Publishes `event` on its channel and tells the logger, if one was given. */
export function emitLoginEvent<E extends keyof LoginEvents>(
  logger: TokenLogger | undefined,
  event: E,
  payload: LoginEvents[E],
): void {
  const target = LOGIN_CHANNELS[event];
  if (target.hasSubscribers) target.publish(payload);
  logger?.warn?.(
    'ropkit: revoking the refresh token failed; the session is signed out anyway',
    payload,
  );
}
