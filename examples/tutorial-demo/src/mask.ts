/** What a masked secret prints as: a fixed width, so not even its length shows. */
export const MASKED = '********';

/**
 * A token shortened for display, the way the tutorial writes them (`eyJz93a...k4laUWw`): enough
 * to tell two tokens apart, too little to use one. Short values are masked whole.
 */
export function shortenToken(token: string): string {
  if (token.length < 24) return MASKED;
  return `${token.slice(0, 8)}…${token.slice(-7)}`;
}
