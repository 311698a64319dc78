import type { Scenario } from '../scenario.js';
import { bearerUsage } from './bearer-usage.js';
import { dpop } from './dpop.js';
import { hs256 } from './hs256.js';
import { idToken } from './id-token.js';
import { issuers } from './issuers.js';
import { jwtValidation } from './jwt-validation.js';
import { keySet } from './key-set.js';
import { mfa } from './mfa.js';
import { mtls } from './mtls.js';
import { passwordGrant } from './password-grant.js';
import { scopes } from './scopes.js';
import { sessions } from './sessions.js';
import { staticKey } from './static-key.js';
import { stepUp } from './step-up.js';
import { tokenLifecycle } from './token-lifecycle.js';

/** Every scenario, grouped by spec, in report order. */
export const CATALOGUE: readonly Scenario[] = Object.freeze([
  ...bearerUsage,
  ...jwtValidation,
  ...keySet,
  ...scopes,
  ...passwordGrant,
  ...idToken,
  ...mfa,
  ...sessions,
  ...tokenLifecycle,
  ...dpop,
  ...issuers,
  ...hs256,
  ...staticKey,
  ...mtls,
  ...stepUp,
]);
