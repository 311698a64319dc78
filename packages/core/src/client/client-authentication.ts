/** How the client authenticates to the token endpoint (RFC 6749 section 2.3, OIDC Core 9). */
export type ClientAuthenticationMethod = 'client_secret_post' | 'client_secret_basic' | 'none';

/** Form fields and headers that authenticate a client. */
export interface ClientCredentials {
  form: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * RFC 6749 appendix B: `application/x-www-form-urlencoded` encoding of one value, which
 * section 2.3.1 requires for the id and secret before they are joined and base64-encoded.
 */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** Builds the fields that authenticate `clientId` with the chosen method. */
export function clientCredentials(
  method: ClientAuthenticationMethod,
  clientId: string,
  clientSecret: string | undefined,
): ClientCredentials {
  switch (method) {
    case 'client_secret_basic': {
      // RFC 6749 section 2.3.1: form-encode id and secret, then base64 "id:secret".
      const basic = Buffer.from(
        `${formEncode(clientId)}:${formEncode(clientSecret ?? '')}`,
      ).toString('base64');
      return { form: {}, headers: { authorization: `Basic ${basic}` } };
    }
    case 'client_secret_post':
      return { form: { client_id: clientId, client_secret: clientSecret ?? '' }, headers: {} };
    case 'none':
    default:
      return { form: { client_id: clientId }, headers: {} };
  }
}
