import { Auth0Errors } from './auth0-errors.js';
import type { ResolvedRule } from './resolved-config.js';

/** What the rules did to a token issuance. */
export interface RuleOutcome {
  readonly accessTokenClaims: Record<string, unknown>;
  readonly idTokenClaims: Record<string, unknown>;
  /** The access token's scope as the last matching rule set it; `undefined` when none did. */
  readonly scope: readonly string[] | undefined;
}

/** Who is being issued tokens, as rules see it. */
export interface RuleContext {
  readonly connection: string;
  readonly clientId: string;
  readonly email: string;
}

function matches(rule: ResolvedRule, context: RuleContext): boolean {
  return (
    (rule.connection === undefined || rule.connection === context.connection) &&
    (rule.clientId === undefined || rule.clientId === context.clientId) &&
    (rule.user === undefined || rule.user.toLowerCase() === context.email.toLowerCase())
  );
}

/**
 * Runs the rules in order, as Auth0 runs rules after authentication (the seed, "Customize
 * tokens"): each matching rule may deny, add namespaced claims, or replace the access token's
 * scope ("Scopes will be available in the token after all rules have run").
 */
export function applyRules(rules: readonly ResolvedRule[], context: RuleContext): RuleOutcome {
  const accessTokenClaims: Record<string, unknown> = {};
  const idTokenClaims: Record<string, unknown> = {};
  let scope: readonly string[] | undefined;
  for (const rule of rules) {
    if (!matches(rule, context)) continue;
    if (rule.deny !== undefined) throw Auth0Errors.ruleDenied(rule.deny);
    Object.assign(accessTokenClaims, rule.accessTokenClaims);
    Object.assign(idTokenClaims, rule.idTokenClaims);
    if (rule.scope !== undefined) scope = rule.scope;
  }
  return { accessTokenClaims, idTokenClaims, scope };
}
