import type { DemoStep } from '../step.ts';
import { attackProtection } from './attack-protection.ts';
import { callApiAgain } from './call-api-again.ts';
import { callApiStep } from './call-api.ts';
import { customizeTokens } from './customize-tokens.ts';
import { senderConstrainedTokens } from './dpop.ts';
import { mfaEnrolment } from './mfa-enrolment.ts';
import { mfaOob } from './mfa-oob.ts';
import { mfaPush } from './mfa-push.ts';
import { mfaRecoveryCode } from './mfa-recovery-code.ts';
import { multiFactor } from './multi-factor.ts';
import { passwordRealm } from './password-realm.ts';
import { refreshTokens } from './refresh-tokens.ts';
import { requestTokens } from './request-tokens.ts';

/**
 * The tutorial's steps in its order ("Configure tenant" is the set-up printed before them), then
 * its optional sections; "Configure MFA" is one step per way of passing it (each with its own
 * user). Sender-constrained tokens (DPoP) goes beyond the tutorial. Attack protection runs last:
 * it leaves an IP blocked for the user.
 */
export const TUTORIAL_STEPS: readonly DemoStep[] = [
  requestTokens,
  callApiStep,
  refreshTokens,
  callApiAgain,
  customizeTokens,
  passwordRealm,
  multiFactor,
  mfaOob,
  mfaPush,
  mfaRecoveryCode,
  mfaEnrolment,
  senderConstrainedTokens,
  attackProtection,
];
