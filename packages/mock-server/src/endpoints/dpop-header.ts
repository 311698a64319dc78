import { Auth0Errors } from '../auth0-errors.js';
import {
  checkDpopProof,
  DpopProofError,
  normalizeHtu,
  type CheckedDpopProof,
} from '../dpop-proof.js';
import type { ServerState } from '../server-state.js';
import { header, type EndpointRequest } from './endpoint-request.js';

/** What the endpoint asks of a request's proof. */
export interface DpopHeaderOptions {
  /** Whether the tenant's nonce requirement applies here (the authorization server's endpoints). */
  readonly nonce: boolean;
  /** At a protected resource: the access token the proof must be bound to (`ath`). */
  readonly accessToken?: string;
}

/**
 * The URIs a proof's `htu` may name for this request (RFC 9449 section 4.3 step 9, normalized):
 * the request's URI as received (scheme `http`, the `Host` header, the path) and the same path
 * under the issuer this listener serves, which is what discovery advertises (a container's mapped
 * URL, a configured `https://TENANT/`).
 */
function acceptedHtus(state: ServerState, request: EndpointRequest): string[] {
  const htus = new Set<string>();
  const host = header(request, 'host');
  // A Host header with a path, a user or anything but a name and port names no URI of ours.
  if (host !== undefined && /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    const received = normalizeHtu(`http://${host}${request.path}`);
    if (received !== undefined) htus.add(received);
  }
  const underIssuer = normalizeHtu(`${state.issuer}${request.path.slice(1)}`);
  if (underIssuer !== undefined) htus.add(underIssuer);
  return [...htus];
}

/**
 * The request's DPoP proof, checked (RFC 9449 section 4.3) and recorded against replay (section
 * 11.1), or `undefined` when the request has no `DPoP` header. Throws {@link DpopProofError}: the
 * endpoint answers it in its own form (`400 invalid_dpop_proof` or `use_dpop_nonce` at the
 * authorization server, a `401` challenge at `/userinfo`).
 */
export async function requestDpopProof(
  state: ServerState,
  request: EndpointRequest,
  options: DpopHeaderOptions,
): Promise<CheckedDpopProof | undefined> {
  const values = request.headersDistinct['dpop'] ?? [];
  if (values.length === 0) return undefined;
  // Step 1: "there is not more than one DPoP HTTP request header field".
  if (values.length > 1) throw new DpopProofError('More than one DPoP header was sent');
  const nowMs = state.clock.nowMs();
  const proof = await checkDpopProof({
    proof: values[0]!,
    method: request.method,
    htus: acceptedHtus(state, request),
    nowMs,
    ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
    ...(options.nonce && state.tenant.dpop.requireNonce ? { nonces: state.dpopNonces } : {}),
  });
  if (!state.dpopReplay.remember(proof.replayKey, proof.expiresAtMs)) {
    throw new DpopProofError('DPoP proof jti was used before');
  }
  return proof;
}

/** The `DPoP-Nonce` response header (RFC 9449 section 8.2) when the tenant requires nonces. */
export function dpopNonceHeader(state: ServerState): Record<string, string> {
  return state.tenant.dpop.requireNonce
    ? { 'dpop-nonce': state.dpopNonces.current(state.clock.nowMs()) }
    : {};
}

/**
 * {@link requestDpopProof} at the authorization server's endpoints (token, revocation), where the
 * tenant's nonce requirement applies: a bad proof is `400 invalid_dpop_proof` (RFC 9449 section
 * 5), a missing or stale nonce `400 use_dpop_nonce` with a fresh one (section 8).
 */
export async function authorizationServerProof(
  state: ServerState,
  request: EndpointRequest,
): Promise<CheckedDpopProof | undefined> {
  try {
    return await requestDpopProof(state, request, { nonce: true });
  } catch (error) {
    if (!(error instanceof DpopProofError)) throw error;
    throw error.reason === 'nonce'
      ? Auth0Errors.useDpopNonce(error.message, state.dpopNonces.current(state.clock.nowMs()))
      : Auth0Errors.invalidDpopProof(error.message);
  }
}
