import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ConformanceRun,
  formatMatrix,
  toJUnit,
  type ScenarioResult,
} from '../src/index.js';

const result = (
  adapter: string,
  id: string,
  outcome: ScenarioResult['outcome'],
  reason?: string,
): ScenarioResult => ({
  id,
  name: `MUST do ${id}`,
  spec: 'RFC 6750 section 3.1',
  group: 'RFC 6750 bearer usage',
  adapter,
  outcome,
  ...(reason === undefined ? {} : { reason }),
  durationMs: 12,
});

const never = () => Promise.reject(new Error('not started'));

describe('the catalogue', () => {
  it('has at least 60 scenarios with unique stable ids, RFC 2119 names and a spec section', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CATALOGUE.map((s) => s.id)).size).toBe(CATALOGUE.length);
    for (const scenario of CATALOGUE) {
      expect(scenario.name).toMatch(/^(MUST|MUST NOT|SHOULD|SHOULD NOT|MAY) /);
      expect(scenario.spec.length).toBeGreaterThan(3);
      expect(scenario.id).toMatch(/^[a-z]+-\d{2}$/);
    }
  });
});

describe('reports', () => {
  const results = [
    result('express', 'bearer-01', 'pass'),
    result('koa', 'bearer-01', 'fail', 'status: expected 401, got 200'),
    result('express', 'bearer-02', 'skip', 'not supported'),
  ];

  it('prints a matrix with totals and the reasons', () => {
    const text = formatMatrix(results);
    expect(text).toContain('bearer-01   pass      FAIL');
    expect(text).toContain('1 passed, 1 failed, 1 skipped');
    expect(text).toContain('FAIL koa bearer-01: status: expected 401, got 200');
    expect(text).toContain('skip express bearer-02: not supported');
  });

  it('writes JUnit XML with failures and skips, escaped', () => {
    const xml = toJUnit([...results, result('koa', 'bearer-03', 'fail', '<b>"quoted"</b>')]);
    expect(xml).toContain('<testsuite name="koa" tests="2" failures="2" skipped="0">');
    expect(xml).toContain('<skipped message="not supported"/>');
    expect(xml).toContain('&#60;b&#62;&#34;quoted&#34;&#60;/b&#62;');
  });

  it('fails a declared skip that has no reason, and honours one that has', async () => {
    // Build a run without starting anything: only the skip path is exercised.
    const run = Object.create(ConformanceRun.prototype) as ConformanceRun;
    Object.defineProperty(run, 'adapter', {
      value: {
        name: 'third-party',
        startTestApp: never,
        skips: { 'bearer-01': '', 'bearer-02': 'no optional routes' },
      },
    });
    const [bearer01, bearer02] = CATALOGUE;
    if (bearer01 === undefined || bearer02 === undefined) throw new Error('catalogue is empty');
    expect(await run.run(bearer01)).toMatchObject({
      outcome: 'fail',
      reason: 'skipped without a reason',
    });
    expect(await run.run(bearer02)).toMatchObject({
      outcome: 'skip',
      reason: 'no optional routes',
    });
  });
});
