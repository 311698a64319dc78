import { CATALOGUE } from './catalogue/index.js';
import type { ScenarioResult } from './runner.js';
import { LEVELS, PROFILES, PROFILE_IDS, type Level, type Profile } from './scenario.js';
import { emptyReport, exitCodeOf, type AdapterReport, type SuiteReport } from './suite.js';

/** Passed, failed and skipped scenarios. */
export interface Tally {
  pass: number;
  fail: number;
  skip: number;
}

/** An adapter's tallies, per profile and level. */
export type Totals = Record<Profile, Record<Level, Tally>>;

const PROFILE_ORDER = PROFILE_IDS;

function isResultList(
  input: SuiteReport | readonly ScenarioResult[],
): input is readonly ScenarioResult[] {
  return Array.isArray(input);
}

/** A report from a bare result list (an older caller): adapters as the results name them. */
export function asReport(input: SuiteReport | readonly ScenarioResult[]): SuiteReport {
  if (!isResultList(input)) return input;
  const results = input;
  const report = emptyReport();
  const names = [...new Set(results.map((result) => result.adapter))];
  report.adapters = names.map((name) => ({
    name,
    target: name,
    started: true,
    capabilities: [],
    profiles: ['rfc', 'auth0', 'ropkit'],
    wallTimeMs: 0,
    results: results.filter((result) => result.adapter === name),
  }));
  report.results = [...results];
  return report;
}

/** Zero tallies for each level. */
function levels(): Record<Level, Tally> {
  return {
    MUST: { pass: 0, fail: 0, skip: 0 },
    SHOULD: { pass: 0, fail: 0, skip: 0 },
    MAY: { pass: 0, fail: 0, skip: 0 },
  };
}

/** The adapter's tallies per profile and level. */
export function totalsOf(results: readonly ScenarioResult[]): Totals {
  const totals: Totals = { rfc: levels(), auth0: levels(), ropkit: levels() };
  for (const result of results) totals[result.profile][result.level][result.outcome] += 1;
  return totals;
}

/** The mark of one result in the matrix. */
export function markOf(result: ScenarioResult | undefined, adapter?: AdapterReport): string {
  if (adapter !== undefined && !adapter.started) return 'n/a';
  if (result === undefined) return '-';
  if (result.outcome === 'pass') return 'pass';
  if (result.outcome === 'skip') return 'skip';
  return result.severity === 'error' ? 'FAIL' : result.severity === 'warning' ? 'warn' : 'no';
}

/** The scenarios of the report, in catalogue order, by profile. */
function rowsOf(report: SuiteReport): Array<{ profile: Profile; ids: string[] }> {
  const ran = new Set(report.results.map((result) => result.id));
  const wanted = report.options.only === undefined ? undefined : new Set(report.options.only);
  const scenarios = CATALOGUE.filter(
    (scenario) => ran.has(scenario.id) || wanted?.has(scenario.id) === true,
  );
  return PROFILE_ORDER.map((profile) => ({
    profile,
    ids: scenarios.filter((scenario) => scenario.profile === profile).map((s) => s.id),
  })).filter((section) => section.ids.length > 0);
}

function resultOf(adapter: AdapterReport, id: string): ScenarioResult | undefined {
  return adapter.results.find((result) => result.id === id);
}

function fraction(tally: Tally): string {
  return `${tally.pass}/${tally.pass + tally.fail}`;
}

/** `MUST 40/44, SHOULD 7/9, MAY 2/3` for one profile of one adapter (levels it has). */
function levelSummary(totals: Totals, profile: Profile): string {
  const parts = LEVELS.filter((level) => {
    const tally = totals[profile][level];
    return tally.pass + tally.fail + tally.skip > 0;
  }).map((level) => {
    const tally = totals[profile][level];
    const skipped = tally.skip > 0 ? ` (${tally.skip} skipped)` : '';
    return `${level} ${fraction(tally)}${skipped}`;
  });
  return parts.join(', ');
}

/** One line per adapter: whether it started, and its tallies per profile and level. */
function adapterLines(report: SuiteReport): string[] {
  return report.adapters.map((adapter) => {
    if (!adapter.started) return `${adapter.name}: did not start: ${adapter.error ?? ''}`;
    const totals = totalsOf(adapter.results);
    const sections = PROFILE_ORDER.map((profile) => {
      const summary = levelSummary(totals, profile);
      if (summary === '') return undefined;
      const counted = adapter.profiles.includes(profile) ? '' : ' (not claimed: informational)';
      return `${PROFILES[profile]}${counted}: ${summary}`;
    }).filter((part): part is string => part !== undefined);
    const broke = adapter.error === undefined ? '' : `; ${adapter.error}`;
    return `${adapter.name}: ${sections.join('; ')}${broke}`;
  });
}

/**
 * The scenario x adapter matrix as text: one section per profile, one row a scenario with its
 * level, a column per adapter (letters with a legend when the names are long), then each
 * adapter's tallies, every failure and skip with its reason, and the totals.
 */
export function formatMatrix(input: SuiteReport | readonly ScenarioResult[]): string {
  const report = asReport(input);
  const adapters = report.adapters;
  const longest = Math.max(0, ...adapters.map((adapter) => adapter.name.length));
  const lettered = adapters.length * (Math.max(longest, 4) + 2) > 72;
  const labels = adapters.map((adapter, index) =>
    lettered
      ? String.fromCharCode(65 + (index % 26)) + (index >= 26 ? String(index) : '')
      : adapter.name,
  );
  const width = Math.max(4, ...labels.map((label) => label.length)) + 2;
  const lines: string[] = [];
  if (lettered)
    lines.push(`adapters: ${adapters.map((a, i) => `${labels[i]} = ${a.name}`).join(', ')}`);
  lines.push(
    `${'scenario'.padEnd(12)}${'level'.padEnd(8)}${labels.map((l) => l.padEnd(width)).join('')}requirement`,
  );
  for (const { profile, ids } of rowsOf(report)) {
    lines.push(`== ${PROFILES[profile]}`);
    let group = '';
    for (const id of ids) {
      const scenario = CATALOGUE.find((s) => s.id === id);
      if (scenario === undefined) continue;
      if (scenario.group !== group) {
        group = scenario.group;
        lines.push(`-- ${group}`);
      }
      const cells = adapters.map((adapter) => markOf(resultOf(adapter, id), adapter).padEnd(width));
      lines.push(
        `${id.padEnd(12)}${scenario.level.padEnd(8)}${cells.join('')}${scenario.name} (${scenario.spec})`,
      );
    }
  }
  lines.push(...adapterLines(report));
  for (const result of report.results) {
    if (result.outcome !== 'pass')
      lines.push(`  ${markOf(result)} ${result.adapter} ${result.id}: ${result.reason ?? ''}`);
  }
  const count = (predicate: (result: ScenarioResult) => boolean) =>
    report.results.filter(predicate).length;
  const notStarted = adapters.filter((adapter) => !adapter.started).length;
  const scenarios = new Set(report.results.map((result) => result.id)).size;
  const warnings = count((r) => r.outcome === 'fail' && r.severity === 'warning');
  const informational = count((r) => r.outcome === 'fail' && r.severity === 'info');
  lines.push(
    `${scenarios} scenarios x ${adapters.length} adapters: ${count((r) => r.outcome === 'pass')} passed, ` +
      `${count((r) => r.outcome === 'fail' && r.severity !== 'warning' && r.severity !== 'info')} failed` +
      (warnings > 0 ? `, ${warnings} warnings` : '') +
      (informational > 0 ? `, ${informational} informational` : '') +
      `, ${count((r) => r.outcome === 'skip')} skipped` +
      (notStarted > 0 ? `; ${notStarted} adapter(s) did not start` : ''),
  );
  return lines.join('\n');
}

/** The report as JSON, for tools: kit, runtime, times, per-adapter totals by profile and level. */
export function toJson(input: SuiteReport | readonly ScenarioResult[]): string {
  const report = asReport(input);
  const json = {
    kit: report.kit,
    node: report.node,
    platform: report.platform,
    runtime: report.runtime,
    startedAt: report.startedAt,
    wallTimeMs: Math.round(report.wallTimeMs),
    options: report.options,
    ...(report.error === undefined ? {} : { error: report.error }),
    exitCode: report.error === undefined ? exitCodeOf(report) : 2,
    adapters: report.adapters.map((adapter) => ({
      name: adapter.name,
      target: adapter.target,
      started: adapter.started,
      ...(adapter.error === undefined ? {} : { error: adapter.error }),
      ...(adapter.runtime === undefined ? {} : { runtime: adapter.runtime }),
      capabilities: adapter.capabilities,
      profiles: adapter.profiles,
      wallTimeMs: Math.round(adapter.wallTimeMs),
      totals: totalsOf(adapter.results),
    })),
    totals: totalsOf(report.results),
    results: report.results.map((result) => ({
      ...result,
      durationMs: Math.round(result.durationMs),
    })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML: one test suite per adapter with its time, one test case per scenario with its time.
 * A failure of weight `error` is a `<failure>`; warnings and informational failures pass with
 * their reason in `<system-out>`; an adapter that did not start is one `<error>`.
 */
export function toJUnit(input: SuiteReport | readonly ScenarioResult[]): string {
  const report = asReport(input);
  let all = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = report.adapters.map((adapter) => {
    const attrs = `name="${xml(adapter.name)}" timestamp="${xml(report.startedAt)}" time="${seconds(adapter.wallTimeMs)}"`;
    if (!adapter.started) {
      all = { ...all, tests: all.tests + 1, errors: all.errors + 1 };
      return `  <testsuite ${attrs} tests="1" failures="0" errors="1" skipped="0">\n    <testcase classname="${xml(adapter.name)}" name="startTestApp" time="${seconds(adapter.wallTimeMs)}"><error message="${xml(adapter.error ?? '')}"/></testcase>\n  </testsuite>`;
    }
    const cases = adapter.results.map((result) => {
      const reason = xml(result.reason ?? '');
      const body =
        result.outcome === 'skip'
          ? `<skipped message="${reason}"/>`
          : result.outcome === 'fail' && result.severity === 'error'
            ? `<failure type="${result.level}" message="${reason}"/>`
            : result.outcome === 'fail'
              ? `<system-out>${result.severity === 'warning' ? 'warning' : 'informational'} (${result.level}, ${xml(PROFILES[result.profile])}): ${reason}</system-out>`
              : '';
      return `    <testcase classname="${xml(`${adapter.name}.${result.group}`)}" name="${xml(`${result.id} ${result.name}`)}" time="${seconds(result.durationMs)}">${body}</testcase>`;
    });
    const failures = adapter.results.filter(
      (r) => r.outcome === 'fail' && r.severity === 'error',
    ).length;
    const skipped = adapter.results.filter((r) => r.outcome === 'skip').length;
    const errors = adapter.error === undefined ? 0 : 1;
    all = {
      tests: all.tests + adapter.results.length,
      failures: all.failures + failures,
      errors: all.errors + errors,
      skipped: all.skipped + skipped,
    };
    const broke =
      adapter.error === undefined ? '' : `\n    <system-err>${xml(adapter.error)}</system-err>`;
    return `  <testsuite ${attrs} tests="${adapter.results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${cases.join('\n')}${broke}\n  </testsuite>`;
  });
  if (report.error !== undefined) {
    all = { ...all, tests: all.tests + 1, errors: all.errors + 1 };
    suites.push(
      `  <testsuite name="ropkit-conformance" timestamp="${xml(report.startedAt)}" time="${seconds(report.wallTimeMs)}" tests="1" failures="0" errors="1" skipped="0">\n    <testcase classname="ropkit-conformance" name="setup" time="0.000"><error message="${xml(report.error)}"/></testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ropkit-conformance" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${seconds(report.wallTimeMs)}" timestamp="${xml(report.startedAt)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/** Options of {@link toMarkdown}. */
export interface MarkdownOptions {
  /** Heading level of the sections (2 gives `##`). Default 2. */
  headingLevel?: number;
  /** List every failure with its reason below the tables. Default `true`. */
  reasons?: boolean;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** `40/44` (passed of those run) for a tally; `-` when nothing ran. */
function markdownTally(tally: Tally): string {
  return tally.pass + tally.fail === 0 ? '-' : fraction(tally);
}

function sum(tallies: readonly Tally[]): Tally {
  return tallies.reduce(
    (all, t) => ({ pass: all.pass + t.pass, fail: all.fail + t.fail, skip: all.skip + t.skip }),
    { pass: 0, fail: 0, skip: 0 },
  );
}

const MARKDOWN_MARK: Readonly<Record<string, string>> = {
  pass: 'pass',
  FAIL: '**FAIL**',
  warn: 'warn',
  no: 'no',
  skip: 'skip',
  'n/a': 'n/a',
  '-': '-',
};

/**
 * The matrix as Markdown for a README: a summary table (adapter x level, and each profile), then
 * one table per profile (scenario x adapter). Nothing in it depends on times or the machine.
 */
export function toMarkdown(
  input: SuiteReport | readonly ScenarioResult[],
  options: MarkdownOptions = {},
): string {
  const report = asReport(input);
  const h = '#'.repeat(options.headingLevel ?? 2);
  const lines: string[] = [];
  const profiles = rowsOf(report).map((section) => section.profile);
  const extra = profiles.filter((profile) => profile !== 'rfc');
  if (report.error !== undefined)
    lines.push(`The run failed before the adapters ran: ${cell(report.error)}`, '');
  lines.push(`${h} Summary`, '');
  lines.push(
    'Passed of those run: per RFC 2119 level of the standards, then per profile (a profile the adapter does not claim is informational for it), then the scenarios skipped for capabilities the adapter does not declare.',
    '',
  );
  const header = ['adapter', 'MUST', 'SHOULD', 'MAY', ...extra.map((p) => PROFILES[p]), 'skipped'];
  lines.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  for (const adapter of report.adapters) {
    if (!adapter.started) {
      lines.push(
        `| ${cell(adapter.name)} | did not start: ${cell(adapter.error ?? '')} |${' |'.repeat(header.length - 2)}`,
      );
      continue;
    }
    const totals = totalsOf(adapter.results);
    const row = [
      cell(adapter.name),
      ...LEVELS.map((level) => markdownTally(totals.rfc[level])),
      ...extra.map((profile) => {
        const tally = markdownTally(sum(LEVELS.map((level) => totals[profile][level])));
        return adapter.profiles.includes(profile) ? tally : `${tally} (not claimed)`;
      }),
      String(adapter.results.filter((result) => result.outcome === 'skip').length),
    ];
    lines.push(`| ${row.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'Marks: `pass`; `**FAIL**` a failed MUST of a claimed profile; `warn` a failed SHOULD; `no` a failed MAY, or a failure in a profile the adapter does not claim; `skip` not run (a capability the adapter does not declare, or a declared skip).',
    '',
  );
  for (const { profile, ids } of rowsOf(report)) {
    lines.push(`${h}# ${PROFILES[profile]}`, '');
    const columns = ['id', 'level', 'requirement', ...report.adapters.map((a) => cell(a.name))];
    lines.push(`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const id of ids) {
      const scenario = CATALOGUE.find((s) => s.id === id);
      if (scenario === undefined) continue;
      const marks = report.adapters.map(
        (adapter) => MARKDOWN_MARK[markOf(resultOf(adapter, id), adapter)] ?? '-',
      );
      lines.push(
        `| ${id} | ${scenario.level} | ${cell(scenario.name)} (${cell(scenario.spec)}) | ${marks.join(' | ')} |`,
      );
    }
    lines.push('');
  }
  if (options.reasons ?? true) {
    const failures = report.results.filter((result) => result.outcome === 'fail');
    if (failures.length > 0) {
      lines.push(`${h}# Failures`, '');
      for (const result of failures)
        lines.push(
          `- ${cell(result.adapter)} ${result.id} (${markOf(result)}): ${result.reason ?? ''}`,
        );
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
