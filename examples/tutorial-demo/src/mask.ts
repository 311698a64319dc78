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

/** Query parameters of an `otpauth://` URI that say how codes are made, not what they are made from. */
const OTPAUTH_SETTINGS = new Set(['issuer', 'algorithm', 'digits', 'period']);

/**
 * An `otpauth://` URI (what an authenticator app's QR code carries) with its `secret`, and any
 * other parameter that is not a known setting, masked: the shape shows, the secret does not.
 * Anything that does not parse is masked whole.
 */
export function maskOtpauthUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return MASKED;
  }
  if (url.protocol !== 'otpauth:') return MASKED;
  for (const name of new Set(url.searchParams.keys())) {
    if (!OTPAUTH_SETTINGS.has(name)) url.searchParams.set(name, MASKED);
  }
  return url.href;
}
