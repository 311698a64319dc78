import { PROFILES, type Scenario } from './scenario.js';

const BASE_OPTIONS = ['verifier.issuer', 'verifier.audience', 'verifier.jwksUri'];

/**
 * The options a scenario depends on, with the base ones every token scenario uses (an issuer
 * list, `verifier.issuer[]`, stands for the issuer and the key set URL; `verifier.secret` and
 * `verifier.publicKey` for the key set URL).
 */
function optionsOf(scenario: Scenario): string[] {
  if (!scenario.requires.includes('bearer')) return [...scenario.uses];
  const { uses } = scenario;
  const base = uses.includes('verifier.issuer[]')
    ? BASE_OPTIONS.filter((option) => option === 'verifier.audience')
    : uses.includes('verifier.secret') || uses.includes('verifier.publicKey')
      ? BASE_OPTIONS.filter((option) => option !== 'verifier.jwksUri')
      : BASE_OPTIONS;
  return [...base, ...uses];
}

/**
 * `ropkit-conformance list`: per group, a line per scenario (id, level, profile, requirement and
 * section), then what it needs and the options it uses.
 */
export function formatList(scenarios: readonly Scenario[]): string {
  const lines: string[] = [
    `${scenarios.length} scenarios. Levels: MUST fails the run, SHOULD warns, MAY informs. Profiles: ${Object.entries(
      PROFILES,
    )
      .map(([id, title]) => `${id} = ${title}`)
      .join(', ')}.`,
  ];
  let group = '';
  for (const scenario of scenarios) {
    if (scenario.group !== group) {
      group = scenario.group;
      lines.push('', `== ${group}`);
    }
    lines.push(
      `${scenario.id.padEnd(11)}${scenario.level.padEnd(8)}${scenario.profile.padEnd(8)}${scenario.name} (${scenario.spec})`,
      `${' '.repeat(27)}needs ${scenario.requires.join(', ')}; uses ${optionsOf(scenario).join(', ') || 'no option'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `ropkit-conformance list --json`: every scenario's fields, for tools. */
export function listJson(scenarios: readonly Scenario[]): string {
  const entries = scenarios.map((scenario) => ({
    id: scenario.id,
    level: scenario.level,
    profile: scenario.profile,
    group: scenario.group,
    name: scenario.name,
    spec: scenario.spec,
    words: scenario.words,
    requires: scenario.requires,
    uses: optionsOf(scenario),
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}
