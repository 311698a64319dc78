import { MFA_ACR } from './authentication-claims.js';
import type { ServerState } from './server-state.js';

/**
 * Whether a password grant asks for multi-factor authentication through `acr_values` (OpenID
 * Connect Core section 3.1.2.1: "Space-separated string that specifies the acr values ... in order
 * of preference"), and the tenant honours it (`mfaOnAcrValues`). This models the Action that
 * Auth0's "Configure Step-up Authentication for Web Apps" installs for step-up:
 *
 * ```js
 * if (event.transaction?.acr_values.includes('http://schemas.openid.net/pape/policies/2007/06/multi-factor'))
 *   api.multifactor.enable('any');
 * ```
 *
 * A client answered `401 insufficient_user_authentication` by an API (RFC 9470 section 3) asks
 * again with the `acr_values` of the challenge, and the mock answers `mfa_required`.
 */
export function acrValuesRequireMfa(state: ServerState, acrValues: string | undefined): boolean {
  if (!state.tenant.mfaOnAcrValues || acrValues === undefined) return false;
  return acrValues.split(/\s+/).includes(MFA_ACR);
}
