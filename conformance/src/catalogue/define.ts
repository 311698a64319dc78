import { GrantType, type MockServerControl } from '@ropkit/mock-server';
import { check, expectRefused, expectStatus } from '../check.js';
import type { Answer, ConformanceHttp } from '../http-client.js';
import type {
  AppOption,
  Capability,
  Level,
  Profile,
  Scenario,
  ScenarioContext,
  ScenarioGroup,
} from '../scenario.js';

/** What a scenario of a group needs, unless it says otherwise. */
const GROUP_REQUIRES: Readonly<Record<ScenarioGroup, readonly Capability[]>> = {
  'RFC 6750 bearer usage': ['bearer'],
  'JWT access token validation': ['bearer'],
  'Key set and rotation': ['bearer', 'key-set'],
  'Scopes and permissions': ['bearer', 'scopes'],
  'Password grant through the login route': ['login'],
  'ID token validation': ['login'],
  'Multi-factor authentication': ['login', 'mfa'],
  'Sessions of the login routes': ['login', 'sessions'],
  'Token lifecycle': ['login', 'lifecycle'],
  'Sender-constrained tokens (DPoP)': ['bearer', 'dpop'],
  'Several issuers': ['bearer', 'issuers'],
  'Symmetric signatures (HS256)': ['bearer', 'hs256'],
  'A static public key': ['bearer', 'static-key'],
  'Certificate-bound tokens (RFC 8705)': ['bearer', 'mtls'],
  'Step-up (RFC 9470)': ['bearer', 'step-up'],
};

/** A scenario as the catalogue writes it. */
export interface ScenarioDefinition {
  /** Stable short id, e.g. `bearer-01`; never reused for another requirement. */
  id: string;
  group: ScenarioGroup;
  /** Whose requirement it is. Default `rfc`. */
  profile?: Profile;
  /** The section the requirement (and its level) comes from. */
  spec: string;
  /** The section's words that carry the level (quoted), or why a profile check is policy. */
  words: string;
  /** The requirement, starting with its level: `MUST`, `MUST NOT`, `SHOULD`, `SHOULD NOT`, `MAY`. */
  name: string;
  /** Default: the group's (see GROUP_REQUIRES). */
  requires?: readonly Capability[];
  /** Options it depends on beyond issuer, audience and jwksUri. */
  uses?: readonly AppOption[];
  settleMs?: number;
  run: (context: ScenarioContext) => Promise<void>;
}

/** The level a requirement's name starts with (`MUST NOT` is `MUST`). */
export function levelOf(name: string): Level {
  const word = /^(MUST|SHOULD|MAY)\b/.exec(name)?.[1];
  if (word === 'MUST' || word === 'SHOULD' || word === 'MAY') return word;
  throw new TypeError(`a scenario name must start with MUST, SHOULD or MAY: ${name}`);
}

/** Declares a scenario; the id is stable, the name states the requirement with its level. */
export function scenario(definition: ScenarioDefinition): Scenario {
  const { settleMs, ...rest } = definition;
  return {
    ...rest,
    level: levelOf(definition.name),
    profile: definition.profile ?? 'rfc',
    requires: definition.requires ?? GROUP_REQUIRES[definition.group],
    uses: definition.uses ?? [],
    ...(settleMs === undefined ? {} : { settleMs }),
  };
}

/** Waits `ms` milliseconds (scenarios that need a token to age or a cooldown to pass). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `token` to `path` (default `/api/private`) and fails unless it is refused (4xx). */
export async function expectTokenRefused(
  http: ConformanceHttp,
  token: string,
  what: string,
  path = '/api/private',
): Promise<void> {
  expectRefused(await http.bearer(path, token), `with ${what}`);
}

/** Sends `token` to `path` (default `/api/private`) and fails unless it is served (200). */
export async function expectTokenServed(
  http: ConformanceHttp,
  token: string,
  what: string,
  path = '/api/private',
): Promise<void> {
  expectStatus(await http.bearer(path, token), 200, `with ${what}`, '200 (the token accepted)');
}

/** Fails unless a login route answered `status` with `{"status": outcome, ...}`. */
export function expectOutcome(answer: Answer, status: number, outcome: string, sent: string): void {
  check(
    answer.status === status && answer.field('status') === outcome,
    `${answer.request} ${sent}`,
    `${status} {"status":"${outcome}", ...}`,
    answer,
  );
}

/**
 * The seconds of an answer's `Retry-After` (RFC 9110 section 10.2.3, delay-seconds); fails unless
 * it is there, a whole number of seconds, at least 1.
 */
export function retryAfterOf(answer: Answer, sent: string): number {
  const value = answer.retryAfter ?? '';
  const seconds = /^\d+$/.test(value) ? Number(value) : 0;
  check(
    seconds >= 1,
    `${answer.request} ${sent}`,
    'Retry-After: a number of seconds, at least 1',
    answer.retryAfter === null ? 'no Retry-After' : `Retry-After: ${value}`,
  );
  return seconds;
}

/** The polls of a push the authorization server received: `mfa-oob` grants without a code. */
export async function pushPolls(control: MockServerControl): Promise<number> {
  const log = await control.requests();
  return log.filter((entry) => entry.grantType === GrantType.mfaOob).length;
}

/** The requests the authorization server received at its token endpoint and its MFA API. */
export async function tokenAndMfaRequests(control: MockServerControl): Promise<string[]> {
  const log = await control.requests();
  return log
    .filter((entry) => entry.path === '/oauth/token' || entry.path.startsWith('/mfa/'))
    .map(
      (entry) =>
        `${entry.method} ${entry.path}${entry.grantType === undefined ? '' : ` (${entry.grantType})`}`,
    );
}
