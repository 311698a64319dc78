import { isRecord } from '../http/is-record.js';
import type { Dispatcher } from 'undici';
import { fetchJson } from '../http/fetch-json.js';
import { insecureUrlReason } from '../http/url-policy.js';
import { metadataUrls } from '../validation/discovery.js';
import { TokenRequestError } from './token-errors.js';

/** The endpoints the token client uses. */
export interface ClientEndpoints {
  token: URL;
  revocation: URL;
  mfaChallenge: URL;
  /** OpenID Connect Core 1.0 section 5.3. */
  userinfo: URL;
}

/**
 * Reads the token, revocation, MFA challenge and UserInfo endpoints from the issuer's metadata
 * (OpenID Connect Discovery 1.0 section 4, then RFC 8414). The document's `issuer` must equal
 * the configured one exactly (section 4.3). Endpoints the document does not list default to
 * Auth0's paths beside the token endpoint.
 */
export async function discoverClientEndpoints(
  issuer: string,
  options: { dispatcher: Dispatcher | undefined; timeoutMs: number; allowInsecureHttp: boolean },
): Promise<ClientEndpoints> {
  let lastError: unknown;
  for (const url of metadataUrls(new URL(issuer))) {
    let document: unknown;
    try {
      document = await fetchJson(url, {
        dispatcher: options.dispatcher,
        timeoutMs: options.timeoutMs,
        maxBytes: 256 * 1024,
      });
    } catch (error) {
      lastError = error;
      continue;
    }
    if (!isRecord(document)) break;
    const metadata = document;
    if (metadata['issuer'] !== issuer) {
      throw new TokenRequestError(
        `${url.href} names another issuer than the configured one`,
        'network',
      );
    }
    const read = (name: string): URL | undefined => {
      const value = metadata[name];
      if (typeof value !== 'string') return undefined;
      const endpoint = new URL(value);
      const reason = insecureUrlReason(endpoint, options.allowInsecureHttp);
      if (reason !== undefined)
        throw new TokenRequestError(`${name} of ${url.href} ${reason}`, 'network');
      return endpoint;
    };
    const token = read('token_endpoint');
    if (token === undefined)
      throw new TokenRequestError(`${url.href} has no token_endpoint`, 'network');
    return {
      token,
      revocation: read('revocation_endpoint') ?? new URL('revoke', token),
      mfaChallenge: read('mfa_challenge_endpoint') ?? new URL('../mfa/challenge', token),
      userinfo: read('userinfo_endpoint') ?? new URL('../userinfo', token),
    };
  }
  throw new TokenRequestError(`Discovery for the configured issuer failed`, 'network', {
    cause: lastError,
  });
}
