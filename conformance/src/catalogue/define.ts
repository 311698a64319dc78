import type { Scenario, ScenarioContext, ScenarioGroup } from '../scenario.js';

/** Declares a scenario; the id is stable, the name states the requirement with its level. */
export function scenario(
  id: string,
  group: ScenarioGroup,
  spec: string,
  name: string,
  run: (context: ScenarioContext) => Promise<void>,
  settleMs?: number,
): Scenario {
  return { id, group, spec, name, run, ...(settleMs === undefined ? {} : { settleMs }) };
}

/** Waits `ms` milliseconds (scenarios that need a token to age or a cooldown to pass). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
