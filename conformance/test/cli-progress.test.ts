import { describe, expect, it } from 'vitest';
import { Progress, type ProgressOptions } from '../src/cli-progress.js';
import type { ScenarioResult } from '../src/runner.js';
import type { Scenario, ScenarioGroup } from '../src/scenario.js';

const BEARER: ScenarioGroup = 'RFC 6750 bearer usage';
const JWT: ScenarioGroup = 'JWT access token validation';

function scenario(id: string, group: ScenarioGroup): Scenario {
  return {
    id,
    group,
    spec: 'spec',
    words: 'words',
    name: id,
    level: 'MUST',
    profile: 'rfc',
    requires: ['bearer'],
    uses: [],
    run: () => Promise.resolve(),
  };
}

const SCENARIOS = [
  scenario('bearer-01', BEARER),
  scenario('bearer-02', BEARER),
  scenario('jwt-01', JWT),
];

function result(
  adapter: string,
  { id, group }: Scenario,
  outcome: ScenarioResult['outcome'],
): ScenarioResult {
  return {
    id,
    group,
    adapter,
    outcome,
    ...(outcome === 'fail' ? { severity: 'error' as const } : {}),
    name: id,
    spec: 'spec',
    level: 'MUST',
    profile: 'rfc',
    durationMs: 1,
  };
}

function progress(options: Partial<ProgressOptions> = {}) {
  const written: string[] = [];
  const reporter = new Progress({
    write: (text) => written.push(text),
    tty: false,
    quiet: false,
    ...options,
  });
  return { reporter, written, text: () => written.join('') };
}

describe('Progress, not on a terminal', () => {
  it('writes one line per adapter and group once the group is done, with skips when any', () => {
    const { reporter, text } = progress();
    reporter.starting('express', SCENARIOS);
    reporter.starting('koa', SCENARIOS);
    reporter.started('express');
    reporter.result(result('express', SCENARIOS[0]!, 'pass'));
    expect(text()).toBe('');
    reporter.result(result('koa', SCENARIOS[0]!, 'fail'));
    reporter.result(result('express', SCENARIOS[1]!, 'skip'));
    reporter.result(result('koa', SCENARIOS[1]!, 'pass'));
    reporter.result(result('express', SCENARIOS[2]!, 'fail'));
    reporter.result(result('koa', SCENARIOS[2]!, 'pass'));
    reporter.end();
    expect(text()).toBe(
      [
        'express: RFC 6750 bearer usage: 1 passed, 0 failed, 1 skipped',
        'koa: RFC 6750 bearer usage: 1 passed, 1 failed',
        'express: JWT access token validation: 0 passed, 1 failed',
        'koa: JWT access token validation: 1 passed, 0 failed',
        '',
      ].join('\n'),
    );
  });

  it('--quiet: notices only', () => {
    const { reporter, text } = progress({ quiet: true });
    reporter.starting('express', SCENARIOS);
    reporter.info('express: app at http://127.0.0.1:1');
    for (const s of SCENARIOS) reporter.result(result('express', s, 'pass'));
    reporter.notice('ropkit-conformance: no container runtime');
    reporter.end();
    expect(text()).toBe('ropkit-conformance: no container runtime\n');
  });
});

/** What a redraw starts with: up over the live lines, erase from there down. */
const UP_AND_ERASE = (lines: number) => `\u001b[${lines}A\r\u001b[J`;

describe('Progress on a terminal', () => {
  it('keeps one live line per adapter, names aligned, and redraws them in place', () => {
    const { reporter, written } = progress({ tty: true });
    reporter.starting('express', SCENARIOS);
    expect(written.at(-1)).toBe('express  starting the mock server and the app\n');
    reporter.starting('koa', SCENARIOS);
    expect(written.at(-1)).toBe(
      `${UP_AND_ERASE(1)}express  starting the mock server and the app\nkoa      starting the mock server and the app\n`,
    );
    reporter.started('express');
    reporter.result(result('express', SCENARIOS[0]!, 'fail'));
    expect(written.at(-1)).toBe(
      `${UP_AND_ERASE(2)}express  RFC 6750 bearer usage  1/2  (1 failed)\nkoa      starting the mock server and the app\n`,
    );
    reporter.result(result('express', SCENARIOS[1]!, 'pass'));
    expect(written.at(-1)).toContain('express  JWT access token validation  0/1  (1 failed)\n');
    reporter.result(result('express', SCENARIOS[2]!, 'pass'));
    expect(written.at(-1)).toContain('express  done: 2 passed, 1 failed\n');
    reporter.end();
    expect(written.at(-1)).toBe(UP_AND_ERASE(2));
  });

  it('writes a notice above the live lines and redraws them below it', () => {
    const { reporter, written } = progress({ tty: true });
    reporter.starting('express', SCENARIOS);
    reporter.notice('ropkit-conformance: using the in-process mock server');
    expect(written.at(-1)).toBe(
      `${UP_AND_ERASE(1)}ropkit-conformance: using the in-process mock server\nexpress  starting the mock server and the app\n`,
    );
    reporter.end();
    reporter.notice('after the end');
    expect(written.at(-1)).toBe('after the end\n');
  });

  it('cuts a live line to the terminal width, so it never wraps', () => {
    const { reporter, written } = progress({ tty: true, columns: () => 20 });
    reporter.starting('express', SCENARIOS);
    expect(written.at(-1)).toBe('express  starting t\n');
  });
});
