import { CATALOGUE } from './catalogue/index.js';
import {
  CAPABILITY_NAMES,
  PROFILE_IDS,
  isCapability,
  isClaimableProfile,
  type AdapterUnderTest,
  type Capability,
  type Profile,
  type Scenario,
} from './scenario.js';

/** An adapter's declaration (skips, capabilities, profiles) that names nothing the kit knows. */
export class AdapterDefinitionError extends TypeError {
  override readonly name = 'AdapterDefinitionError';
}

/** What the adapter supports: its declared capabilities, or every one when it declares none. */
export function capabilitiesOf(adapter: AdapterUnderTest): ReadonlySet<Capability> {
  return new Set(adapter.capabilities ?? CAPABILITY_NAMES);
}

/**
 * The capabilities a module declares, each one the kit knows.
 *
 * @throws {AdapterDefinitionError} naming the adapter and the unknown ones.
 */
export function capabilityList(adapter: string, values: readonly string[]): Capability[] {
  const unknown = values.filter((value) => !isCapability(value));
  if (unknown.length > 0)
    throw new AdapterDefinitionError(
      `${adapter}: unknown capability ${unknown.join(', ')} (known: ${CAPABILITY_NAMES.join(', ')})`,
    );
  return values.filter(isCapability);
}

/**
 * The profiles a module claims, each one the kit knows (`auth0`, `ropkit`).
 *
 * @throws {AdapterDefinitionError} naming the adapter and the unknown ones.
 */
export function profileList(adapter: string, values: readonly string[]): Exclude<Profile, 'rfc'>[] {
  const unknown = values.filter((value) => !isClaimableProfile(value));
  if (unknown.length > 0)
    throw new AdapterDefinitionError(
      `${adapter}: unknown profile ${unknown.join(', ')} (known: ${PROFILE_IDS.filter((p) => p !== 'rfc').join(', ')})`,
    );
  return values.filter(isClaimableProfile);
}

/** The profiles whose failures count for the adapter: `rfc` and those it claims. */
export function profilesOf(adapter: AdapterUnderTest): readonly Profile[] {
  return ['rfc', ...(adapter.profiles ?? [])];
}

/** `login-*` matches every id of the `login` group; anything else matches itself. */
function matches(pattern: string, id: string): boolean {
  return pattern.endsWith('-*') ? id.startsWith(pattern.slice(0, -1)) : pattern === id;
}

/** The declared skip reason of scenario `id` (an exact id wins over a group pattern). */
export function skipReasonOf(
  skips: Readonly<Record<string, string>> | undefined,
  id: string,
): string | undefined {
  if (skips === undefined) return undefined;
  const exact = skips[id];
  if (exact !== undefined) return exact;
  const pattern = Object.keys(skips).find((key) => matches(key, id));
  return pattern === undefined ? undefined : skips[pattern];
}

/** Scenario ids and `group-*` patterns of a list (for `--only`) that match no scenario. */
export function unknownIds(
  ids: readonly string[],
  catalogue: readonly Scenario[] = CATALOGUE,
): string[] {
  return ids.filter((id) => !catalogue.some((scenario) => matches(id, scenario.id)));
}

/** The scenarios that `ids` (ids or `group-*` patterns) select, in catalogue order. */
export function selectByIds(
  ids: readonly string[],
  catalogue: readonly Scenario[] = CATALOGUE,
): Scenario[] {
  return catalogue.filter((scenario) => ids.some((id) => matches(id, scenario.id)));
}

/**
 * Checks what an adapter declares against the catalogue: every skip names a scenario (or a group
 * with `group-*`), every capability and profile is one the kit knows.
 *
 * @throws {AdapterDefinitionError} naming the adapter and what is unknown.
 */
export function checkAdapterDefinition(
  adapter: AdapterUnderTest,
  catalogue: readonly Scenario[] = CATALOGUE,
): void {
  const unknownSkips = unknownIds(Object.keys(adapter.skips ?? {}), catalogue);
  if (unknownSkips.length > 0) {
    throw new AdapterDefinitionError(
      `${adapter.name}: skips names no scenario: ${unknownSkips.join(', ')} (ids are like bearer-01 or login-*; ropkit-conformance list shows them)`,
    );
  }
  // A caller of the API may pass anything at run time.
  capabilityList(adapter.name, adapter.capabilities ?? []);
  profileList(adapter.name, adapter.profiles ?? []);
}
