import { Auth0Errors } from '../auth0-errors.js';
import type { CheckedDpopProof } from '../dpop-proof.js';
import type { ClientCertificate } from '../endpoints/client-certificate-header.js';
import type { ResolvedApi, ResolvedClient } from '../resolved-config.js';
import type { ServerState } from '../server-state.js';

/** What every grant handler receives once the client is authenticated and allowed the grant. */
export interface GrantContext {
  readonly state: ServerState;
  readonly parameters: ReadonlyMap<string, string>;
  readonly client: ResolvedClient;
  /** The grant type as sent (Auth0 accepts `password` with a `realm` too). */
  readonly grantType: string;
  /** The end user's IP: the trusted `auth0-forwarded-for`, otherwise the socket's peer. */
  readonly endUserIp: string;
  /** The request's DPoP proof, checked (RFC 9449 section 4.3); `undefined` without one. */
  readonly dpop: CheckedDpopProof | undefined;
  /**
   * The verified client certificate the customer's edge forwarded to the custom domain (RFC 8705),
   * read for clients with mTLS token binding only; `undefined` otherwise.
   */
  readonly certificate: ClientCertificate | undefined;
}

/** A grant handler: returns Auth0's success body or throws an `OAuthError`. */
export type GrantHandler = (context: GrantContext) => Promise<Record<string, unknown>>;

/** A required request parameter, or Auth0's `Missing required parameter: <name>`. */
export function requireParameter(parameters: ReadonlyMap<string, string>, name: string): string {
  const value = parameters.get(name);
  if (value === undefined || value === '') throw Auth0Errors.missingParameter(name);
  return value;
}

/** The API an audience names; `undefined` audience means the userinfo audience only. */
export function resolveApi(
  state: ServerState,
  audience: string | undefined,
): ResolvedApi | undefined {
  if (audience === undefined) return undefined;
  if (audience === state.mfaAudience) return state.mfaApi;
  const api = state.directory.api(audience);
  if (api === undefined) throw Auth0Errors.serviceNotEnabled(audience);
  return api;
}
