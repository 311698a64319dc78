import type { ScenarioResult } from './runner.js';

const MARK = { pass: 'pass', fail: 'FAIL', skip: 'skip' } as const;

/** The scenario x adapter matrix as text, one row a scenario, then totals and the failures. */
export function formatMatrix(results: readonly ScenarioResult[]): string {
  const adapters = [...new Set(results.map((result) => result.adapter))];
  const byScenario = new Map<string, ScenarioResult[]>();
  for (const result of results)
    byScenario.set(result.id, [...(byScenario.get(result.id) ?? []), result]);
  const lines: string[] = [];
  let group = '';
  lines.push(`${'scenario'.padEnd(12)}${adapters.map((a) => a.padEnd(10)).join('')}requirement`);
  for (const [id, row] of byScenario) {
    const first = row[0];
    if (first === undefined) continue;
    if (first.group !== group) {
      group = first.group;
      lines.push(`-- ${group}`);
    }
    const cells = adapters.map((adapter) =>
      MARK[row.find((r) => r.adapter === adapter)?.outcome ?? 'skip'].padEnd(10),
    );
    lines.push(`${id.padEnd(12)}${cells.join('')}${first.name} (${first.spec})`);
  }
  const count = (outcome: ScenarioResult['outcome']) =>
    results.filter((r) => r.outcome === outcome).length;
  lines.push(
    `${byScenario.size} scenarios x ${adapters.length} adapters: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`,
  );
  for (const result of results) {
    if (result.outcome !== 'pass')
      lines.push(
        `  ${MARK[result.outcome]} ${result.adapter} ${result.id}: ${result.reason ?? ''}`,
      );
  }
  return lines.join('\n');
}

/** The results as JSON, for tools. */
export function toJson(results: readonly ScenarioResult[]): string {
  return `${JSON.stringify({ results }, null, 2)}\n`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JUnit XML: one test suite per adapter, one test case per scenario. */
export function toJUnit(results: readonly ScenarioResult[]): string {
  const adapters = [...new Set(results.map((result) => result.adapter))];
  const suites = adapters.map((adapter) => {
    const own = results.filter((result) => result.adapter === adapter);
    const cases = own.map((result) => {
      const body =
        result.outcome === 'fail'
          ? `<failure message="${xml(result.reason ?? '')}"/>`
          : result.outcome === 'skip'
            ? `<skipped message="${xml(result.reason ?? '')}"/>`
            : '';
      return `    <testcase classname="${xml(`${adapter}.${result.group}`)}" name="${xml(`${result.id} ${result.name}`)}" time="${(result.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const failures = own.filter((r) => r.outcome === 'fail').length;
    const skipped = own.filter((r) => r.outcome === 'skip').length;
    return `  <testsuite name="${xml(adapter)}" tests="${own.length}" failures="${failures}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ropkit-conformance">\n${suites.join('\n')}\n</testsuites>\n`;
}
