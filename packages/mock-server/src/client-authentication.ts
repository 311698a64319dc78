import { Auth0Errors } from './auth0-errors.js';
import type { ClientAuthMethod, Compatibility } from './config.js';
import { secretsMatch } from './constant-time.js';
import type { ResolvedClient } from './resolved-config.js';
import type { TenantDirectory } from './tenant-directory.js';

/** A client that passed authentication, and whether it proved itself with its secret. */
export interface AuthenticatedClient {
  readonly client: ResolvedClient;
  /** True for `client_secret_post` / `client_secret_basic`; gates `auth0-forwarded-for`. */
  readonly usedSecret: boolean;
}

/** application/x-www-form-urlencoded decoding of one value: `+` is a space. */
function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

interface BasicCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Reads `Authorization: Basic`. The id and secret are form-urlencoded before base64 (RFC 6749
 * section 2.3.1). Returns `null` for a malformed header and `undefined` when there is none.
 */
function basicCredentials(authorization: string | undefined): BasicCredentials | null | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (match === null) return /^Basic\b/i.test(authorization) ? null : undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  try {
    return {
      clientId: formDecode(decoded.slice(0, colon)),
      clientSecret: formDecode(decoded.slice(colon + 1)),
    };
  } catch {
    return null;
  }
}

/** The client id a request names (body or Basic), for the request log; never the secret. */
export function requestedClientId(
  parameters: ReadonlyMap<string, string>,
  authorization: string | undefined,
): string | undefined {
  const basic = basicCredentials(authorization);
  return basic?.clientId ?? parameters.get('client_id');
}

/**
 * Authenticates the client of a token, revocation or MFA request: `client_secret_post`,
 * `client_secret_basic` or `none`, exactly as the client is configured. Any mismatch (unknown
 * client, wrong secret, a confidential client that sent none, the other method, or a public client
 * that sent a secret) is Auth0's client authentication failure.
 */
export function authenticateClient(
  parameters: ReadonlyMap<string, string>,
  authorization: string | undefined,
  directory: TenantDirectory,
  compatibility: Compatibility,
): AuthenticatedClient {
  const basic = basicCredentials(authorization);
  const bodyClientId = parameters.get('client_id');
  const bodySecret = parameters.get('client_secret');
  const usedBasic = basic !== undefined;
  const fail = () => Auth0Errors.clientAuthenticationFailed(compatibility, usedBasic);
  if (basic === null) throw fail();
  const clientId = basic?.clientId ?? bodyClientId;
  if (clientId === undefined || clientId === '') throw Auth0Errors.missingParameter('client_id');
  // RFC 6749 section 2.3: a client must not use more than one authentication method at once.
  if (
    basic !== undefined &&
    (bodySecret !== undefined || (bodyClientId ?? clientId) !== clientId)
  ) {
    throw fail();
  }
  const client = directory.client(clientId);
  if (client === undefined) throw fail();
  const method: ClientAuthMethod =
    basic !== undefined
      ? 'client_secret_basic'
      : bodySecret !== undefined
        ? 'client_secret_post'
        : 'none';
  if (method !== client.tokenEndpointAuthMethod) throw fail();
  if (method === 'none') return { client, usedSecret: false };
  const given = basic?.clientSecret ?? bodySecret ?? '';
  if (client.clientSecret === undefined || !secretsMatch(client.clientSecret, given)) throw fail();
  return { client, usedSecret: true };
}
